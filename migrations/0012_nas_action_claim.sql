ALTER TABLE `nas_actions` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `nas_actions` ADD `claim_expires_at` text;--> statement-breakpoint
ALTER TABLE `nas_actions` ADD `claim_token` integer DEFAULT 0 NOT NULL;