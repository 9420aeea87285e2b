ALTER TABLE "ecp_vitals" ADD COLUMN "guid" text DEFAULT upper(gen_random_uuid()::text) NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_vitals_guid_key" ON "ecp_vitals" USING btree ("guid");