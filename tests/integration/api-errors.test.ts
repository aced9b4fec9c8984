// A domain error reaching a route outside the billing API answers its catalogued status through the
// app's one error handler, never 500. The probe routes sit in their own plugin, as every route group
// of build() does, and let real domain functions throw.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import { buildCreditNote } from '../../src/domain/billing/payments.js';
import type { App } from '../../src/http/build.js';
import { parseDate } from '../../src/lib/calendar.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { RouterOsError } from '../../src/nas/routeros/errors.js';
import { buildApp } from '../helpers/app.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;

const line = { key: 'service:1:period:2026-05-01', description: 'May', amount: 1000, taxRateBp: 2200, taxInclusive: false, net: 1000, tax: 220, gross: 1220 };

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  ({ app } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, logger: false }));
  await app.register(async (probe) => {
    probe.get('/probe/date', async () => parseDate('2026-02-30', 'startDate'));
    probe.get('/probe/credit-note', async () => {
      const previous = [{ creditsKey: line.key, description: line.description, amount: 1000, taxRateBp: 2200, taxInclusive: false, net: 1000, tax: 220, gross: 1220 }];
      return buildCreditNote([line], { kind: 'lines', lines: [{ key: line.key }] }, previous);
    });
    probe.get('/probe/router', async () => Promise.reject(new RouterOsError('routeros_timeout', '/ppp/active/print: no complete reply within 5000 ms')));
    probe.get('/probe/bug', async () => {
      throw new RangeError('an index out of range');
    });
  });
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

describe('domain errors outside the billing API', () => {
  it('answer their catalogued status with the field at fault', async () => {
    const date = await get('/probe/date');
    expect(date.status, JSON.stringify(date.body)).toBe(422);
    expect(date.type).toMatch(/^application\/problem\+json/);
    expect(date.body).toMatchObject({ status: 422, code: 'invalid_date', title: 'Invalid date', errors: [{ field: 'startDate' }] });

    const note = await get('/probe/credit-note');
    expect(note.status, JSON.stringify(note.body)).toBe(409);
    expect(note.body).toMatchObject({ code: 'credit_note_line_exhausted', errors: [{ field: 'lines' }] });

    const router = await get('/probe/router');
    expect(router.status, JSON.stringify(router.body)).toBe(504);
    expect(router.body).toMatchObject({ code: 'routeros_timeout', status: 504 });
  });

  it('leave 500 to errors that are not TollgateErrors', async () => {
    const bug = await get('/probe/bug');
    expect(bug.status).toBe(500);
    expect(bug.body).toMatchObject({ code: 'internal', status: 500 });
  });

  it('keep the problem shape on the real routes', async () => {
    const missing = await get('/api/v1/invoices/9999');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not_found', status: 404, title: 'Not found' });
  });
});
