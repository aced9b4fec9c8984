/**
 * Walking the API from its own OpenAPI document: the operations, a valid sample for a schema, and the
 * fixtures a path parameter or an id field points at. The route-coverage test and the bad-input
 * sweep both derive their requests from here, so a route someone adds is covered without a new test.
 */
import type { App } from '../../src/http/build.js';

export type Schema = Record<string, any>;

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As in the document: `/api/v1/customers/{id}`. */
  path: string;
  op: Schema;
  body?: Schema | undefined;
  bodyRequired: boolean;
}

export async function openApiDocument(app: App): Promise<Schema> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json: ${res.statusCode}`);
  return res.json();
}

export function operations(doc: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const body = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      out.push({ method: method.toUpperCase() as Operation['method'], path, op, body, bodyRequired: Boolean(op.requestBody?.required) });
    }
  }
  return out;
}

export const key = (o: Pick<Operation, 'method' | 'path'>) => `${o.method} ${o.path}`;

/** Ids of records that exist, by the resource a path or a field names. */
export type Fixtures = Record<string, number>;

/** `/api/v1/customers/{id}` -> fixtures.customers; unknown resources get an id that names nothing. */
export function concretePath(path: string, fixtures: Fixtures, op?: Schema): string {
  const resource = /^\/api\/v1\/([^/]+)\/\{/.exec(path)?.[1] ?? '';
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const param = (op?.parameters as Schema[] | undefined)?.find((p) => p.in === 'path' && p.name === name);
    if (name === 'id') return String(fixtures[resource] ?? 999_999);
    if (/date$/i.test(name)) return '2026-01-01';
    if (/id$/i.test(name)) return String(fixtures[name.replace(/Id$/, 's')] ?? 999_999);
    return encodeURIComponent(String(sample(param?.schema ?? { type: 'string' }, fixtures, name)));
  });
}

/** The query string with every required parameter sampled. */
export function requiredQuery(op: Schema, fixtures: Fixtures): string {
  const params = ((op.parameters as Schema[] | undefined) ?? []).filter((p) => p.in === 'query' && p.required);
  const q = new URLSearchParams();
  for (const p of params) q.set(p.name, String(sample(p.schema ?? { type: 'string' }, fixtures, p.name)));
  const s = q.toString();
  return s ? `?${s}` : '';
}

let unique = 0;

const PATTERN_CANDIDATES = ['123456', 'abc12345', 'user-1', '+39 333 1234567', '2026-01-01', 'ABC123', 'a', '1', 'ok', 'aa:bb:cc:dd:ee:ff', '10.0.0.1', '12:00', '02:00'];

function sampleString(s: Schema, name: string): string {
  if (s.format === 'date') return '2026-01-15';
  if (s.format === 'date-time') return '2026-01-15T10:00:00.000Z';
  if (s.format === 'email') return `someone${++unique}@example.com`;
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/';
  if (s.format === 'ipv4') return '192.0.2.10';
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 64;
  const fit = (v: string) => (v.length < min ? v + 'x'.repeat(min - v.length) : v).slice(0, Math.max(max, min));
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    const named = [`${name}${++unique}`, `${name}-${unique}`];
    for (const c of [...named, ...PATTERN_CANDIDATES]) if (re.test(fit(c))) return fit(c);
  }
  if (/ip(address)?$/i.test(name)) return '192.0.2.10';
  if (/mac/i.test(name)) return 'aa:bb:cc:dd:ee:ff';
  if (/currency/i.test(name)) return 'EUR';
  return fit(`${name || 'text'}-${++unique}`);
}

/**
 * A value the schema accepts: defaults and examples first, required object properties only, fields
 * named like ids pointing at fixtures, unique strings so that unique columns do not collide.
 */
export function sample(s: Schema, fixtures: Fixtures, name = ''): unknown {
  if (!s || typeof s !== 'object') return null;
  if (s.example !== undefined) return s.example;
  if (s.examples?.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (branches) {
    const nonNull = branches.filter((b) => b.type !== 'null');
    return sample(nonNull[0] ?? branches[0]!, fixtures, name);
  }
  if (s.allOf) return Object.assign({}, ...(s.allOf as Schema[]).map((b) => sample(b, fixtures, name)));
  if (s.default !== undefined) return s.default;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of (s.required as string[] | undefined) ?? []) out[k] = sample(s.properties?.[k] ?? {}, fixtures, k);
      const need = (s.minProperties ?? 0) - Object.keys(out).length;
      if (need > 0) for (const k of Object.keys(s.properties ?? {}).filter((k) => !(k in out)).slice(0, need)) out[k] = sample(s.properties[k], fixtures, k);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(s.minItems ?? 0, 1) }, () => sample(s.items ?? {}, fixtures, name));
    case 'integer':
    case 'number': {
      const idRef = /^(\w+)Id$/.exec(name)?.[1];
      if (idRef && fixtures[`${idRef}s`] !== undefined) return fixtures[`${idRef}s`];
      if (idRef === 'nas' && fixtures.nas !== undefined) return fixtures.nas;
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? Number(s.exclusiveMinimum) + 1 : 1);
      return s.maximum !== undefined ? Math.min(Math.max(lo, 1), s.maximum) : Math.max(lo, 1);
    }
    case 'boolean':
      return false;
    case 'string':
      return sampleString(s, name);
    case 'null':
      return null;
    default:
      return s.properties ? sample({ ...s, type: 'object' }, fixtures, name) : 'x';
  }
}

/** Whether a response came from the handler (not from routing, auth, or schema validation). */
export function reachedHandler(status: number, body: Schema | undefined): boolean {
  if (status === 401 || status === 403) return false;
  if (status === 404 && typeof body?.detail === 'string' && body.detail.startsWith('no route for')) return false;
  if ((status === 400 || status === 422) && typeof body?.detail === 'string' && /^invalid (body|query|path|headers):/.test(body.detail)) return false;
  return true;
}
