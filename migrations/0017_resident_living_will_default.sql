ALTER TABLE "ecp_residents" ALTER COLUMN "living_will" SET DEFAULT false;--> statement-breakpoint
-- hand-written
-- Seed 000: livingWill is "Always Specified"; not given means no living will on record.
UPDATE "ecp_residents" SET "living_will" = false WHERE "living_will" IS NULL;
