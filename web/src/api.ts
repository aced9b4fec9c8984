// The one API client of the UI: fetch with the session cookie, the X-CSRF-Token header on writes,
// and problem+json answers turned into ApiError with per-field messages.

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Me {
  kind: 'session' | 'token';
  role: string;
  permissions: Record<string, 'read' | 'write' | 'none'>;
  admin?: { id: number; username: string; mustChangePassword: boolean; totpEnabled: boolean };
  csrfToken?: string;
  totpRequired: boolean;
  setupRequired: string | null;
  billing?: { timezone: string; currency: string };
}

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

type Query = Record<string, string | number | boolean | undefined | null>;

export function qs(query?: Query): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${qs(query)}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'network', `the server did not answer (${(err as Error).message})`);
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const p = (data ?? {}) as { code?: string; detail?: string; title?: string; errors?: Array<{ field: string; message: string }> };
    const fields: Record<string, string> = {};
    for (const e of p.errors ?? []) fields[e.field] = fields[e.field] ? `${fields[e.field]}; ${e.message}` : e.message;
    const err = new ApiError(res.status, p.code ?? 'http_' + res.status, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, fields);
    if (res.status === 401 && !path.startsWith('/auth/')) window.dispatchEvent(new CustomEvent('tg-signed-out'));
    throw err;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

// ---- Types of the answers the screens read (a subset of the OpenAPI document's).

export interface Customer { id: number; name: string; email: string | null; phone: string | null; address: string | null; taxId: string | null; notes: string; createdAt: string; updatedAt: string }
export interface Plan { id: number; name: string; type: 'recurring' | 'prepaid'; price: number; billingPeriodMonths: number | null; validityDays: number | null; downloadKbps: number; uploadKbps: number; taxRateBp: number; prepaidNoticeDays?: string | null; description: string }
export interface Nas { id: number; name: string; ipAddress: string; vendor: string; coaPort: number; nasIdentifier: string | null; description: string; snmpEnabled: boolean; routerosEnabled: boolean }
export interface Service { id: number; customerId: number; planId: number; username: string; status: string; startDate: string; macAddress: string | null; staticIp: string | null; simultaneousUse: number; expiresAt: string | null }
export interface Session { id: number; nasId: number | null; serviceId: number | null; username: string; framedIpAddress: string | null; callingStationId: string | null; startedAt: string; updatedAt: string; stoppedAt: string | null; active: boolean; sessionTime: number; inputOctets: number; outputOctets: number; terminateCause: string | null; acctSessionId: string }
export interface AuthLogEntry { id: number; at: string; nasId: number | null; serviceId: number | null; username: string; outcome: 'accept' | 'reject'; reason: string | null; method: string | null; callingStationId: string | null }
export interface Invoice { id: number; customerId: number; number: string; issueDate: string; dueDate: string; currency: string; net: number; tax: number; total: number; paid: number; credited: number; open: number; lines?: Array<{ key?: string; description: string; quantity?: number; amount?: number; total?: number }> }
export interface Payment { id: number; customerId: number; amount: number; method: string; reference: string | null; receivedAt: string; date: string; refunded: number }
export interface PlanChange { id: number; planId: number; effectiveDate: string; createdAt: string; appliedAt: string | null }
/** GET /services/{id}/billing (a subset): the contract terms with the dated plan changes. */
export interface ServiceTerms { serviceId?: number; planChanges: PlanChange[] }
export interface Statement { customerId: number; currency: string; openingBalance: number; closingBalance?: number; entries: Array<{ date: string; type: string; id: number; number: string | null; amount: number; balance: number }> }
export interface NasAction { id: number; serviceId: number | null; nasId: number | null; kind: string; outcome: string; reason?: string | null; by: string; createdAt: string; answeredAt: string | null; error?: string | null }
export interface ActionSummary { [k: string]: unknown }
export interface AuditEntry { id: number; at: string; actor: string; actorIp: string | null; action: string; entity: string; entityId: string | null; before: unknown; after: unknown }
export interface Dashboard {
  at: string; today: string; currency: string; online: number; customers: number;
  services: { active: number; suspended: number; total: number };
  auth: Array<{ minute: string; accept: number; reject: number }>;
  revenue: { thisMonth: number; lastMonth: number; invoicedThisMonth: number; invoicedLastMonth: number };
  overdue: { count: number; total: number };
  nas: { up: number; down: number; unknown: number; total: number };
  traffic: { todayBytes: number; monthBytes: number };
}
