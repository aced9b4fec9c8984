import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { createFixtures, VALID_INPUT } from '../helpers/api-fixtures.js';
import { concretePath, key, openApiDocument, operations, reachedHandler, requiredQuery, sample, type Fixtures, type Operation, type Schema } from '../helpers/openapi.js';

let t: TestApi;
let token: string;
let doc: Schema;
let fixtures: Fixtures;
const WALKER = { username: 'route-walker', password: 'walker-password-1' };

beforeAll(async () => {
  t = await testApi();
  token = await t.token('super-admin');
  fixtures = await createFixtures(t.app, token);
  await t.admin(WALKER.username, WALKER.password, 'admin');
  doc = await openApiDocument(t.app);
});
afterAll(async () => t.close());

const VALID: typeof VALID_INPUT = {
  ...VALID_INPUT,
  'POST /api/v1/auth/login': () => ({ body: WALKER }),
};

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(api.paths ?? {}).length).toBeGreaterThan(20);
  });

  it('documents every operation with a summary and a tag', () => {
    const missing = operations(doc).filter((o) => !o.op.summary || !o.op.tags?.length);
    expect(missing.map(key)).toEqual([]);
    // And a documented success response, files (PDF, CSV) included.
    const noSuccess = operations(doc).filter((o) => !Object.keys(o.op.responses ?? {}).some((s) => /^2/.test(s)));
    expect(noSuccess.map(key)).toEqual([]);
  });

  it('is served without authentication, and /api/docs too', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode).toBe(200);
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('route coverage', () => {
  /**
   * Every operation in the document is called with input valid for its schemas (the handler must run:
   * neither routing, nor auth, nor validation may answer) and must not fail with a 5xx. The answer may
   * still be a 404 or a 409 from the handler (a record in another state): that exercises the route.
   */
  it('calls every path and method of the document with valid input', async () => {
    const ops = operations(doc);
    // Reads first, then writes, deletes last (with ids that name nothing, so nothing is destroyed).
    const rank = (o: Operation) => ({ GET: 0, POST: 1, PUT: 1, PATCH: 1, DELETE: 2 })[o.method];
    ops.sort((a, b) => rank(a) - rank(b));
    const unreached: string[] = [];
    const failed: string[] = [];
    const outcomes: Record<string, number> = {};
    for (const o of ops) {
      const known = VALID[key(o)]?.(fixtures);
      const path = o.method === 'DELETE' ? concretePath(o.path, {}, o.op) : concretePath(o.path, fixtures, o.op);
      const url = (known?.path ?? path) + (known?.query ?? requiredQuery(o.op, fixtures));
      const body = known?.body ?? (o.body ? sample(o.body, fixtures) : undefined);
      const res = await t.app.inject({ method: o.method, url, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { payload: body as object } : {}) });
      const json = String(res.headers['content-type'] ?? '').includes('json') && res.body ? res.json() : undefined;
      outcomes[key(o)] = res.statusCode;
      if (res.statusCode >= 500) failed.push(`${key(o)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
      else if (!reachedHandler(res.statusCode, json)) unreached.push(`${key(o)} -> ${res.statusCode} ${json?.detail ?? ''} (body sent: ${JSON.stringify(body)})`);
    }
    const ok = Object.values(outcomes).filter((s) => s < 300).length;
    console.log(`route walk: ${ops.length} operations, ${ok} answered 2xx, ${ops.length - ok - unreached.length - failed.length} reached their handler with a 4xx`);
    // A route listed here is in the document but no test reaches its handler: add valid input to VALID.
    expect(unreached, 'operations not covered (add their valid input to VALID in tests/integration/api-openapi.test.ts)').toEqual([]);
    expect(failed, 'operations answering 5xx to valid input').toEqual([]);
  });
});
