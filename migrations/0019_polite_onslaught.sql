CREATE TABLE "ecp_user_credentials" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"password_hash" text NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	"password_changed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ecp_user_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"organization_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "ecp_user_credentials" ADD CONSTRAINT "ecp_user_credentials_user_id_ecp_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_user_credentials" ADD CONSTRAINT "ecp_user_credentials_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_user_tokens" ADD CONSTRAINT "ecp_user_tokens_user_id_ecp_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."ecp_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ecp_user_tokens" ADD CONSTRAINT "ecp_user_tokens_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ecp_user_tokens_token_hash_key" ON "ecp_user_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "ecp_user_tokens_user_id_idx" ON "ecp_user_tokens" USING btree ("user_id");