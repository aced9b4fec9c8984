ALTER TABLE "nas_actions" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "nas_actions" ADD COLUMN "claim_expires_at" text;--> statement-breakpoint
ALTER TABLE "nas_actions" ADD COLUMN "claim_token" integer DEFAULT 0 NOT NULL;