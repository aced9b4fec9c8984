// Imports only typebox and the other schema modules: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';
import { ListQuery } from './schemas.js';

/**
 * Schemas of the network side of a NAS: the action log of CoA and Disconnect requests, RouterOS
 * reconciliation, SNMP status and traffic, onboarding and the CoA self-test.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
const Instant = Type.String({ format: 'date-time' });

// ---- actions

const Outcome = Type.Union(
  // Written out, not mapped from a list: the union of literals is then the TypeScript type too.
  [Type.Literal('pending'), Type.Literal('acked'), Type.Literal('nak'), Type.Literal('timeout'), Type.Literal('failed'), Type.Literal('confirmed'), Type.Literal('unconfirmed')],
  {
    description:
      'pending: in flight; acked: the NAS said yes, accounting has not confirmed it yet; nak: refused (see errorCause); timeout: no answer; failed: could not be sent; confirmed: accounting showed the Stop (Disconnect) or a packet after the ACK (CoA); unconfirmed: ACKed, retried once, never confirmed',
  },
);
const Kind = Type.Union([Type.Literal('disconnect'), Type.Literal('coa')]);

export const ActionSummarySchema = Type.Object({
  serviceId: Id,
  actions: Type.Array(Type.Object({ id: Id, kind: Kind, sessionId: Type.String({ description: 'Acct-Session-Id' }), outcome: Outcome })),
});

export const NasAction = Type.Object({
  id: Id,
  kind: Kind,
  reason: Type.String({ description: 'why, in English (or as typed by the admin who asked)' }),
  reasonCode: Nullable(Type.String({ description: "the reason's key in the UI's message catalogue (e.g. reason.action.overdue), to word it in the reader's language; null: none (older rows, a reason typed by hand)" })),
  reasonValues: Nullable(Type.Record(Type.String(), Type.String(), { description: 'the values the keyed message takes' })),
  by: Type.String({ description: 'who asked: token:5, admin:3, system:dunning...' }),
  serviceId: Nullable(Id),
  customerId: Type.Optional(Nullable(Id)),
  customerName: Type.Optional(Nullable(Type.String({ description: "the service's customer (lists); null without a service" }))),
  sessionId: Nullable(Type.Integer({ description: 'the radius session record (GET /api/v1/sessions)' })),
  acctSessionId: Type.String(),
  username: Type.String(),
  nasId: Nullable(Id),
  target: Nullable(Type.String({ description: 'ip:port the request went to' })),
  request: Type.Object(
    {
      session: Type.Object({}, { additionalProperties: true, description: 'userName, acctSessionId, framedIpAddress, nasIpAddress as sent' }),
      attributes: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number()])), { description: 'what a CoA changed: [name, value] pairs' }),
    },
    { description: 'the request as sent, besides Event-Timestamp and Message-Authenticator' },
  ),
  outcome: Outcome,
  errorCause: Nullable(Type.Integer({ description: 'RFC 5176 Error-Cause of a NAK' })),
  errorCauseName: Nullable(Type.String()),
  error: Nullable(Type.String({ description: 'why it failed besides a NAK, in English (the router\'s or the network\'s own words as they said them)' })),
  errorMessages: Nullable(Type.Array(Type.Object({ key: Type.String(), values: Type.Record(Type.String(), Type.String()) }), {
    description: "`error` by the UI's message catalogue keys (actionError.*), one entry per part, to word it in the reader's language; null: none (no error, or an older row)",
  })),
  attempts: Type.Integer({ description: 'transmissions in all, retransmissions and the confirmation retry included' }),
  retries: Type.Integer({ description: 'confirmation retries (0 or 1)' }),
  via: Type.Union([Type.Literal('coa'), Type.Literal('routeros')]),
  fallbackOf: Nullable(Type.Integer({ description: 'the NAKed CoA this Disconnect falls back from' })),
  createdAt: Instant,
  answeredAt: Nullable(Instant),
  confirmedAt: Nullable(Instant),
  updatedAt: Instant,
});

export const ActionQuery = Type.Object(
  {
    ...ListQuery.properties,
    serviceId: Type.Optional(Id),
    nasId: Type.Optional(Id),
    outcome: Type.Optional(Outcome),
    kind: Type.Optional(Kind),
  },
  { additionalProperties: false },
);

export const ActionBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'why, as the action log shows it' })) }, { additionalProperties: false }),
  Type.Null(),
]);

// ---- reconciliation, SNMP, onboarding, self-test

export const ReconcileItem = Type.Object({
  action: Type.Union([Type.Literal('created'), Type.Literal('closed'), Type.Literal('skipped')]),
  side: Type.Union([Type.Literal('router'), Type.Literal('ours')], { description: 'router: on the router, missing here; ours: open here, missing on the router' }),
  kind: Type.Optional(Type.Union([Type.Literal('ppp'), Type.Literal('hotspot')])),
  username: Type.String(),
  address: Type.Optional(Type.String()),
  callerId: Type.Optional(Type.String()),
  acctSessionId: Type.Optional(Type.String()),
  reason: Type.String(),
});
export const Reconciliation = Type.Object({
  id: Type.Integer(),
  nasId: Type.Integer(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('api')]),
  startedAt: Instant,
  finishedAt: Instant,
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('error')], { description: 'error: the router could not be read; nothing was changed' }),
  error: Nullable(Type.String()),
  routerSessions: Type.Integer(),
  ourSessions: Type.Integer(),
  matched: Type.Integer(),
  created: Type.Integer({ description: 'sessions the router had and we lacked, now open here (origin "reconciliation")' }),
  closed: Type.Integer({ description: 'sessions open here that the router no longer had, now closed (terminate cause "Reconciliation")' }),
  skipped: Type.Integer({ description: 'differences left alone (younger than the grace period, or a write that failed)' }),
  items: Type.Array(ReconcileItem),
});

export const ReconciliationQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })) }, { additionalProperties: false });
export const ReconciliationList = Type.Object({ items: Type.Array(Reconciliation) });

/** SNMP state of a NAS (`GET /api/v1/nas/{id}/status`). */
export const NasStatus = Type.Object({
  nasId: Type.Integer(),
  snmpEnabled: Type.Boolean(),
  state: Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')], { description: 'down after [nas] snmp_down_after_failures failed polls in a row' }),
  lastPollAt: Nullable(Instant),
  lastSeenAt: Nullable(Instant),
  uptimeSeconds: Nullable(Type.Integer({ description: 'sysUpTime at the last answer' })),
  consecutiveFailures: Type.Integer(),
  lastError: Nullable(Type.String({ description: 'why the last poll failed, in English; null after an answer' })),
  lastErrorCode: Nullable(Type.String({ description: "`lastError` by the UI's message catalogue key (nas.snmpTimeout, nas.snmpAuth, nas.snmpError, nas.snmpIncomplete), to word it in the reader's language; null: none, or an older row" })),
  lastErrorValues: Nullable(Type.Record(Type.String(), Type.String(), { description: "the key's values (`seconds`, or the agent's own `words`)" })),
  interfaces: Type.Array(
    Type.Object({
      ifIndex: Type.Integer(),
      name: Type.String(),
      inOctets: Type.String({ description: 'ifHCInOctets (Counter64, decimal)' }),
      outOctets: Type.String({ description: 'ifHCOutOctets (Counter64, decimal)' }),
      at: Instant,
    }),
  ),
});

