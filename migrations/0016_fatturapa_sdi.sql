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
CREATE INDEX `sdi_receipts_doc_ix` ON `sdi_receipts` (`fiscal_document_id`);