DROP INDEX `notification_templates_key_uq`;--> statement-breakpoint
ALTER TABLE `notification_templates` ADD `language` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `notification_templates_key_language_uq` ON `notification_templates` (`key`,`channel`,`language`);