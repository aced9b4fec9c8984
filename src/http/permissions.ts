/**
 * Who may do what in the API: areas with read or write access, the built-in roles' grants, and the
 * one table that maps every /api/v1 route to the area and access it needs. Pure: no I/O.
 *
 * GET and HEAD need read, every other method write, unless a rule says otherwise. A route that no
 * rule maps fails closed: only a super-admin reaches it (and a test lists every registered route and
 * fails when one is unmapped).
 */
// The areas sit beside the schemas that list them (the UI reads those): declared once, there.
import { areas } from './admin-schemas.js';

export { areas };

export type Area = (typeof areas)[number];
export type Access = 'read' | 'write';
/** What a role may do: per area, read or write (write includes read); an area not named: nothing. */
export type Grants = Partial<Record<Area, Access>>;

export const builtInRoleNames = ['super-admin', 'admin', 'finance', 'support', 'read-only'] as const;
export type BuiltInRole = (typeof builtInRoleNames)[number];

const all = (access: Access): Grants => Object.fromEntries(areas.map((a) => [a, access])) as Grants;

export const builtInRoles: Record<BuiltInRole, { description: string; grants: Grants }> = {
  'super-admin': { description: 'everything, including admins, roles, tokens and routes no rule maps', grants: all('write') },
  admin: { description: "runs the ISP: writes every area but admins (read); reads subscribers' passwords back", grants: { ...all('write'), admins: 'read' } },
  finance: {
    description: 'billing and payments; reads customers, services and sessions',
    grants: { billing: 'write', payments: 'write', customers: 'read', services: 'read', sessions: 'read', nas: 'read' },
  },
  support: {
    description: 'customers and services; reads billing, payments, routers and sessions',
    grants: { customers: 'write', services: 'write', billing: 'read', payments: 'read', nas: 'read', sessions: 'read' },
  },
  'read-only': {
    description: "reads every area but admins, the audit log and subscribers' passwords",
    grants: { customers: 'read', services: 'read', billing: 'read', payments: 'read', nas: 'read', sessions: 'read', settings: 'read' },
  },
};

export function isBuiltInRole(name: string): name is BuiltInRole {
  return (builtInRoleNames as readonly string[]).includes(name);
}

/** What a route needs. `self`: any signed-in actor (own account); `public`: no one needs to sign in. */
export type Requirement = { area: Area; access: Access } | { area: 'self' | 'public'; access?: undefined };

interface Rule {
  /** Route pattern as fastify keeps it (`/api/v1/services/:id/suspend`): a prefix (whole segments) or a RegExp. */
  path: string | RegExp;
  /** Only these methods; all when absent. */
  methods?: readonly string[];
  /** The area, or a function of the RegExp match for rules that cover several areas. */
  area: Area | 'self' | 'public' | ((m: RegExpExecArray) => Area | undefined);
  /** Overrides the method's default access. */
  access?: Access;
}

/** Which area each CSV export belongs to, by file name. */
const exportAreas: Record<string, Area> = {
  'invoices.csv': 'billing',
  'credit-notes.csv': 'billing',
  'payments.csv': 'payments',
  'customers.csv': 'customers',
  'services.csv': 'services',
  'sessions.csv': 'sessions',
  'auth-log.csv': 'sessions',
  'audit-log.csv': 'audit',
  'fiscal-archive.zip': 'billing',
};

