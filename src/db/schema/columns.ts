import { sql } from 'drizzle-orm';
import { text } from 'drizzle-orm/sqlite-core';

// CHECK constraints name columns unqualified: a qualified `"nas"."vendor"` breaks the
// CREATE __new_x / RENAME table rebuild that drizzle-kit generates for later migrations.

/** The current instant as SQLite writes it: ISO 8601 UTC with milliseconds. */
export const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const timestamps = {
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
};
