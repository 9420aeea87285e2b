CREATE TABLE "ecp_companies" (
	"organization_id" integer PRIMARY KEY NOT NULL,
	"guid" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_webhook_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" bigint NOT NULL,
	"attempted_at" timestamp (3) with time zone NOT NULL,
	"status_code" integer,
	"latency_ms" integer NOT NULL,
	"response_body" text,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "ecp_webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"message_id" text NOT NULL,
	"subscription_id" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"schedule_index" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp (3) with time zone,
	"last_attempt_at" timestamp (3) with time zone,
	"last_status_code" integer,
	"last_error" text,
	"last_latency_ms" integer,
	"succeeded_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_webhook_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer,
	"event_name" text NOT NULL,
	"resource_key" text NOT NULL,
	"event_timestamp" timestamp (3) with time zone NOT NULL,
	"payload" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_webhook_resource_clocks" (
	"resource_key" text PRIMARY KEY NOT NULL,
	"last_event_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_webhook_subscriptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"partner_client_id" integer NOT NULL,
	"guid" text NOT NULL,
	"callback_url" text NOT NULL,
	"event_names" text[] NOT NULL,
	"location_ids" integer[],
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"disabled_at" timestamp (3) with time zone,
	"failing_since" timestamp (3) with time zone,
	"secret" text NOT NULL,
	"previous_secret" text,
	"previous_secret_expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ecp_companies" ADD CONSTRAINT "ecp_companies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_attempts" ADD CONSTRAINT "ecp_webhook_attempts_delivery_id_ecp_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."ecp_webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_deliveries" ADD CONSTRAINT "ecp_webhook_deliveries_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_deliveries" ADD CONSTRAINT "ecp_webhook_deliveries_message_id_ecp_webhook_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."ecp_webhook_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_deliveries" ADD CONSTRAINT "ecp_webhook_deliveries_subscription_id_ecp_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."ecp_webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_messages" ADD CONSTRAINT "ecp_webhook_messages_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_messages" ADD CONSTRAINT "ecp_webhook_messages_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_subscriptions" ADD CONSTRAINT "ecp_webhook_subscriptions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_webhook_subscriptions" ADD CONSTRAINT "ecp_webhook_subscriptions_partner_client_id_partner_clients_id_fk" FOREIGN KEY ("partner_client_id") REFERENCES "public"."partner_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_companies_guid_key" ON "ecp_companies" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "ecp_webhook_attempts_delivery_idx" ON "ecp_webhook_attempts" USING btree ("delivery_id","attempted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_webhook_deliveries_message_subscription_key" ON "ecp_webhook_deliveries" USING btree ("message_id","subscription_id");--> statement-breakpoint
CREATE INDEX "ecp_webhook_deliveries_subscription_idx" ON "ecp_webhook_deliveries" USING btree ("subscription_id","created_at");--> statement-breakpoint
CREATE INDEX "ecp_webhook_deliveries_pending_idx" ON "ecp_webhook_deliveries" USING btree ("next_attempt_at") WHERE "ecp_webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "ecp_webhook_messages_org_time_idx" ON "ecp_webhook_messages" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_webhook_subscriptions_guid_key" ON "ecp_webhook_subscriptions" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "ecp_webhook_subscriptions_org_idx" ON "ecp_webhook_subscriptions" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "ecp_webhook_subscriptions_client_idx" ON "ecp_webhook_subscriptions" USING btree ("partner_client_id");