// A full disk, as SQLite itself meets one: `PRAGMA max_page_count` caps the database file at its
// current size, so the next write that needs a new page fails with SQLITE_FULL (the code a full
// file system gives). Then /healthz answers 503 with the reason, API writes answer 503
// storage_unavailable, and both recover once a commit succeeds again.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import type { AcctRecord, AcctWriter } from '../../src/db/radius.js';
import { tokenStore } from '../../src/db/security.js';
import { StorageHealth } from '../../src/db/storage-health.js';
import { createAccountingWriter } from '../../src/db/writer-thread.js';
import type { App } from '../../src/http/build.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { buildApp } from '../helpers/app.js';
import { tempDir } from '../helpers/daemon.js';

let app: App;
let db: Db;
let token: string;
let writer: AcctWriter;

beforeAll(async () => {
  db = openDatabase({ path: join(tempDir(), 'full.db'), synchronous: 'normal' });
  await migrate(db.$client);
  // Built as src/main.ts builds them: one storage-health state for the accounting writer and the API.
  const storage = new StorageHealth(sqlOf(db));
  writer = createAccountingWriter(db, { storage });
  ({ app } = await buildApp({ db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, storage }));
  token = (await tokenStore(sqlOf(db)).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
});
afterAll(async () => {
  await app.close();
  await writer.close();
  db.$client.close();
});

const diskFull = () => db.$client.pragma(`max_page_count = ${db.$client.pragma('page_count', { simple: true }) as number}`);
const diskFreed = () => db.$client.pragma('max_page_count = 1073741823');

async function health() {
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  return { status: res.statusCode, body: res.json() };
}

let n = 0;
/** A customer with a large note: its row needs new pages. */
async function createCustomer() {
  n++;
  const res = await app.inject({
    method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` },
    payload: { name: `Full Disk ${n}`, notes: 'x'.repeat(9000) },
  });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

let nasId = 0;
function acct(i: number): AcctRecord {
  return {
    kind: 'start', nasId, acctSessionId: `full-${i}-${'s'.repeat(200)}`, username: `nobody-${i}-${'u'.repeat(200)}`, at: new Date().toISOString(),
    day: '2026-12-06', nasIpAddress: '192.0.2.1', nasPort: null, framedIpAddress: null, callingStationId: null, calledStationId: null,
    sessionTime: null, inputOctets: null, outputOctets: null, terminateCause: null, interimInterval: null, serviceId: null,
  };
}

describe('storage health', () => {
  it('API writes answer 503 storage_unavailable on a full disk, and /healthz says why until a commit succeeds', async () => {
    expect((await createCustomer()).status).toBe(201);
    expect((await health()).status).toBe(200);

    diskFull();
    let full: Awaited<ReturnType<typeof createCustomer>> | undefined;
    for (let i = 0; i < 50 && !full; i++) {
      const res = await createCustomer();
      if (res.status !== 201) full = res;
    }
    expect(full?.status, JSON.stringify(full?.body)).toBe(503);
    expect(full!.type).toMatch(/^application\/problem\+json/);
    expect(full!.body).toMatchObject({ status: 503, code: 'storage_unavailable', title: 'Storage unavailable' });
    expect(full!.body.detail).toMatch(/storage unavailable/);

    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.status).toBe('degraded');
    expect(h.body.checks.storage).toBe(false);
    expect(h.body.storage.reason).toMatch(/^API POST \/api\/v1\/customers: .*\(SQLITE_FULL\)$/);
    expect(Date.parse(h.body.storage.since)).not.toBeNaN();

    // A read that succeeds commits nothing: still unhealthy.
    expect((await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await health()).status).toBe(503);

    diskFreed();
    expect((await createCustomer()).status).toBe(201);
    const after = await health();
    expect(after.status).toBe(200);
    expect(after.body.checks.storage).toBe(true);
    expect(after.body.storage).toBeUndefined();
  });

  it('a failed accounting commit makes /healthz answer 503 until an accounting commit succeeds', async () => {
    const nas = await app.inject({
      method: 'POST', url: '/api/v1/nas', headers: { authorization: `Bearer ${token}` },
      payload: { name: 'tower-1', ipAddress: '192.0.2.1', secret: 'a-long-shared-secret', vendor: 'mikrotik' },
    });
    expect(nas.statusCode).toBe(201);
    nasId = nas.json().id;
    await writer.accounting(acct(0));
    expect((await health()).status).toBe(200);

    diskFull();
    let failure: unknown;
    for (let i = 1; i < 200 && failure === undefined; i++) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => acct(i * 100 + j)).map((r) => writer.accounting(r))).catch((e: unknown) => (failure = e));
    }
    expect((failure as { code?: string }).code).toBe('SQLITE_FULL');
    expect(writer.stats.failures).toBeGreaterThan(0);
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.storage.reason).toMatch(/^accounting commit: .*\(SQLITE_FULL\)$/);

    diskFreed();
    await writer.accounting(acct(1_000_000));
    expect((await health()).status).toBe(200);
  });
});
