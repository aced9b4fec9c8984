ALTER TABLE `job_leases` ADD `host` text;--> statement-breakpoint
ALTER TABLE `job_leases` ADD `boot_id` text;--> statement-breakpoint
ALTER TABLE `job_leases` ADD `pid` integer;