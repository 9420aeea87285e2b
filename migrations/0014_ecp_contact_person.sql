ALTER TABLE "ecp_contacts" DROP COLUMN "notes";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "relationship";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "billing_contact";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "health_care_poa";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "health_care_poa_activated";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "primary_contact";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "provides_products";--> statement-breakpoint
ALTER TABLE "ecp_contacts" DROP COLUMN "state_appointed_guardian";