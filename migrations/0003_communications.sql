CREATE TABLE "idempotency_keys" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_opt_outs" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"clinic_number" text NOT NULL,
	"member_phone" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unmatched_communications" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"channel" text NOT NULL,
	"from_number" text NOT NULL,
	"to_number" text NOT NULL,
	"body" text,
	"twilio_sid" text NOT NULL,
	"candidate_patient_ids" integer[] DEFAULT '{}'::int[] NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"assigned_patient_id" integer,
	"assigned_at" timestamp (3) with time zone,
	"assigned_by_user_id" integer,
	"activity_id" integer
);
--> statement-breakpoint
ALTER TABLE "voice_calls" ADD COLUMN "dial_status" text;--> statement-breakpoint
ALTER TABLE "voice_calls" ADD COLUMN "dial_duration_seconds" integer;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_opt_outs" ADD CONSTRAINT "sms_opt_outs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_communications" ADD CONSTRAINT "unmatched_communications_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_communications" ADD CONSTRAINT "unmatched_communications_assigned_patient_id_patients_id_fk" FOREIGN KEY ("assigned_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_communications" ADD CONSTRAINT "unmatched_communications_assigned_by_user_id_users_id_fk" FOREIGN KEY ("assigned_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_communications" ADD CONSTRAINT "unmatched_communications_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_scope_key" ON "idempotency_keys" USING btree ("organization_id","scope","key");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_opt_outs_pair_key" ON "sms_opt_outs" USING btree ("clinic_number","member_phone");--> statement-breakpoint
CREATE UNIQUE INDEX "unmatched_communications_sid_key" ON "unmatched_communications" USING btree ("twilio_sid");--> statement-breakpoint
CREATE INDEX "unmatched_communications_open_idx" ON "unmatched_communications" USING btree ("organization_id","received_at") WHERE "unmatched_communications"."assigned_patient_id" IS NULL;--> statement-breakpoint
CREATE INDEX "organizations_phone_numbers_idx" ON "organizations" USING gin ("phone_numbers");--> statement-breakpoint
CREATE INDEX "patients_org_phone_idx" ON "patients" USING btree ("organization_id","phone");