export const TrafficQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 24 hours before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    ifIndex: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000, default: 10_000 })),
  },
  { additionalProperties: false },
);
export const Traffic = Type.Object({
  nasId: Type.Integer(),
  from: Instant,
  to: Instant,
  items: Type.Array(
    Type.Object({
      ifIndex: Type.Integer(),
      at: Instant,
      seconds: Type.Integer({ description: 'length of the interval ending at `at`' }),
      inOctets: Type.Integer(),
      outOctets: Type.Integer(),
      inBps: Type.Integer({ description: 'average bits per second in' }),
      outBps: Type.Integer(),
    }),
  ),
});

export const OnboardingQuery = Type.Object(
  { routerosVersion: Type.Optional(Type.Union([Type.Literal('6'), Type.Literal('7')], { default: '7', description: '7: with require-message-auth=yes (RouterOS 7.15+)' })) },
  { additionalProperties: false },
);
export const Onboarding = Type.Object({
  nasId: Type.Integer(),
  serverAddress: Type.String(),
  authPort: Type.Integer(),
  acctPort: Type.Integer(),
  coaPort: Type.Integer(),
  commands: Type.Array(Type.String(), { description: 'paste into the RouterOS terminal, in order' }),
  script: Type.String({ description: 'the same commands, one per line' }),
  warnings: Type.Array(Type.String(), { description: 'in English' }),
  warningMessages: Type.Array(Type.Object({ key: Type.String(), values: Type.Record(Type.String(), Type.String()) }), {
    description: "the same warnings by the UI's message catalogue keys (onboarding.*), to word them in the reader's language",
  }),
});

export const SelfTest = Type.Object({
  result: Type.Union([Type.Literal('answered'), Type.Literal('no_answer'), Type.Literal('bad_authenticator')]),
  ok: Type.Boolean({ description: 'CoA works end to end (an ACK, or a NAK such as 503 Session-Context-Not-Found)' }),
  reply: Type.Optional(Type.Union([Type.Literal('ack'), Type.Literal('nak')])),
  errorCause: Type.Optional(Type.Integer()),
  errorCauseName: Type.Optional(Type.String()),
  host: Type.String(),
  port: Type.Integer(),
  attempts: Type.Integer(),
  rttMs: Type.Number(),
  acctSessionId: Type.String({ description: 'the made-up session the test asked to disconnect' }),
  hint: Type.String(),
});
