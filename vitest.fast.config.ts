import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// `npm run test:fast`: what runs in about a minute with no daemon, no browser and no FreeRADIUS —
// pure unit tests, billing scenarios on a moved clock, and API tests through fastify's inject().
// The rest (UDP servers, the compiled daemon, radclient, Chromium) runs in `npm test`.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/scenarios/**/*.test.ts', 'tests/integration/api-*.test.ts'],
    // Left to `npm test`: radclient as a peer, a TLS listener, a RADIUS server on UDP.
    exclude: ['tests/unit/radius/radclient.test.ts', 'tests/integration/api-auth.test.ts', 'tests/integration/api-metrics.test.ts'],
    pool: 'forks',
    // One PostgreSQL server for the run, when installed (tests/helpers/pg-global.ts).
    globalSetup: ['tests/helpers/pg-global.ts'],
    // Every core: these files bind nothing and wait on nothing, so they never compete for a port.
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
