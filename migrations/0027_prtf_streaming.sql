ALTER TABLE "prtf_report_members" ADD COLUMN "problems" jsonb;--> statement-breakpoint
ALTER TABLE "prtf_report_members" ADD COLUMN "member_id" text;--> statement-breakpoint
ALTER TABLE "prtf_reports" ADD COLUMN "members_with_problems" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "activities_care_conference_idx" ON "activities" USING btree ("organization_id","patient_id","occurred_at") WHERE "activities"."meeting_kind" = 'care_conference' AND "activities"."deleted_at" IS NULL;--> statement-breakpoint
-- hand-written
-- The validation lists of reports made before: each entry onto its member's row, the count onto the report.
UPDATE "prtf_report_members" m SET "problems" = v.entry -> 'problems', "member_id" = v.entry ->> 'member_id'
FROM "prtf_reports" r CROSS JOIN LATERAL jsonb_array_elements(r."validation") AS v(entry)
WHERE m."report_id" = r."id" AND m."patient_id" = (v.entry ->> 'patient_id')::int;--> statement-breakpoint
UPDATE "prtf_reports" SET "members_with_problems" = jsonb_array_length("validation"), "validation" = '[]'::jsonb
WHERE "validation" <> '[]'::jsonb;
