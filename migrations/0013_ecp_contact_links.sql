ALTER TABLE "ecp_contact_residents" ADD COLUMN "relationship" text;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "notes" text;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "billing_contact" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "health_care_poa" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "health_care_poa_activated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "primary_contact" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "provides_products" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "state_appointed_guardian" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_contact_residents" ADD COLUMN "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- hand-written
-- Each existing link takes the relationship, notes and flags its contact carried (one resident per contact until now).
UPDATE "ecp_contact_residents" l SET
  "relationship" = c."relationship", "notes" = c."notes", "billing_contact" = c."billing_contact",
  "health_care_poa" = c."health_care_poa", "health_care_poa_activated" = c."health_care_poa_activated",
  "primary_contact" = c."primary_contact", "provides_products" = c."provides_products",
  "state_appointed_guardian" = c."state_appointed_guardian", "created_at" = c."created_at"
FROM "ecp_contacts" c WHERE c."id" = l."contact_id";
