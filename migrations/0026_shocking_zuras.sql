CREATE TABLE "fhir_exports" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"public_id" text NOT NULL,
	"client_id" text NOT NULL,
	"scopes" text[] NOT NULL,
	"level" text NOT NULL,
	"group_location_id" integer,
	"types" text[] NOT NULL,
	"since" timestamp (3) with time zone,
	"request_url" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" text,
	"output" jsonb,
	"error" text,
	"ip" text,
	"request_id" text,
	"transaction_time" timestamp (3) with time zone NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fhir_exports" ADD CONSTRAINT "fhir_exports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fhir_exports" ADD CONSTRAINT "fhir_exports_group_location_id_ecp_locations_id_fk" FOREIGN KEY ("group_location_id") REFERENCES "public"."ecp_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fhir_exports_public_id_key" ON "fhir_exports" USING btree ("public_id");--> statement-breakpoint
CREATE INDEX "fhir_exports_expires_idx" ON "fhir_exports" USING btree ("expires_at");