ALTER TABLE "nas_actions" ADD COLUMN "error_message" text;--> statement-breakpoint
ALTER TABLE "job_state" ADD COLUMN "last_error_message" text;--> statement-breakpoint
ALTER TABLE "fiscal_documents" ADD COLUMN "last_error_message" text;