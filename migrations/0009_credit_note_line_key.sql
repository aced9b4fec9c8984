ALTER TABLE `credit_note_lines` ADD `line_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_note_lines_line_key_uq` ON `credit_note_lines` (`line_key`);