ALTER TABLE `customers` ADD `language` text;--> statement-breakpoint
ALTER TABLE `admins` ADD `language` text;