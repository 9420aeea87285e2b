CREATE TABLE "backups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"file" text NOT NULL,
	"bytes" bigint,
	"sha256" text,
	"tables" integer,
	"rows" bigint,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "backups_outcome_finished_idx" ON "backups" USING btree ("outcome","finished_at");