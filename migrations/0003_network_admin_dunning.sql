CREATE TABLE `admin_recovery_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`admin_id` integer NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` text,
	FOREIGN KEY (`admin_id`) REFERENCES `admins`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admin_recovery_codes_uq` ON `admin_recovery_codes` (`admin_id`,`code_hash`);--> statement-breakpoint
CREATE TABLE `admin_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id_hash` text NOT NULL,
	`admin_id` integer NOT NULL,
	`stage` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`ip` text,
	`user_agent` text,
	FOREIGN KEY (`admin_id`) REFERENCES `admins`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "admin_sessions_stage_ck" CHECK(stage in ('totp', 'full'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admin_sessions_hash_uq` ON `admin_sessions` (`id_hash`);--> statement-breakpoint
CREATE INDEX `admin_sessions_admin_ix` ON `admin_sessions` (`admin_id`);--> statement-breakpoint
CREATE TABLE `auth_log_by_service` (
	`service_id` integer NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`service_id`, `auth_log_id`)
);
--> statement-breakpoint
CREATE TABLE `auth_log_by_username` (
	`username` text NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`username`, `auth_log_id`)
);
--> statement-breakpoint
CREATE TABLE `auth_log_index_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`upto` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "auth_log_index_state_one_ck" CHECK(id = 1)
);
--> statement-breakpoint
CREATE TABLE `billing_profiles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`days_until_due` integer DEFAULT 14 NOT NULL,
	`reminders` text DEFAULT '[]' NOT NULL,
	`late_fee_amount` integer,
	`late_fee_after_days` integer,
	`late_fee_tax_rate_bp` integer DEFAULT 0 NOT NULL,
	`grace_days` integer,
	`suspend_mode` text,
	`quiet_weekdays` text DEFAULT '[6,7]' NOT NULL,
	`quiet_dates` text DEFAULT '[]' NOT NULL,
	`office_hours_start` text,
	`office_hours_end` text,
	`bill_suspended` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "billing_profiles_mode_ck" CHECK(suspend_mode is null or suspend_mode in ('reject', 'walled-garden')),
	CONSTRAINT "billing_profiles_days_ck" CHECK(days_until_due >= 0 and (grace_days is null or grace_days >= 0) and (late_fee_amount is null or late_fee_amount > 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_profiles_name_uq` ON `billing_profiles` (`name`);--> statement-breakpoint
CREATE TABLE `admin_roles` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`permissions` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `data_topups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`period_start` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "data_topups_bytes_ck" CHECK(bytes > 0)
);
--> statement-breakpoint
CREATE INDEX `data_topups_service_ix` ON `data_topups` (`service_id`,`period_start`);--> statement-breakpoint
CREATE TABLE `dunning_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`customer_id` integer NOT NULL,
	`invoice_id` integer,
	`service_id` integer,
	`kind` text NOT NULL,
	`step` integer,
	`date` text NOT NULL,
	`at` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`resolved_at` text,
	CONSTRAINT "dunning_events_kind_ck" CHECK(kind in ('reminder', 'late_fee', 'suspend', 'resume'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dunning_events_key_uq` ON `dunning_events` (`key`);--> statement-breakpoint
CREATE INDEX `dunning_events_customer_ix` ON `dunning_events` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `dunning_events_service_ix` ON `dunning_events` (`service_id`,`kind`);--> statement-breakpoint
CREATE TABLE `job_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_state` (
	`name` text PRIMARY KEY NOT NULL,
	`last_date` text,
	`last_started_at` text,
	`last_finished_at` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_error_at` text,
	`failed_date` text,
	`next_retry_at` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_failure_at` text NOT NULL,
	`locked_until` text
);
--> statement-breakpoint
CREATE TABLE `nas_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`actor` text NOT NULL,
	`service_id` integer,
	`session_id` integer,
	`acct_session_id` text NOT NULL,
	`username` text NOT NULL,
	`nas_id` integer,
	`target` text,
	`request` text NOT NULL,
	`outcome` text DEFAULT 'pending' NOT NULL,
	`error_cause` integer,
	`error_cause_name` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`retries` integer DEFAULT 0 NOT NULL,
	`via` text DEFAULT 'coa' NOT NULL,
	`fallback_of` integer,
	`created_at` text NOT NULL,
	`answered_at` text,
	`confirmed_at` text,
	`check_at` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`session_id`) REFERENCES `radius_sessions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "nas_actions_kind_ck" CHECK(kind in ('disconnect', 'coa')),
	CONSTRAINT "nas_actions_outcome_ck" CHECK(outcome in ('pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed')),
	CONSTRAINT "nas_actions_via_ck" CHECK(via in ('coa', 'routeros'))
);
--> statement-breakpoint
CREATE INDEX `nas_actions_service_ix` ON `nas_actions` (`service_id`,`id`);--> statement-breakpoint
CREATE INDEX `nas_actions_nas_ix` ON `nas_actions` (`nas_id`,`id`);--> statement-breakpoint
CREATE INDEX `nas_actions_outcome_ix` ON `nas_actions` (`outcome`,`id`);--> statement-breakpoint
CREATE TABLE `nas_interfaces` (
	`nas_id` integer NOT NULL,
	`if_index` integer NOT NULL,
	`name` text NOT NULL,
	`in_octets` text NOT NULL,
	`out_octets` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`nas_id`, `if_index`),
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `nas_reconciliations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nas_id` integer NOT NULL,
	`trigger` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text NOT NULL,
	`outcome` text NOT NULL,
	`error` text,
	`router_sessions` integer DEFAULT 0 NOT NULL,
	`our_sessions` integer DEFAULT 0 NOT NULL,
	`matched` integer DEFAULT 0 NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`closed` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`items` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "nas_reconciliations_trigger_ck" CHECK(trigger in ('schedule', 'api')),
	CONSTRAINT "nas_reconciliations_outcome_ck" CHECK(outcome in ('ok', 'error'))
);
--> statement-breakpoint
CREATE INDEX `nas_reconciliations_nas_ix` ON `nas_reconciliations` (`nas_id`,`id`);--> statement-breakpoint
CREATE TABLE `nas_status` (
	`nas_id` integer PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'unknown' NOT NULL,
	`last_poll_at` text,
	`last_seen_at` text,
	`uptime_seconds` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "nas_status_state_ck" CHECK(state in ('unknown', 'up', 'down'))
);
--> statement-breakpoint
CREATE TABLE `nas_traffic_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nas_id` integer NOT NULL,
	`if_index` integer NOT NULL,
	`at` text NOT NULL,
	`seconds` integer NOT NULL,
	`in_octets` integer NOT NULL,
	`out_octets` integer NOT NULL,
	`in_bps` integer NOT NULL,
	`out_bps` integer NOT NULL,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `nas_traffic_samples_nas_at_ix` ON `nas_traffic_samples` (`nas_id`,`at`);--> statement-breakpoint
