// The one place the UI talks to the API: fetch with the session cookie, the X-CSRF-Token header on
// writes, and problem+json answers turned into ApiError with per-field messages. The resource modules
// beside this file name the paths; pages call those, never this.
import { t } from '../i18n.js';
import type { Static } from 'typebox';
import type { ListQuery, ProblemSchema } from '../../../src/http/schemas.js';

/** One page of a list endpoint (cursor pagination). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** The paging every list endpoint takes. */
export type Paging = Static<typeof ListQuery>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field name (as the API names it: `name`, `lines.0.amount`) to its message. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

let csrf: string | undefined;
export function setCsrf(token: string | undefined): void {
  csrf = token;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function qs(query?: object): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The address of an API resource the browser opens itself (a PDF, a CSV download). */
export function apiUrl(path: string, query?: object): string {
  return `/api/v1${path}${qs(query)}`;
}

type Problem = Partial<Static<typeof ProblemSchema>>;

async function request<T>(method: string, path: string, body?: unknown, query?: object): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'network', t('http.noAnswer', { error: (err as Error).message }));
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const p = (data ?? {}) as Problem;
    const fields: Record<string, string> = {};
    for (const e of p.errors ?? []) fields[e.field] = fields[e.field] ? `${fields[e.field]}; ${e.message}` : e.message;
    const err = new ApiError(res.status, p.code ?? 'http_' + res.status, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, fields);
    if (res.status === 401 && !path.startsWith('/auth/')) window.dispatchEvent(new CustomEvent('tg-signed-out'));
    throw err;
  }
  return data as T;
}

export const http = {
  get: <T>(path: string, query?: object) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A form's body: the fields it collected, as the API names them. */
export type Body = Record<string, unknown>;
