ALTER TABLE "plans" ADD COLUMN "vat_nature" text;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "vat_legal_ref" text;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD COLUMN "vat_nature" text;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD COLUMN "vat_legal_ref" text;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "vat_nature" text;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "vat_legal_ref" text;--> statement-breakpoint
ALTER TABLE "one_off_charges" ADD COLUMN "vat_nature" text;--> statement-breakpoint
ALTER TABLE "one_off_charges" ADD COLUMN "vat_legal_ref" text;--> statement-breakpoint
ALTER TABLE "recurring_items" ADD COLUMN "vat_nature" text;--> statement-breakpoint
ALTER TABLE "recurring_items" ADD COLUMN "vat_legal_ref" text;