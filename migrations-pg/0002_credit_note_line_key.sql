ALTER TABLE "credit_note_lines" ADD COLUMN "line_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_note_lines_line_key_uq" ON "credit_note_lines" USING btree ("line_key");