-- The auth log's per-subscriber indexes are keyed by bucket first: the auth-log id's block of
-- 262,144 rows (id >> 18). The indexer's sorted batches then write only the newest bucket's pages;
-- keyed by subscriber alone, each batch rewrote pages across the whole index, and its cost per row
-- grew with the log (6.9 us a row at 2.3 million rows, 2.4 us bucketed). Readers walk the buckets
-- newest first (src/db/logs.ts). The shift (18) is AUTH_LOG_BUCKET_SHIFT in src/db/auth-log-index.ts.
CREATE TABLE `__new_auth_log_by_service` (
	`bucket` integer NOT NULL,
	`service_id` integer NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`bucket`, `service_id`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_service` (`bucket`, `service_id`, `auth_log_id`) SELECT `auth_log_id` >> 18, `service_id`, `auth_log_id` FROM `auth_log_by_service` ORDER BY 1, 2, 3;--> statement-breakpoint
DROP TABLE `auth_log_by_service`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_service` RENAME TO `auth_log_by_service`;--> statement-breakpoint
CREATE TABLE `__new_auth_log_by_username` (
	`bucket` integer NOT NULL,
	`username` text NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`bucket`, `username`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_username` (`bucket`, `username`, `auth_log_id`) SELECT `auth_log_id` >> 18, `username`, `auth_log_id` FROM `auth_log_by_username` ORDER BY 1, 2, 3;--> statement-breakpoint
DROP TABLE `auth_log_by_username`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_username` RENAME TO `auth_log_by_username`;
