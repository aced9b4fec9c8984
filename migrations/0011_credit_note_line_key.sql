ALTER TABLE `credit_note_lines` ADD `line_key` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `service_id` integer;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `period_start` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `period_end` text;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_note_lines_line_key_uq` ON `credit_note_lines` (`line_key`);