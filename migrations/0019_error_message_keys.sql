ALTER TABLE `nas_actions` ADD `error_message` text;--> statement-breakpoint
ALTER TABLE `job_state` ADD `last_error_message` text;--> statement-breakpoint
ALTER TABLE `fiscal_documents` ADD `last_error_message` text;