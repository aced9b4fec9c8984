CREATE TABLE `admins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`totp_secret_enc` text,
	`must_change_password` integer DEFAULT false NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`last_login_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admins_username_uq` ON `admins` (`username`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`role` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	`last_used_at` text,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_uq` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`actor_ip` text,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_ix` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_log_at_ix` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `auth_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`nas_id` integer,
	`service_id` integer,
	`username` text NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`method` text,
	`calling_station_id` text,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "auth_log_outcome_ck" CHECK(outcome in ('accept', 'reject'))
);
--> statement-breakpoint
CREATE INDEX `auth_log_at_ix` ON `auth_log` (`at`);--> statement-breakpoint
CREATE INDEX `auth_log_username_ix` ON `auth_log` (`username`,`at`);--> statement-breakpoint
CREATE INDEX `auth_log_service_ix` ON `auth_log` (`service_id`,`at`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`phone` text,
	`address` text,
	`tax_id` text,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customers_name_ix` ON `customers` (`name`);--> statement-breakpoint
CREATE INDEX `customers_email_ix` ON `customers` (`email`);--> statement-breakpoint
CREATE INDEX `customers_phone_ix` ON `customers` (`phone`);--> statement-breakpoint
CREATE TABLE `nas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`ip_address` text NOT NULL,
	`nas_identifier` text,
	`secret_enc` text NOT NULL,
	`vendor` text DEFAULT 'generic' NOT NULL,
	`coa_port` integer DEFAULT 3799 NOT NULL,
	`require_message_authenticator` integer DEFAULT true NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "nas_vendor_ck" CHECK(vendor in ('mikrotik', 'generic')),
	CONSTRAINT "nas_coa_port_ck" CHECK(coa_port between 1 and 65535)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nas_name_uq` ON `nas` (`name`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`price` integer NOT NULL,
	`billing_period_months` integer,
	`validity_days` integer,
	`setup_fee` integer DEFAULT 0 NOT NULL,
	`tax_rate_bp` integer DEFAULT 0 NOT NULL,
	`tax_inclusive` integer DEFAULT true NOT NULL,
	`download_kbps` integer NOT NULL,
	`upload_kbps` integer NOT NULL,
	`burst_download_kbps` integer,
	`burst_upload_kbps` integer,
	`burst_threshold_download_kbps` integer,
	`burst_threshold_upload_kbps` integer,
	`burst_time_seconds` integer,
	`data_cap_bytes` integer,
	`cap_action` text,
	`throttle_download_kbps` integer,
	`throttle_upload_kbps` integer,
	`framed_pool` text,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "plans_type_ck" CHECK(type in ('recurring', 'prepaid')),
	CONSTRAINT "plans_price_ck" CHECK(price >= 0 and setup_fee >= 0),
	CONSTRAINT "plans_period_ck" CHECK((type = 'recurring' and billing_period_months in (1, 2, 3, 6, 12) and validity_days is null)
        or (type = 'prepaid' and validity_days >= 1 and billing_period_months is null)),
	CONSTRAINT "plans_cap_action_ck" CHECK(cap_action is null or cap_action in ('block', 'throttle')),
	CONSTRAINT "plans_speed_ck" CHECK(download_kbps > 0 and upload_kbps > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_name_uq` ON `plans` (`name`);--> statement-breakpoint
CREATE TABLE `radius_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nas_id` integer,
	`acct_session_id` text NOT NULL,
	`service_id` integer,
	`username` text NOT NULL,
	`nas_ip_address` text,
	`nas_port` text,
	`framed_ip_address` text,
	`calling_station_id` text,
	`called_station_id` text,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`stopped_at` text,
	`session_time` integer DEFAULT 0 NOT NULL,
	`input_octets` integer DEFAULT 0 NOT NULL,
	`output_octets` integer DEFAULT 0 NOT NULL,
	`interim_interval` integer,
	`terminate_cause` text,
	FOREIGN KEY (`nas_id`) REFERENCES `nas`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `radius_sessions_key_uq` ON `radius_sessions` (`nas_id`,`acct_session_id`);--> statement-breakpoint
CREATE INDEX `radius_sessions_open_ix` ON `radius_sessions` (`stopped_at`);--> statement-breakpoint
CREATE INDEX `radius_sessions_username_ix` ON `radius_sessions` (`username`);--> statement-breakpoint
CREATE INDEX `radius_sessions_service_ix` ON `radius_sessions` (`service_id`);--> statement-breakpoint
CREATE TABLE `services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`plan_id` integer NOT NULL,
	`username` text NOT NULL,
	`password_enc` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`start_date` text NOT NULL,
	`mac_address` text,
	`static_ip` text,
	`ipv6_prefix` text,
	`delegated_ipv6_prefix` text,
	`simultaneous_use` integer DEFAULT 1 NOT NULL,
	`expires_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "services_status_ck" CHECK(status in ('proposal', 'active', 'suspended', 'ended', 'free')),
	CONSTRAINT "services_simultaneous_ck" CHECK(simultaneous_use >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `services_username_uq` ON `services` (`username`);--> statement-breakpoint
CREATE INDEX `services_customer_ix` ON `services` (`customer_id`);--> statement-breakpoint
CREATE INDEX `services_plan_ix` ON `services` (`plan_id`);--> statement-breakpoint
CREATE INDEX `services_mac_ix` ON `services` (`mac_address`);--> statement-breakpoint
CREATE INDEX `services_static_ip_ix` ON `services` (`static_ip`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
