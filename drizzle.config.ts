import { defineConfig } from 'drizzle-kit';

// Migrations are generated SQL, forward-only, committed in migrations/ and applied by src/db/migrate.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
});
