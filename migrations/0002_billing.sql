CREATE TABLE `billing_runs` (
	`run_date` text PRIMARY KEY NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`invoices` integer DEFAULT 0 NOT NULL,
	`lines` integer DEFAULT 0 NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`problems` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `credit_note_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`credit_note_id` integer NOT NULL,
	`position` integer NOT NULL,
	`credits_key` text NOT NULL,
	`description` text NOT NULL,
	`amount` integer NOT NULL,
	`tax_rate_bp` integer NOT NULL,
	`tax_inclusive` integer NOT NULL,
	`net` integer NOT NULL,
	`tax` integer NOT NULL,
	`gross` integer NOT NULL,
	FOREIGN KEY (`credit_note_id`) REFERENCES `credit_notes`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `credit_note_lines_note_ix` ON `credit_note_lines` (`credit_note_id`);--> statement-breakpoint
CREATE INDEX `credit_note_lines_key_ix` ON `credit_note_lines` (`credits_key`);--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`invoice_id` integer NOT NULL,
	`number` text NOT NULL,
	`series` text NOT NULL,
	`year` integer NOT NULL,
	`sequence` integer NOT NULL,
	`issue_date` text NOT NULL,
	`currency` text NOT NULL,
	`net` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "credit_notes_total_ck" CHECK(total > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_number_uq` ON `credit_notes` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_series_seq_uq` ON `credit_notes` (`series`,`year`,`sequence`);--> statement-breakpoint
CREATE INDEX `credit_notes_invoice_ix` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `credit_notes_customer_ix` ON `credit_notes` (`customer_id`,`issue_date`);--> statement-breakpoint
CREATE TABLE `customer_accounts` (
	`customer_id` integer PRIMARY KEY NOT NULL,
	`days_until_due` integer DEFAULT 14 NOT NULL,
	`bill_suspended` integer DEFAULT false NOT NULL,
	`credit` integer DEFAULT 0 NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "customer_accounts_ck" CHECK(days_until_due >= 0 and credit >= 0)
);
--> statement-breakpoint
CREATE TABLE `discounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`description` text NOT NULL,
	`target_kind` text NOT NULL,
	`service_id` integer,
	`item_id` integer,
	`value_type` text NOT NULL,
	`percent_bp` integer,
	`amount` integer,
	`start_date` text NOT NULL,
	`periods` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`item_id`) REFERENCES `recurring_items`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "discounts_target_ck" CHECK((target_kind = 'invoice' and service_id is null and item_id is null)
      or (target_kind = 'service' and service_id is not null and item_id is null)
      or (target_kind = 'item' and service_id is not null and item_id is not null)),
	CONSTRAINT "discounts_value_ck" CHECK((value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)),
	CONSTRAINT "discounts_periods_ck" CHECK(periods is null or periods >= 1)
);
--> statement-breakpoint
CREATE INDEX `discounts_customer_ix` ON `discounts` (`customer_id`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`invoice_id` integer NOT NULL,
	`customer_id` integer NOT NULL,
	`position` integer NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`service_id` integer,
	`description` text NOT NULL,
	`period_start` text,
	`period_end` text,
	`bill_date` text NOT NULL,
	`amount` integer NOT NULL,
	`tax_rate_bp` integer NOT NULL,
	`tax_inclusive` integer NOT NULL,
	`net` integer NOT NULL,
	`tax` integer NOT NULL,
	`gross` integer NOT NULL,
	`applies_to` text,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "invoice_lines_kind_ck" CHECK(kind in ('recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount')),
	CONSTRAINT "invoice_lines_sum_ck" CHECK(net + tax = gross)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoice_lines_key_uq` ON `invoice_lines` (`key`);--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice_ix` ON `invoice_lines` (`invoice_id`,`position`);--> statement-breakpoint
CREATE INDEX `invoice_lines_customer_ix` ON `invoice_lines` (`customer_id`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`number` text NOT NULL,
	`series` text NOT NULL,
	`year` integer NOT NULL,
	`sequence` integer NOT NULL,
	`issue_date` text NOT NULL,
	`due_date` text NOT NULL,
	`currency` text NOT NULL,
	`net` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`paid` integer DEFAULT 0 NOT NULL,
	`credited` integer DEFAULT 0 NOT NULL,
	`open` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "invoices_settlement_ck" CHECK(paid >= 0 and credited >= 0 and open >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_uq` ON `invoices` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_series_seq_uq` ON `invoices` (`series`,`year`,`sequence`);--> statement-breakpoint
CREATE INDEX `invoices_customer_ix` ON `invoices` (`customer_id`,`issue_date`);--> statement-breakpoint
CREATE INDEX `invoices_issue_date_ix` ON `invoices` (`issue_date`);--> statement-breakpoint
CREATE INDEX `invoices_open_ix` ON `invoices` (`customer_id`,`open`);--> statement-breakpoint
CREATE TABLE `number_series` (
	`prefix` text NOT NULL,
	`year` integer NOT NULL,
	`last_sequence` integer NOT NULL,
	PRIMARY KEY(`prefix`, `year`)
);
--> statement-breakpoint
CREATE TABLE `one_off_charges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`service_id` integer,
	`description` text NOT NULL,
	`amount` integer NOT NULL,
	`tax_rate_bp` integer DEFAULT 0 NOT NULL,
	`tax_inclusive` integer DEFAULT true NOT NULL,
	`date` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "one_off_charges_ck" CHECK(tax_rate_bp >= 0)
);
--> statement-breakpoint
CREATE INDEX `one_off_charges_customer_ix` ON `one_off_charges` (`customer_id`);--> statement-breakpoint
CREATE TABLE `payment_allocations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`invoice_id` integer NOT NULL,
	`payment_id` integer,
	`amount` integer NOT NULL,
	`date` text NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `payment_allocations_invoice_ix` ON `payment_allocations` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payment_allocations_payment_ix` ON `payment_allocations` (`payment_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`amount` integer NOT NULL,
	`method` text NOT NULL,
	`reference` text,
	`received_at` text NOT NULL,
	`date` text NOT NULL,
	`refunded` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "payments_amount_ck" CHECK(amount > 0 and refunded >= 0 and refunded <= amount)
);
--> statement-breakpoint
CREATE INDEX `payments_customer_ix` ON `payments` (`customer_id`,`date`);--> statement-breakpoint
CREATE INDEX `payments_date_ix` ON `payments` (`date`);--> statement-breakpoint
CREATE TABLE `recurring_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`description` text NOT NULL,
	`amount` integer NOT NULL,
	`tax_rate_bp` integer DEFAULT 0 NOT NULL,
	`tax_inclusive` integer DEFAULT true NOT NULL,
	`start_date` text,
	`end_date` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "recurring_items_ck" CHECK(amount >= 0 and tax_rate_bp >= 0)
);
--> statement-breakpoint
CREATE INDEX `recurring_items_service_ix` ON `recurring_items` (`service_id`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`payment_id` integer,
	`amount` integer NOT NULL,
	`date` text NOT NULL,
	`reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "refunds_amount_ck" CHECK(amount > 0)
);
--> statement-breakpoint
CREATE INDEX `refunds_customer_ix` ON `refunds` (`customer_id`);--> statement-breakpoint
CREATE TABLE `service_billing` (
	`service_id` integer PRIMARY KEY NOT NULL,
	`start_plan_id` integer,
	`billing_period_months` integer,
	`billing_mode` text DEFAULT 'advance' NOT NULL,
	`billing_day` text DEFAULT 'anniversary' NOT NULL,
	`trial_end_date` text,
	`end_date` text,
	`setup_fee` integer,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`start_plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "service_billing_mode_ck" CHECK(billing_mode in ('advance', 'arrears')),
	CONSTRAINT "service_billing_period_ck" CHECK(billing_period_months is null or billing_period_months in (1, 2, 3, 6, 12)),
	CONSTRAINT "service_billing_day_ck" CHECK(billing_day in ('anniversary', 'last') or (cast(billing_day as integer) between 1 and 28 and billing_day = cast(cast(billing_day as integer) as text))),
	CONSTRAINT "service_billing_setup_ck" CHECK(setup_fee is null or setup_fee >= 0)
);
--> statement-breakpoint
CREATE TABLE `service_plan_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`plan_id` integer NOT NULL,
	`effective_date` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `service_plan_changes_service_ix` ON `service_plan_changes` (`service_id`,`effective_date`);--> statement-breakpoint
CREATE TABLE `service_suspensions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`from_date` text NOT NULL,
	`to_date` text,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "service_suspensions_ck" CHECK(to_date is null or to_date >= from_date)
);
--> statement-breakpoint
CREATE INDEX `service_suspensions_service_ix` ON `service_suspensions` (`service_id`);