DO $$
DECLARE
  shared text;
  example text;
BEGIN
  SELECT string_agg(format('  %s is held by %s', d.number, d.holders), E'\n' ORDER BY d.number),
    min(format('UPDATE organizations SET phone_numbers = array_remove(phone_numbers, %L) WHERE id = %s;', d.number, d.last_id))
  INTO shared, example
  FROM (
    SELECT n.number, max(o.id) AS last_id,
      string_agg(format('organization %s "%s"', o.id, o.name), ' and ' ORDER BY o.id) AS holders
    FROM organizations o CROSS JOIN LATERAL (SELECT DISTINCT x AS number FROM unnest(o.phone_numbers) AS x) n
    WHERE n.number IS NOT NULL AND n.number <> ''
    GROUP BY n.number
    HAVING count(*) > 1
  ) d;
  IF shared IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = format(E'A Twilio phone number belongs to at most one organization, but these are held by more than one:\n%s', shared),
      HINT = format('Remove each number from every organization but the one that owns it in Twilio, then start again: '
        || 'with the previous release, an admin of the other clinic saves its settings without the number (PUT /v1/admin/organization), '
        || 'or in SQL, for example: %s', example);
  END IF;
END $$;--> statement-breakpoint
CREATE TABLE "organization_phone_numbers" (
	"number" text PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "organizations_phone_numbers_idx";--> statement-breakpoint
ALTER TABLE "organization_phone_numbers" ADD CONSTRAINT "organization_phone_numbers_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "organization_phone_numbers_organization_id_position_key" ON "organization_phone_numbers" USING btree ("organization_id","position");--> statement-breakpoint
INSERT INTO "organization_phone_numbers" ("number", "organization_id", "position")
SELECT s."number", s."organization_id", (row_number() OVER (PARTITION BY s."organization_id" ORDER BY s."first") - 1)::int
FROM (
  SELECT o."id" AS "organization_id", n."number", min(n."ord") AS "first"
  FROM "organizations" o CROSS JOIN LATERAL unnest(o."phone_numbers") WITH ORDINALITY AS n("number", "ord")
  WHERE n."number" IS NOT NULL AND n."number" <> ''
  GROUP BY o."id", n."number"
) s;--> statement-breakpoint
ALTER TABLE "organizations" DROP COLUMN "phone_numbers";
