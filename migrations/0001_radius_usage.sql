CREATE TABLE `usage_daily` (
	`service_id` integer NOT NULL,
	`day` text NOT NULL,
	`input_octets` integer DEFAULT 0 NOT NULL,
	`output_octets` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`service_id`, `day`),
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `radius_sessions_service_ix`;--> statement-breakpoint
CREATE INDEX `radius_sessions_nas_open_ix` ON `radius_sessions` (`nas_id`,`stopped_at`);--> statement-breakpoint
CREATE INDEX `radius_sessions_service_ix` ON `radius_sessions` (`service_id`,`stopped_at`);