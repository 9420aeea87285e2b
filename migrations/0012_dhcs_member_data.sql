CREATE TABLE "ecm_assessments" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"title" text,
	"started_on" date NOT NULL,
	"completed_on" date,
	"assessed_by_user_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_care_plan_revisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"revised_on" date NOT NULL,
	"author_user_id" integer NOT NULL,
	"summary" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_discontinuations" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"discontinued_on" date NOT NULL,
	"reason_code" text NOT NULL,
	"reason" text NOT NULL,
	"recorded_by_user_id" integer,
	"status_history_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_member_attributes" (
	"patient_id" integer PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"homeless" boolean,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_member_populations" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"population" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_referral_status_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"referral_id" integer NOT NULL,
	"status" text NOT NULL,
	"status_date" date NOT NULL,
	"loop_closure_reason" text,
	"changed_by_user_id" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecm_referrals" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"received_on" date NOT NULL,
	"source" text NOT NULL,
	"service" text NOT NULL,
	"status" text NOT NULL,
	"status_date" date NOT NULL,
	"loop_closure_reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "meeting_kind" text;--> statement-breakpoint
ALTER TABLE "ecm_assessments" ADD CONSTRAINT "ecm_assessments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_assessments" ADD CONSTRAINT "ecm_assessments_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_assessments" ADD CONSTRAINT "ecm_assessments_assessed_by_user_id_users_id_fk" FOREIGN KEY ("assessed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_care_plan_revisions" ADD CONSTRAINT "ecm_care_plan_revisions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_care_plan_revisions" ADD CONSTRAINT "ecm_care_plan_revisions_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_care_plan_revisions" ADD CONSTRAINT "ecm_care_plan_revisions_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_discontinuations" ADD CONSTRAINT "ecm_discontinuations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_discontinuations" ADD CONSTRAINT "ecm_discontinuations_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_discontinuations" ADD CONSTRAINT "ecm_discontinuations_recorded_by_user_id_users_id_fk" FOREIGN KEY ("recorded_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_discontinuations" ADD CONSTRAINT "ecm_discontinuations_status_history_id_ecm_status_histories_id_fk" FOREIGN KEY ("status_history_id") REFERENCES "public"."ecm_status_histories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_member_attributes" ADD CONSTRAINT "ecm_member_attributes_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_member_attributes" ADD CONSTRAINT "ecm_member_attributes_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_member_populations" ADD CONSTRAINT "ecm_member_populations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_member_populations" ADD CONSTRAINT "ecm_member_populations_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_referral_status_changes" ADD CONSTRAINT "ecm_referral_status_changes_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_referral_status_changes" ADD CONSTRAINT "ecm_referral_status_changes_referral_id_ecm_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."ecm_referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_referral_status_changes" ADD CONSTRAINT "ecm_referral_status_changes_changed_by_user_id_users_id_fk" FOREIGN KEY ("changed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_referrals" ADD CONSTRAINT "ecm_referrals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecm_referrals" ADD CONSTRAINT "ecm_referrals_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ecm_assessments_patient_idx" ON "ecm_assessments" USING btree ("organization_id","patient_id","started_on");--> statement-breakpoint
CREATE INDEX "ecm_care_plan_revisions_patient_idx" ON "ecm_care_plan_revisions" USING btree ("organization_id","patient_id","revised_on");--> statement-breakpoint
CREATE INDEX "ecm_discontinuations_patient_idx" ON "ecm_discontinuations" USING btree ("organization_id","patient_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "ecm_member_populations_patient_key" ON "ecm_member_populations" USING btree ("patient_id","population");--> statement-breakpoint
CREATE INDEX "ecm_member_populations_org_idx" ON "ecm_member_populations" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "ecm_referral_status_changes_referral_idx" ON "ecm_referral_status_changes" USING btree ("referral_id","id");--> statement-breakpoint
CREATE INDEX "ecm_referrals_patient_idx" ON "ecm_referrals" USING btree ("organization_id","patient_id","received_on");