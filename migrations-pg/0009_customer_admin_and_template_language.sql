DROP INDEX "notification_templates_key_uq";--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "admins" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD COLUMN "language" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_templates_key_language_uq" ON "notification_templates" USING btree ("key","channel","language");