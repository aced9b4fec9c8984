/**
 * The database schema, one file per subsystem. Instants are ISO 8601 UTC text
 * (`2026-11-22T15:00:00.000Z`), calendar dates are `YYYY-MM-DD` text in the billing time zone, money
 * is integer minor units. `text({ enum })` makes no CHECK constraint in drizzle, so every enum has an
 * explicit `check()`. Migrations are generated from these files by drizzle-kit (`npm run db:generate`)
 * into migrations/.
 */
export * from './subscribers.js';
export * from './radius.js';
export * from './billing.js';
export * from './security.js';
export * from './nas.js';
export * from './notify.js';
export * from './jobs.js';
export * from './einvoice.js';
