ALTER TABLE `plans` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `plans` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `credit_note_lines` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `one_off_charges` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `one_off_charges` ADD `vat_legal_ref` text;--> statement-breakpoint
ALTER TABLE `recurring_items` ADD `vat_nature` text;--> statement-breakpoint
ALTER TABLE `recurring_items` ADD `vat_legal_ref` text;