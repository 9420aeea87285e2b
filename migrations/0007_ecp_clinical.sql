CREATE TABLE "ecp_allergies" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"allergy" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_diagnoses" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"code" text,
	"diagnosis" text,
	"comment" text,
	"code_set_year" integer,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_user_groups" (
	"organization_id" integer NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ecp_user_groups_organization_id_name_pk" PRIMARY KEY("organization_id","name")
);
--> statement-breakpoint
CREATE TABLE "ecp_users" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"guid" text NOT NULL,
	"login_name" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"view_all_residents" boolean DEFAULT false NOT NULL,
	"user_group" text NOT NULL,
	"role" text NOT NULL,
	"system_admin" boolean DEFAULT false NOT NULL,
	"charting_initials" text NOT NULL,
	"title" text,
	"address" text,
	"city_state_zip" text,
	"phone" text,
	"cellphone" text,
	"cell_carrier" text,
	"pager" text,
	"email" text,
	"location_ids" integer[] NOT NULL,
	"deactivated_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_vitals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"vital_type" text NOT NULL,
	"value" numeric(8, 2) NOT NULL,
	"value2" numeric(8, 2),
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "icd10cm_code_sets" (
	"fiscal_year" integer PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"code_count" integer NOT NULL,
	"imported_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "icd10cm_codes" (
	"fiscal_year" integer NOT NULL,
	"code" text NOT NULL,
	"billable" boolean NOT NULL,
	"short_description" text NOT NULL,
	"long_description" text NOT NULL,
	CONSTRAINT "icd10cm_codes_fiscal_year_code_pk" PRIMARY KEY("fiscal_year","code")
);
--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "care_type" text;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "diet_plans" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "food_texture" text;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "fluid_consistency" text;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "special_diet_orders" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "level_of_care_name" text;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "level_of_care_amount" numeric(12, 2);--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "level_of_care_amount_frequency" text;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "level_of_care_effective_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "ecp_residents" ADD COLUMN "discharged_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "ecp_allergies" ADD CONSTRAINT "ecp_allergies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_allergies" ADD CONSTRAINT "ecp_allergies_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_diagnoses" ADD CONSTRAINT "ecp_diagnoses_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_diagnoses" ADD CONSTRAINT "ecp_diagnoses_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_diagnoses" ADD CONSTRAINT "ecp_diagnoses_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_diagnoses" ADD CONSTRAINT "ecp_diagnoses_user_id_ecp_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_user_groups" ADD CONSTRAINT "ecp_user_groups_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_users" ADD CONSTRAINT "ecp_users_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_vitals" ADD CONSTRAINT "ecp_vitals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_vitals" ADD CONSTRAINT "ecp_vitals_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_vitals" ADD CONSTRAINT "ecp_vitals_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_vitals" ADD CONSTRAINT "ecp_vitals_user_id_ecp_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "icd10cm_codes" ADD CONSTRAINT "icd10cm_codes_fiscal_year_icd10cm_code_sets_fiscal_year_fk" FOREIGN KEY ("fiscal_year") REFERENCES "public"."icd10cm_code_sets"("fiscal_year") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_allergies_resident_allergy_key" ON "ecp_allergies" USING btree ("resident_id",lower("allergy"));--> statement-breakpoint
CREATE INDEX "ecp_diagnoses_location_time_idx" ON "ecp_diagnoses" USING btree ("location_id","recorded_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_users_guid_key" ON "ecp_users" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_users_org_login_key" ON "ecp_users" USING btree ("organization_id",lower("login_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_users_org_initials_key" ON "ecp_users" USING btree ("organization_id",lower("charting_initials"));--> statement-breakpoint
CREATE INDEX "ecp_users_location_ids_idx" ON "ecp_users" USING gin ("location_ids");--> statement-breakpoint
CREATE INDEX "ecp_vitals_location_type_time_idx" ON "ecp_vitals" USING btree ("location_id","vital_type","recorded_at","id");--> statement-breakpoint
CREATE INDEX "icd10cm_codes_description_trgm_idx" ON "icd10cm_codes" USING gin ("long_description" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ecp_residents_external_ids_idx" ON "ecp_residents" USING gin ("external_ids" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "ecp_residents_move_in_idx" ON "ecp_residents" USING btree ("move_in_date") WHERE "ecp_residents"."status_description" = 'Awaiting Move-In';