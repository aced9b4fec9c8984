CREATE TABLE `fiscal_documents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`document_id` integer NOT NULL,
	`customer_id` integer NOT NULL,
	`issue_date` text NOT NULL,
	`state` text DEFAULT 'to_send' NOT NULL,
	`state_code` text,
	`state_text` text,
	`file_name` text,
	`sdi_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` text,
	`alerted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "fiscal_documents_kind_ck" CHECK(kind in ('invoice', 'credit_note')),
	CONSTRAINT "fiscal_documents_state_ck" CHECK(state in ('to_send', 'sent', 'delivered', 'not_delivered', 'rejected', 'accepted', 'refused'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fiscal_documents_doc_uq` ON `fiscal_documents` (`kind`,`document_id`);--> statement-breakpoint
CREATE INDEX `fiscal_documents_state_ix` ON `fiscal_documents` (`state`);--> statement-breakpoint
CREATE INDEX `fiscal_documents_date_ix` ON `fiscal_documents` (`issue_date`);--> statement-breakpoint
CREATE TABLE `sdi_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`fiscal_document_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`xml` text NOT NULL,
	`channel` text NOT NULL,
	`message_id` text,
	`sent_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`fiscal_document_id`) REFERENCES `fiscal_documents`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sdi_files_name_uq` ON `sdi_files` (`file_name`);--> statement-breakpoint
CREATE INDEX `sdi_files_doc_ix` ON `sdi_files` (`fiscal_document_id`);--> statement-breakpoint
CREATE TABLE `sdi_receipts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`file_name` text NOT NULL,
	`fiscal_document_id` integer,
	`invoice_file` text NOT NULL,
	`type` text NOT NULL,
	`sdi_id` text,
	`errors` text DEFAULT '[]' NOT NULL,
	`text` text,
	`xml` text NOT NULL,
	`received_at` text NOT NULL,
	FOREIGN KEY (`fiscal_document_id`) REFERENCES `fiscal_documents`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sdi_receipts_name_uq` ON `sdi_receipts` (`file_name`);--> statement-breakpoint
CREATE INDEX `sdi_receipts_doc_ix` ON `sdi_receipts` (`fiscal_document_id`);--> statement-breakpoint
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
ALTER TABLE `plans` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `plans` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `one_off_charges` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `one_off_charges` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `recurring_items` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `recurring_items` ADD `vat_legal_ref` text;--> statement-breakpoint
-- Existing customers keep their id as their customer number; their free-text address stays in "address".
UPDATE "customers" SET "customer_number" = cast("id" as text);
