CREATE TABLE "ecp_locations" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"guid" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_residents" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"guid" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"middle_name" text,
	"nickname" text,
	"suffix" text,
	"date_of_birth" date NOT NULL,
	"gender" text,
	"email" text,
	"phone" text,
	"building" text,
	"room" text,
	"code_status" text,
	"living_will" boolean,
	"other_advanced_directives" text,
	"move_in_date" date,
	"status" text NOT NULL,
	"status_description" text NOT NULL,
	"external_ids" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_clients" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"client_id" text NOT NULL,
	"secret_hash" text NOT NULL,
	"api_key_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"location_ids" integer[] NOT NULL,
	"disabled_at" timestamp (3) with time zone,
	"tokens_valid_after" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ecp_locations" ADD CONSTRAINT "ecp_locations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD CONSTRAINT "ecp_residents_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD CONSTRAINT "ecp_residents_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_clients" ADD CONSTRAINT "partner_clients_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_locations_guid_key" ON "ecp_locations" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_locations_org_name_key" ON "ecp_locations" USING btree ("organization_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_residents_guid_key" ON "ecp_residents" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "ecp_residents_location_name_idx" ON "ecp_residents" USING btree ("location_id","last_name","first_name");--> statement-breakpoint
CREATE INDEX "ecp_residents_org_identity_idx" ON "ecp_residents" USING btree ("organization_id","last_name","first_name","date_of_birth");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_clients_client_id_key" ON "partner_clients" USING btree ("client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_clients_api_key_hash_key" ON "partner_clients" USING btree ("api_key_hash");