/** First match wins: specific rules before the prefixes they refine. */
const rules: Rule[] = [
  // Own account: login is public; the rest needs only a session or token (checked in the handlers).
  { path: '/api/v1/auth/login', methods: ['POST'], area: 'public' },
  { path: '/api/v1/auth', area: 'self' },
  // The e-invoicing intermediary's webhook authenticates by its own header token (src/http/routes/einvoice.ts).
  { path: '/api/v1/einvoice/webhooks/acube', methods: ['POST'], area: 'public' },

  // Actions that are writes of one area although they sit under another's path or use POST to read.
  { path: '/api/v1/billing/run', methods: ['POST'], area: 'billing', access: 'write' },
  { path: /^\/api\/v1\/services\/:[^/]+\/(suspend|resume|disconnect|reconnect|coa|kick)$/, area: 'services', access: 'write' },
  // Printed voucher codes are money: reading them takes what creating them takes.
  { path: /^\/api\/v1\/vouchers\/batches\/:[^/]+\/vouchers\.(csv|pdf)$/, area: 'billing', access: 'write' },
  // A subscriber's password in clear: its own permission, whatever the method.
  { path: /^\/api\/v1\/services\/:[^/]+\/password\/reveal$/, area: 'secrets', access: 'read' },
  // The onboarding commands carry the NAS's RADIUS secret: only for those who may change the NAS.
  { path: /^\/api\/v1\/nas\/:[^/]+\/onboarding$/, area: 'nas', access: 'write' },
  { path: /^\/api\/v1\/services\/:[^/]+\/(billing|plan-changes|items|charges|discounts|contract|termination|cancel)\b/, area: 'billing' },
  { path: /^\/api\/v1\/services\/:[^/]+\/(sessions|usage|auth-log|traffic|radius-drops)\b/, area: 'sessions' },
  { path: /^\/api\/v1\/services\/:[^/]+\/(topups?|data-topups)\b/, area: 'billing' },
  { path: /^\/api\/v1\/customers\/:[^/]+\/(statement|invoices|balance|account|credit|billing-profile)\b/, area: 'billing' },
  { path: /^\/api\/v1\/customers\/:[^/]+\/payments\b/, area: 'payments' },
  { path: /^\/api\/v1\/exports\/([^/]+)$/, area: (m) => exportAreas[m[1]!] },

  // Whole resources by path prefix.
  { path: '/api/v1/customers', area: 'customers' },
  { path: '/api/v1/search', area: 'customers' },
  { path: '/api/v1/notifications', area: 'customers' },
  { path: '/api/v1/services', area: 'services' },
  { path: '/api/v1/plans', area: 'billing' },
  { path: '/api/v1/invoices', area: 'billing' },
  { path: '/api/v1/credit-notes', area: 'billing' },
  { path: '/api/v1/fiscal-documents', area: 'billing' },
  { path: '/api/v1/recurring-items', area: 'billing' },
  { path: '/api/v1/charges', area: 'billing' },
  { path: '/api/v1/discounts', area: 'billing' },
  { path: '/api/v1/promotions', area: 'billing' },
  { path: '/api/v1/billing', area: 'billing' },
  { path: '/api/v1/billing-profiles', area: 'billing' },
  { path: '/api/v1/dunning', area: 'billing' },
  { path: '/api/v1/vouchers', area: 'billing' },
  { path: '/api/v1/topups', area: 'billing' },
  { path: '/api/v1/data-topups', area: 'billing' },
  { path: '/api/v1/payments', area: 'payments' },
  { path: '/api/v1/refunds', area: 'payments' },
  { path: '/api/v1/nas', area: 'nas' },
  { path: '/api/v1/actions', area: 'nas' },
  { path: '/api/v1/radius-drops', area: 'nas' },
  { path: '/api/v1/dashboard', area: 'sessions' }, // the admin UI's front page (H6)
  { path: '/api/v1/sessions', area: 'sessions' },
  { path: '/api/v1/auth-log', area: 'sessions' },
  { path: '/api/v1/usage', area: 'sessions' },
  { path: '/api/v1/settings', area: 'settings' },
  { path: '/api/v1/templates', area: 'settings' },
  { path: '/api/v1/notification-templates', area: 'settings' },
  { path: '/api/v1/jobs', area: 'settings' },
  { path: '/api/v1/admins', area: 'admins' },
  { path: '/api/v1/roles', area: 'admins' },
  { path: '/api/v1/tokens', area: 'admins' },
  { path: '/api/v1/audit-log', area: 'audit' },
];

function matches(rule: Rule, method: string, url: string): RegExpExecArray | boolean {
  if (rule.methods && !rule.methods.includes(method)) return false;
  if (typeof rule.path === 'string') return url === rule.path || url.startsWith(rule.path + '/');
  return rule.path.exec(url) ?? false;
}

/**
 * The area and access a route needs, from its method and its pattern (`req.routeOptions.url`), or
 * undefined when no rule maps it (then only a super-admin may call it).
 */
export function routeRequirement(method: string, url: string): Requirement | undefined {
  const m = method.toUpperCase();
  const path = url.split('?')[0]!.replace(/\/+$/, '');
  for (const rule of rules) {
    const hit = matches(rule, m, path);
    if (!hit) continue;
    if (rule.area === 'self' || rule.area === 'public') return { area: rule.area };
    const area = typeof rule.area === 'function' ? rule.area(hit as RegExpExecArray) : rule.area;
    if (!area) return undefined;
    const access: Access = rule.access ?? (m === 'GET' || m === 'HEAD' ? 'read' : 'write');
    return { area, access };
  }
  return undefined;
}

/** Whether grants allow an access to an area. */
export function allows(grants: Grants, area: Area, access: Access): boolean {
  const have = grants[area];
  return have === 'write' || (have === 'read' && access === 'read');
}

/**
 * The decision for a route: `self` routes are open to any signed-in actor; an unmapped route only to
 * a super-admin.
 */
export function mayCall(role: string, grants: Grants, req: Requirement | undefined): boolean {
  if (!req) return role === 'super-admin';
  if (req.access === undefined) return true; // self or public
  return allows(grants, req.area, req.access);
}

/** Whether `inner` grants nothing beyond `outer`: an actor may hand out only what it holds itself. */
export function isWithin(inner: Grants, outer: Grants): boolean {
  return areas.every((a) => {
    const want = inner[a];
    return !want || allows(outer, a, want);
  });
}

/** Parses a stored or submitted grants object, keeping only known areas and access values. */
export function parseGrants(value: unknown): { grants: Grants; bad?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { grants: {}, bad: 'permissions' };
  const grants: Grants = {};
  for (const [k, v] of Object.entries(value)) {
    if (!(areas as readonly string[]).includes(k)) return { grants, bad: `permissions.${k}` };
    if (v === 'none') continue;
    if (v !== 'read' && v !== 'write') return { grants, bad: `permissions.${k}` };
    grants[k as Area] = v;
  }
  return { grants };
}

/** Every area with its access (`none` where not granted), for API answers. */
export function fullGrants(grants: Grants): Record<Area, Access | 'none'> {
  return Object.fromEntries(areas.map((a) => [a, grants[a] ?? 'none'])) as Record<Area, Access | 'none'>;
}

/**
 * Whether an actor may give a role to an admin or token (or act on one that holds it): only a
 * super-admin hands out super-admin, and nobody hands out more than they hold.
 */
export function mayHandOut(actor: { role: string; grants: Grants }, role: string, grants: Grants): boolean {
  if (actor.role === 'super-admin') return true;
  if (role === 'super-admin') return false;
  return isWithin(grants, actor.grants);
}
