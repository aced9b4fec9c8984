-- The auth log's per-subscriber index buckets shrink from 262,144 ids (id >> 18) to 8,192 (id >> 13).
-- A batch of the indexer writes about every page of the buckets it touches, so with big buckets only
-- big batches were cheap: 100,000 rows every 10 s, some 250 ms of CPU at a time on the core that
-- answers RADIUS, which halved its speed for half a second. With small buckets a batch of 2,048
-- rows costs less per row (2.0 against 2.3 us of CPU, bench/auth-log-writes.mjs) and takes a few
-- milliseconds, so the writer indexes every 100 ms. Readers walk more buckets (one probe each,
-- newest first, src/db/logs.ts). The shift (13) is AUTH_LOG_BUCKET_SHIFT in src/db/auth-log-index.ts.
CREATE TABLE `__new_auth_log_by_service` (
	`bucket` integer NOT NULL,
	`service_id` integer NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`bucket`, `service_id`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_service` (`bucket`, `service_id`, `auth_log_id`) SELECT `auth_log_id` >> 13, `service_id`, `auth_log_id` FROM `auth_log_by_service` ORDER BY 1, 2, 3;--> statement-breakpoint
DROP TABLE `auth_log_by_service`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_service` RENAME TO `auth_log_by_service`;--> statement-breakpoint
CREATE TABLE `__new_auth_log_by_username` (
	`bucket` integer NOT NULL,
	`username` text NOT NULL,
	`auth_log_id` integer NOT NULL,
	PRIMARY KEY(`bucket`, `username`, `auth_log_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_log_by_username` (`bucket`, `username`, `auth_log_id`) SELECT `auth_log_id` >> 13, `username`, `auth_log_id` FROM `auth_log_by_username` ORDER BY 1, 2, 3;--> statement-breakpoint
DROP TABLE `auth_log_by_username`;--> statement-breakpoint
ALTER TABLE `__new_auth_log_by_username` RENAME TO `auth_log_by_username`;
