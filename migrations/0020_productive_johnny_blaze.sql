CREATE TABLE "prtf_report_members" (
	"report_id" integer NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"address_digest" text NOT NULL,
	"phone_digest" text NOT NULL,
	CONSTRAINT "prtf_report_members_report_id_patient_id_pk" PRIMARY KEY("report_id","patient_id")
);
--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "layout_version" text DEFAULT 'rtf-2023' NOT NULL;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "mcp_id" text;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "batch_id" uuid;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "submitted_on" date;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "submitted_by_user_id" integer;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "validation" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "prtf_report_members" ADD CONSTRAINT "prtf_report_members_report_id_prtf_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."prtf_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prtf_report_members" ADD CONSTRAINT "prtf_report_members_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prtf_report_members" ADD CONSTRAINT "prtf_report_members_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD CONSTRAINT "prtf_reports_submitted_by_user_id_users_id_fk" FOREIGN KEY ("submitted_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prtf_reports_submitted_idx" ON "prtf_reports" USING btree ("organization_id","mcp_id","submitted_on") WHERE "prtf_reports"."submitted_on" IS NOT NULL;