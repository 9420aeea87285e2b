CREATE TABLE "ecp_assessment_templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"guid" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"levels" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_assessments" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"template_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"guid" text NOT NULL,
	"template_name" text NOT NULL,
	"answers" jsonb,
	"score" integer NOT NULL,
	"level_of_care_name" text NOT NULL,
	"level_of_care_amount" numeric(12, 2),
	"level_of_care_amount_frequency" text,
	"completed_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ecp_assessment_templates" ADD CONSTRAINT "ecp_assessment_templates_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_assessments" ADD CONSTRAINT "ecp_assessments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_assessments" ADD CONSTRAINT "ecp_assessments_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_assessments" ADD CONSTRAINT "ecp_assessments_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_assessments" ADD CONSTRAINT "ecp_assessments_template_id_ecp_assessment_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."ecp_assessment_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_assessments" ADD CONSTRAINT "ecp_assessments_user_id_ecp_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_assessment_templates_guid_key" ON "ecp_assessment_templates" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_assessment_templates_org_name_key" ON "ecp_assessment_templates" USING btree ("organization_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_assessments_guid_key" ON "ecp_assessments" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "ecp_assessments_location_time_idx" ON "ecp_assessments" USING btree ("location_id","completed_at","id");--> statement-breakpoint
CREATE INDEX "ecp_assessments_resident_time_idx" ON "ecp_assessments" USING btree ("resident_id","completed_at");