ALTER TABLE `plans` ADD `prepaid_notice_days` text;--> statement-breakpoint
ALTER TABLE `service_plan_changes` ADD `applied_at` text;
--> statement-breakpoint
-- A change effective on or before the day it was recorded was applied then (changePlan switches the
-- plan at once): only changes recorded ahead of their date are left for the plan-changes job.
UPDATE `service_plan_changes` SET `applied_at` = `created_at` WHERE `effective_date` <= substr(`created_at`, 1, 10);
