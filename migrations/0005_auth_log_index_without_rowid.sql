-- The auth log's per-subscriber indexes become WITHOUT ROWID tables: their primary key is all they
-- hold, and as rowid tables every entry was written twice (the table and its primary-key index).
-- Each login's entry is added in the indexer's sorted batches, whose cost is the pages they touch.
CREATE TABLE `__new_auth_log_by_service` (
	`service_id` integer NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`service_id`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_service` (`service_id`, `auth_log_id`) SELECT `service_id`, `auth_log_id` FROM `auth_log_by_service` ORDER BY `service_id`, `auth_log_id`;--> statement-breakpoint
DROP TABLE `auth_log_by_service`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_service` RENAME TO `auth_log_by_service`;--> statement-breakpoint
CREATE TABLE `__new_auth_log_by_username` (
	`username` text NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`username`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_username` (`username`, `auth_log_id`) SELECT `username`, `auth_log_id` FROM `auth_log_by_username` ORDER BY `username`, `auth_log_id`;--> statement-breakpoint
DROP TABLE `auth_log_by_username`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_username` RENAME TO `auth_log_by_username`;
