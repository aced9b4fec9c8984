ALTER TABLE "credit_note_lines" ADD COLUMN "line_key" text;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD COLUMN "service_id" bigint;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD COLUMN "period_start" text;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD COLUMN "period_end" text;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_note_lines_line_key_uq" ON "credit_note_lines" USING btree ("line_key");