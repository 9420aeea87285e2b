CREATE TABLE "ecp_contact_residents" (
	"contact_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	CONSTRAINT "ecp_contact_residents_contact_id_resident_id_pk" PRIMARY KEY("contact_id","resident_id")
);
--> statement-breakpoint
CREATE TABLE "ecp_contacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"location_id" integer NOT NULL,
	"guid" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"address" text,
	"city" text,
	"state" text,
	"zip" text,
	"email" text,
	"notes" text,
	"phone" text,
	"phone_cell" text,
	"phone_work" text,
	"preferred_contact_method" text,
	"preferred_contact_time" text,
	"relationship" text,
	"billing_contact" boolean DEFAULT false NOT NULL,
	"health_care_poa" boolean DEFAULT false NOT NULL,
	"health_care_poa_activated" boolean DEFAULT false NOT NULL,
	"primary_contact" boolean DEFAULT false NOT NULL,
	"provides_products" boolean DEFAULT false NOT NULL,
	"state_appointed_guardian" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD CONSTRAINT "ecp_contact_residents_contact_id_ecp_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."ecp_contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD CONSTRAINT "ecp_contact_residents_resident_id_ecp_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."ecp_residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_contacts" ADD CONSTRAINT "ecp_contacts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_contacts" ADD CONSTRAINT "ecp_contacts_location_id_ecp_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ecp_contact_residents_resident_idx" ON "ecp_contact_residents" USING btree ("resident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_contacts_guid_key" ON "ecp_contacts" USING btree ("guid");