CREATE INDEX `nas_traffic_samples_at_ix` ON `nas_traffic_samples` (`at`);--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer,
	`service_id` integer,
	`template` text NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` text NOT NULL,
	`dedupe_key` text,
	`created_at` text NOT NULL,
	`sent_at` text,
	CONSTRAINT "notification_outbox_status_ck" CHECK(status in ('queued', 'sending', 'sent', 'failed')),
	CONSTRAINT "notification_outbox_channel_ck" CHECK(channel in ('email', 'sms'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_outbox_dedupe_uq` ON `notification_outbox` (`dedupe_key`,`channel`);--> statement-breakpoint
CREATE INDEX `notification_outbox_due_ix` ON `notification_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notification_outbox_customer_ix` ON `notification_outbox` (`customer_id`,`id`);--> statement-breakpoint
CREATE TABLE `notification_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`channel` text NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`body` text NOT NULL,
	`delay_minutes` integer DEFAULT 0 NOT NULL,
	`send_from` text,
	`send_until` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "notification_templates_channel_ck" CHECK(channel in ('email', 'sms'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_templates_key_uq` ON `notification_templates` (`key`,`channel`);--> statement-breakpoint
CREATE TABLE `plan_cap_tiers` (
	`plan_id` integer NOT NULL,
	`position` integer NOT NULL,
	`from_bytes` integer NOT NULL,
	`download_kbps` integer NOT NULL,
	`upload_kbps` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `position`),
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "plan_cap_tiers_ck" CHECK(position between 1 and 3 and from_bytes > 0 and download_kbps > 0 and upload_kbps > 0)
);
--> statement-breakpoint
CREATE TABLE `prepaid_topups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`source` text NOT NULL,
	`days` integer NOT NULL,
	`previous_expires_at` text,
	`expires_at` text NOT NULL,
	`payment_id` integer,
	`invoice_id` integer,
	`voucher_id` integer,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "prepaid_topups_source_ck" CHECK(source in ('payment', 'voucher', 'admin')),
	CONSTRAINT "prepaid_topups_days_ck" CHECK(days >= 1)
);
--> statement-breakpoint
CREATE INDEX `prepaid_topups_service_ix` ON `prepaid_topups` (`service_id`);--> statement-breakpoint
CREATE TABLE `promotions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`description` text NOT NULL,
	`value_type` text NOT NULL,
	`percent_bp` integer,
	`amount` integer,
	`start_date` text NOT NULL,
	`periods` integer,
	`plan_id` integer,
	`service_ids` text,
	`applies_to_new` integer DEFAULT false NOT NULL,
	`new_until` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "promotions_value_ck" CHECK((value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)),
	CONSTRAINT "promotions_periods_ck" CHECK(periods is null or periods >= 1),
	CONSTRAINT "promotions_target_ck" CHECK((plan_id is not null and service_ids is null) or (plan_id is null and service_ids is not null and applies_to_new = 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `promotions_key_uq` ON `promotions` (`key`);--> statement-breakpoint
CREATE TABLE `service_cap_state` (
	`service_id` integer PRIMARY KEY NOT NULL,
	`period_start` text NOT NULL,
	`tier` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `service_notices` (
	`service_id` integer NOT NULL,
	`key` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`service_id`, `key`),
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `voucher_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`plan_id` integer NOT NULL,
	`count` integer NOT NULL,
	`code_length` integer NOT NULL,
	`price` integer NOT NULL,
	`valid_until` text,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "voucher_batches_ck" CHECK(count between 1 and 100000 and code_length between 10 and 32 and price >= 0)
);
--> statement-breakpoint
CREATE TABLE `vouchers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`batch_id` integer NOT NULL,
	`code` text NOT NULL,
	`redeemed_at` text,
	`service_id` integer,
	`redeemed_by` text,
	FOREIGN KEY (`batch_id`) REFERENCES `voucher_batches`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vouchers_code_uq` ON `vouchers` (`code`);--> statement-breakpoint
CREATE INDEX `vouchers_batch_ix` ON `vouchers` (`batch_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_auth_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`nas_id` integer,
	`service_id` integer,
	`username` text NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`method` text,
	`calling_station_id` text,
	CONSTRAINT "auth_log_outcome_ck" CHECK(outcome in ('accept', 'reject'))
);
--> statement-breakpoint
INSERT INTO `__new_auth_log`("id", "at", "nas_id", "service_id", "username", "outcome", "reason", "method", "calling_station_id") SELECT "id", "at", "nas_id", "service_id", "username", "outcome", "reason", "method", "calling_station_id" FROM `auth_log`;--> statement-breakpoint
DROP TABLE `auth_log`;--> statement-breakpoint
ALTER TABLE `__new_auth_log` RENAME TO `auth_log`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `auth_log_at_ix` ON `auth_log` (`at`);--> statement-breakpoint
CREATE TABLE `__new_invoice_lines` (
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
	CONSTRAINT "invoice_lines_kind_ck" CHECK(kind in ('recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount', 'early_termination')),
	CONSTRAINT "invoice_lines_sum_ck" CHECK(net + tax = gross)
);
--> statement-breakpoint
INSERT INTO `__new_invoice_lines`("id", "invoice_id", "customer_id", "position", "key", "kind", "service_id", "description", "period_start", "period_end", "bill_date", "amount", "tax_rate_bp", "tax_inclusive", "net", "tax", "gross", "applies_to") SELECT "id", "invoice_id", "customer_id", "position", "key", "kind", "service_id", "description", "period_start", "period_end", "bill_date", "amount", "tax_rate_bp", "tax_inclusive", "net", "tax", "gross", "applies_to" FROM `invoice_lines`;--> statement-breakpoint
DROP TABLE `invoice_lines`;--> statement-breakpoint
ALTER TABLE `__new_invoice_lines` RENAME TO `invoice_lines`;--> statement-breakpoint
CREATE UNIQUE INDEX `invoice_lines_key_uq` ON `invoice_lines` (`key`);--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice_ix` ON `invoice_lines` (`invoice_id`,`position`);--> statement-breakpoint
CREATE INDEX `invoice_lines_customer_ix` ON `invoice_lines` (`customer_id`);--> statement-breakpoint
ALTER TABLE `admins` ADD `totp_confirmed_at` text;--> statement-breakpoint
ALTER TABLE `admins` ADD `totp_last_step` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `billing_profile_id` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `dunning_exempt` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `discounts` ADD `promotion_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `discounts_promotion_service_uq` ON `discounts` (`promotion_id`,`service_id`);--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_enabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_host` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_port` integer;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_tls` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_username` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_password_enc` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `routeros_fingerprint256` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_enabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_host` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_port` integer;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_version` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_community_enc` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_v3_user` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_v3_auth_key_enc` text;--> statement-breakpoint
ALTER TABLE `nas` ADD `snmp_v3_priv_key_enc` text;--> statement-breakpoint
ALTER TABLE `plans` ADD `suspension_mode` text;--> statement-breakpoint
ALTER TABLE `radius_sessions` ADD `origin` text;--> statement-breakpoint
ALTER TABLE `service_billing` ADD `term_months` integer;--> statement-breakpoint
ALTER TABLE `service_billing` ADD `auto_renew` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `service_billing` ADD `notice_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `service_billing` ADD `notice_date` text;--> statement-breakpoint
ALTER TABLE `service_suspensions` ADD `mode` text;--> statement-breakpoint
CREATE INDEX `services_expires_ix` ON `services` (`expires_at`);