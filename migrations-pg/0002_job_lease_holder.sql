ALTER TABLE "job_leases" ADD COLUMN "host" text;--> statement-breakpoint
ALTER TABLE "job_leases" ADD COLUMN "boot_id" text;--> statement-breakpoint
ALTER TABLE "job_leases" ADD COLUMN "pid" integer;