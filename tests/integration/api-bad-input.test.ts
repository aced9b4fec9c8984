/**
 * The bad-input sweep: every write route of the OpenAPI document that takes a JSON body gets wrong
 * types, missing required fields, unknown fields, values past their limits, broken JSON and an
 * oversized body. Each must be a 4xx application/problem+json naming the field at fault, and leave the
 * database exactly as it was (every table, audit log included). Cases come from the document's own
 * schemas, so a route added later is swept without touching this file.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { createFixtures, VALID_INPUT } from '../helpers/api-fixtures.js';
import { concretePath, key, openApiDocument, operations, sample, type Fixtures, type Operation, type Schema } from '../helpers/openapi.js';

let t: TestApi;
let token: string;
let doc: Schema;
let fixtures: Fixtures;

beforeAll(async () => {
  t = await testApi();
  token = await t.token('super-admin');
  fixtures = await createFixtures(t.app, token);
  doc = await openApiDocument(t.app);
  // The token's last-use stamp is written at most once a minute: take that write now.
  await t.app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` } });
});
afterAll(async () => t.close());

/**
 * Tables the daemon keeps up in the background, whatever the requests: the auth log's
 * per-subscriber indexes and their mark, moved by the indexer once rows are ten seconds old.
 */
const BACKGROUND = new Set(['auth_log_index_state', 'auth_log_by_service', 'auth_log_by_username']);

/** Columns that change on reads by design (last use of a token or session). */
const VOLATILE = /^(last_used_at|last_seen_at|last_seen|seen_at)$/;

/** One digest per table of every row, on either backend: what "the database unchanged" is compared on. */
async function checksum(): Promise<Map<string, string>> {
  const list = t.sql.dialect === 'sqlite'
    ? `select name as "name" from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`
    : `select table_name as "name" from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const tables = (await t.sql.all<{ name: string }>(list)).map((r) => r.name).filter((n) => !BACKGROUND.has(n));
  const out = new Map<string, string>();
  for (const name of tables) {
    const h = createHash('sha256');
    // Rows sorted: PostgreSQL returns a table in whatever order its pages hold, which an update of a
    // volatile column (a token's last use) changes without changing the contents.
    const rows = (await t.sql.all<Record<string, unknown>>(`select * from "${name}"`)).map((row) =>
      Object.entries(row).filter(([k]) => !VOLATILE.test(k)).map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? v.toString('hex') : String(v)};`).join(''));
    for (const row of rows.sort()) h.update(`${row}\n`);
    out.set(name, h.digest('hex'));
  }
  return out;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
}

const typesOf = (s: Schema): string[] => {
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).flatMap(typesOf);
  if (s.enum) return [...new Set((s.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)))];
  if (s.const !== undefined) return [typeof s.const === 'number' ? 'number' : typeof s.const];
  if (!s.type) return ['any'];
  return [s.type].flat().map((x: string) => (x === 'integer' ? 'number' : x));
};

/** A value of a JSON type the schema does not accept at all, or undefined when it accepts any. */
function wrongType(s: Schema): unknown {
  const types = typesOf(s);
  if (types.includes('any')) return undefined;
  const candidates: [string, unknown][] = [['number', 12345], ['string', 'not-a-valid-value'], ['object', { nested: true }], ['boolean', true], ['array', ['x']]];
  return candidates.find(([ty]) => !types.includes(ty))?.[1];
}

/** Routes where a reference case cannot be built from a valid base, and why. */
const REFERENCE_UNCHECKED: Record<string, string> = {
  'POST /api/v1/vouchers/redeem': 'the voucher code is checked first and there is no voucher fixture',
};

interface Case {
  name: string;
  field: string;
  payload: string | object;
  contentType?: string;
  status?: number;
}

