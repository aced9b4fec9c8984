ALTER TABLE `customers` ADD `kind` text DEFAULT 'person' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `first_name` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `last_name` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `company_name` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `tax_code` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `vat_number` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `country` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `street` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `street_number` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `postal_code` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `city` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `province` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `customer_number` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `sdi_code` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `pec` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `public_administration` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `cig` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `cup` text;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_number_uq` ON `customers` (`customer_number`);--> statement-breakpoint
-- Existing customers keep their id as their customer number; their free-text address stays in "address".
UPDATE "customers" SET "customer_number" = cast("id" as text);