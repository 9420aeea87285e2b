ALTER TABLE "ecp_allergies" ADD COLUMN "guid" text DEFAULT upper(gen_random_uuid()::text) NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_diagnoses" ADD COLUMN "guid" text DEFAULT upper(gen_random_uuid()::text) NOT NULL;--> statement-breakpoint
ALTER TABLE "ecp_vitals" ADD COLUMN "guid" text DEFAULT upper(gen_random_uuid()::text) NOT NULL;--> statement-breakpoint
ALTER TABLE "partner_clients" ADD COLUMN "jwks" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_allergies_guid_key" ON "ecp_allergies" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_diagnoses_guid_key" ON "ecp_diagnoses" USING btree ("guid");--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_vitals_guid_key" ON "ecp_vitals" USING btree ("guid");