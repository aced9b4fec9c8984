ALTER TABLE "customers" ADD COLUMN "kind" text DEFAULT 'person' NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "first_name" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "last_name" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "company_name" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "tax_code" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "vat_number" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "country" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "street" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "street_number" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "postal_code" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "city" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "province" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "customer_number" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "sdi_code" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "pec" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "public_administration" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "cig" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "cup" text;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_number_uq" ON "customers" USING btree ("customer_number");--> statement-breakpoint
-- Existing customers keep their id as their customer number; their free-text address stays in "address".
UPDATE "customers" SET "customer_number" = cast("id" as text);