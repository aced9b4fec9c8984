import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests bind real UDP/TCP ports and spawn the daemon: keep files in one fork each
    // and give slow machines room.
    pool: 'forks',
    // One PostgreSQL server for the run, when installed (tests/helpers/pg-global.ts).
    globalSetup: ['tests/helpers/pg-global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