function cases(o: Operation, bodyLimit: number): Case[] {
  const schema = o.body!;
  const base = (VALID_INPUT[key(o)]?.(fixtures).body ?? sample(schema, fixtures)) as Record<string, unknown>;
  const out: Case[] = [];
  out.push({ name: 'not JSON', field: 'body', payload: '{"broken": ', contentType: 'application/json', status: 400 });
  out.push({ name: 'oversized body', field: 'body', payload: JSON.stringify({ x: 'x'.repeat(bodyLimit + 16) }), contentType: 'application/json', status: 413 });
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  if (schema.type === 'object' || schema.properties) {
    out.push({ name: 'unknown field', field: 'zzUnknownField', payload: { ...base, zzUnknownField: 1 } });
    for (const p of (schema.required as string[] | undefined) ?? []) {
      const copy = { ...base };
      delete copy[p];
      out.push({ name: `missing ${p}`, field: p, payload: copy });
    }
    for (const [p, ps] of Object.entries(props)) {
      const wrong = wrongType(ps);
      if (wrong !== undefined) out.push({ name: `wrong type ${p}`, field: p, payload: { ...base, [p]: wrong } });
      const str = [ps, ...((ps.anyOf ?? []) as Schema[])].find((x) => x.type === 'string' && x.maxLength !== undefined && x.maxLength < 1_000_000);
      if (str) out.push({ name: `${p} too long`, field: p, payload: { ...base, [p]: 'x'.repeat(str.maxLength + 1) } });
      const num = [ps, ...((ps.anyOf ?? []) as Schema[])].find((x) => (x.type === 'integer' || x.type === 'number') && x.maximum !== undefined);
      if (num) out.push({ name: `${p} above maximum`, field: p, payload: { ...base, [p]: num.maximum + 1 } });
      // Valid for the schema, wrong for the handler: a reference to a record that does not exist.
      const idType = [ps, ...((ps.anyOf ?? []) as Schema[])].some((x) => x.type === 'integer');
      if (/Id$/.test(p) && idType && !REFERENCE_UNCHECKED[key(o)]) out.push({ name: `${p} names nothing`, field: p, payload: { ...base, [p]: 999_999 } });
      const item = ps.type === 'array' ? (ps.items as Schema | undefined) : undefined;
      if (item?.properties) {
        const good = sample(item, fixtures) as Record<string, unknown>;
        out.push({ name: `unknown field in ${p}[0]`, field: `${p}.0.zzUnknownField`, payload: { ...base, [p]: [{ ...good, zzUnknownField: 1 }] } });
      }
    }
  } else {
    out.push({ name: 'not an object', field: 'body', payload: JSON.stringify(12345), contentType: 'application/json' });
  }
  return out;
}

describe('bad input on every write route of the OpenAPI document', () => {
  it('is refused with a problem naming the field, and changes nothing', async () => {
    const writes = operations(doc).filter((o) => o.method !== 'GET' && o.body);
    expect(writes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let n = 0;
    for (const o of writes) {
      const url = concretePath(o.path, fixtures, o.op);
      for (const c of cases(o, t.config.http.body_limit_bytes)) {
        n++;
        const before = await checksum();
        const res = await t.app.inject({
          method: o.method,
          url,
          headers: { authorization: `Bearer ${token}`, ...(c.contentType ? { 'content-type': c.contentType } : {}) },
          payload: c.payload as string,
        });
        const changed = changedTables(before, await checksum());
        const where = `${key(o)} [${c.name}]`;
        const type = String(res.headers['content-type'] ?? '');
        const body = type.includes('json') ? (JSON.parse(res.body || 'null') as Schema | null) : null;
        const fields = ((body?.errors ?? []) as { field: string }[]).map((e) => e.field);
        if (changed.length) failures.push(`${where}: changed ${changed.join(', ')} (answered ${res.statusCode})`);
        if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`${where}: answered ${res.statusCode} ${res.body.slice(0, 160)}`);
        else if (c.status && res.statusCode !== c.status) failures.push(`${where}: answered ${res.statusCode}, expected ${c.status}`);
        else if (!type.startsWith('application/problem+json')) failures.push(`${where}: content-type ${type}`);
        else if (body?.status !== res.statusCode || typeof body?.title !== 'string' || typeof body?.detail !== 'string') failures.push(`${where}: not a problem document ${res.body.slice(0, 160)}`);
        else if (!fields.some((f) => f === c.field || f.startsWith(`${c.field}.`))) failures.push(`${where}: errors name ${JSON.stringify(fields)}, not ${c.field} (${body.detail})`);
      }
    }
    console.log(`bad-input sweep: ${writes.length} write routes, ${n} cases, ${failures.length} failures`);
    expect(failures).toEqual([]);
  }, 300_000);
});
