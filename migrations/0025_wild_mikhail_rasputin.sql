CREATE TABLE "ecp_leads" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"guid" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"date_of_birth" date,
	"contact_name" text,
	"contact_phone" text,
	"contact_email" text,
	"desired_move_in_date" date,
	"source" text,
	"status" text DEFAULT 'New' NOT NULL,
	"notes" text,
	"resident_id" integer,
	"resident_guid" text,
	"converted_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_transfer_offers" (
	"id" serial PRIMARY KEY NOT NULL,
	"guid" text NOT NULL,
	"resident_id" integer NOT NULL,
	"resident_guid" text NOT NULL,
	"from_organization_id" integer NOT NULL,
	"to_organization_id" integer NOT NULL,
	"resident_name" text NOT NULL,
	"resident_date_of_birth" date,
	"from_location_id" integer NOT NULL,
	"note" text,
	"status" text DEFAULT 'offered' NOT NULL,
	"offered_by_user_id" integer NOT NULL,
	"decided_by_user_id" integer,
	"to_location_id" integer,
	"decided_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ecp_leads" ADD CONSTRAINT "ecp_leads_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_leads" ADD CONSTRAINT "ecp_leads_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_leads" ADD CONSTRAINT "ecp_leads_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_from_organization_id_organizations_id_fk" FOREIGN KEY ("from_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_to_organization_id_organizations_id_fk" FOREIGN KEY ("to_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_from_location_id_ecp_locations_id_fk" FOREIGN KEY ("from_location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_offered_by_user_id_ecp_users_id_fk" FOREIGN KEY ("offered_by_user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_decided_by_user_id_ecp_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_transfer_offers" ADD CONSTRAINT "ecp_transfer_offers_to_location_id_ecp_locations_id_fk" FOREIGN KEY ("to_location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_leads_guid_key" ON "ecp_leads" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "ecp_leads_location_idx" ON "ecp_leads" USING btree ("organization_id","location_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_transfer_offers_guid_key" ON "ecp_transfer_offers" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_transfer_offers_open_key" ON "ecp_transfer_offers" USING btree ("resident_id") WHERE status = 'offered';--> statement-breakpoint
CREATE INDEX "ecp_transfer_offers_to_idx" ON "ecp_transfer_offers" USING btree ("to_organization_id","status");--> statement-breakpoint
CREATE INDEX "ecp_transfer_offers_from_idx" ON "ecp_transfer_offers" USING btree ("from_organization_id","status");