import { defineConfig } from 'drizzle-kit';

// The PostgreSQL backend's migrations: generated from src/db/schema-pg, forward-only, committed in
// migrations-pg/ beside the SQLite ones (one folder per dialect; drizzle has no neutral schema).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema-pg/index.ts',
  out: './migrations-pg',
});
