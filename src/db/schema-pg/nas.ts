import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { identity } from './columns.js';
import { services } from './subscribers.js';
import { nas, radiusSessions } from './radius.js';

// ---- NAS: RouterOS reconciliation and SNMP polling ------------------------------------------------

/** One reconciliation run of a NAS's active sessions against ours, with what it found and fixed. */
export const nasReconciliations = pgTable(
  'nas_reconciliations',
  {
    id: identity('id'),
    nasId: bigint('nas_id', { mode: 'number' })
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    trigger: text('trigger', { enum: ['schedule', 'api'] }).notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at').notNull(),
    outcome: text('outcome', { enum: ['ok', 'error'] }).notNull(),
    error: text('error'),
    routerSessions: integer('router_sessions').notNull().default(0),
    ourSessions: integer('our_sessions').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    created: integer('created').notNull().default(0),
    closed: integer('closed').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    /** JSON array of the sessions created, closed or skipped, each with the reason. */
    items: text('items').notNull().default('[]'),
  },
  (t) => [
    index('nas_reconciliations_nas_ix').on(t.nasId, t.id),
    check('nas_reconciliations_trigger_ck', sql`trigger in ('schedule', 'api')`),
    check('nas_reconciliations_outcome_ck', sql`outcome in ('ok', 'error')`),
  ],
);

/** The SNMP poller's view of each NAS: up or down, and when it last answered. */
export const nasStatus = pgTable(
  'nas_status',
  {
    nasId: bigint('nas_id', { mode: 'number' })
      .primaryKey()
      .references(() => nas.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['unknown', 'up', 'down'] }).notNull().default('unknown'),
    lastPollAt: text('last_poll_at'),
    lastSeenAt: text('last_seen_at'),
    /** sysUpTime at the last answer, in seconds. */
    uptimeSeconds: bigint('uptime_seconds', { mode: 'number' }),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    lastError: text('last_error'),
    /** `lastError` by catalogue key, JSON `{key, values}` (keyedError reads it); null before keys were stored. */
    lastErrorMessage: text('last_error_message'),
  },
  () => [check('nas_status_state_ck', sql`state in ('unknown', 'up', 'down')`)],
);

/** Last counters read per interface, to turn the next reading into a rate. */
export const nasInterfaces = pgTable(
  'nas_interfaces',
  {
    nasId: bigint('nas_id', { mode: 'number' })
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    ifIndex: integer('if_index').notNull(),
    name: text('name').notNull(),
    /** ifHCInOctets / ifHCOutOctets as decimal text: Counter64 fits neither dialect's signed 64-bit integer. */
    inOctets: text('in_octets').notNull(),
    outOctets: text('out_octets').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nasId, t.ifIndex] })],
);

/** Traffic per interface between two polls: octets moved and the average rate in bits per second. */
export const nasTrafficSamples = pgTable(
  'nas_traffic_samples',
  {
    id: identity('id'),
    nasId: bigint('nas_id', { mode: 'number' })
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    ifIndex: integer('if_index').notNull(),
    /** The end of the interval (the poll that produced the sample). */
    at: text('at').notNull(),
    seconds: integer('seconds').notNull(),
    inOctets: bigint('in_octets', { mode: 'number' }).notNull(),
    outOctets: bigint('out_octets', { mode: 'number' }).notNull(),
    inBps: bigint('in_bps', { mode: 'number' }).notNull(),
    outBps: bigint('out_bps', { mode: 'number' }).notNull(),
  },
  (t) => [index('nas_traffic_samples_nas_at_ix').on(t.nasId, t.at), index('nas_traffic_samples_at_ix').on(t.at)],
);

// ---- Network actions: CoA and Disconnect (H1) -------------------------------------------------------

export const nasActionOutcomes = ['pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed'] as const;

/**
 * Every Disconnect-Request and CoA-Request sent to a NAS (or its RouterOS fallback): what, why, for
 * which session, and how it ended. `acked` is not the end: the action is `confirmed` once accounting
 * shows the Stop (Disconnect) or a packet after the ACK (CoA), or `unconfirmed` after a retry.
 */
export const nasActions = pgTable(
  'nas_actions',
  {
    id: identity('id'),
    kind: text('kind', { enum: ['disconnect', 'coa'] }).notNull(),
    reason: text('reason').notNull(),
    /** JSON `{key, values}`: the reason by catalogue key, so a reader sees it in their language. Null on older rows. */
    reasonMessage: text('reason_message'),
    /** `admin:3`, `token:5`, `system:dunning`... */
    actor: text('actor').notNull(),
    serviceId: bigint('service_id', { mode: 'number' }).references(() => services.id, { onDelete: 'set null' }),
    sessionId: bigint('session_id', { mode: 'number' }).references(() => radiusSessions.id, { onDelete: 'set null' }),
    acctSessionId: text('acct_session_id').notNull(),
    username: text('username').notNull(),
    nasId: bigint('nas_id', { mode: 'number' }).references(() => nas.id, { onDelete: 'set null' }),
    /** Where it went: `ip:port`. */
    target: text('target'),
    /** JSON: the attributes sent, by dictionary name (never a secret). */
    request: text('request').notNull(),
    outcome: text('outcome', { enum: nasActionOutcomes }).notNull().default('pending'),
    errorCause: integer('error_cause'),
    errorCauseName: text('error_cause_name'),
    /** Why it failed besides a NAK: silence, no address to send to, a RouterOS error. */
    error: text('error'),
    /** JSON `[{key, values}]`: `error` by catalogue key, so a reader sees it in their language. Null on older rows. */
    errorMessage: text('error_message'),
    /** Transmissions, retransmissions and the confirmation retry included. */
    attempts: integer('attempts').notNull().default(0),
    /** Confirmation retries made (at most one). */
    retries: integer('retries').notNull().default(0),
    /** `coa` (RFC 5176) or `routeros` (the API fallback) for the last attempt. */
    via: text('via').notNull().default('coa'),
    /** The CoA this Disconnect falls back from. */
    fallbackOf: bigint('fallback_of', { mode: 'number' }),
    createdAt: text('created_at').notNull(),
    answeredAt: text('answered_at'),
    confirmedAt: text('confirmed_at'),
    /** When the checker next looks at an acked action (retry, then flag). */
    checkAt: text('check_at'),
    /**
     * The node sending or checking the action now, and until when: an action whose holder died is
     * taken over once the claim expires. Null when nobody holds it.
     */
    claimedBy: text('claimed_by'),
    claimExpiresAt: text('claim_expires_at'),
    /** Counts the claims taken: a write of the action names the claim it holds, so a superseded holder's late answer changes nothing. */
    claimToken: integer('claim_token').notNull().default(0),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('nas_actions_service_ix').on(t.serviceId, t.id),
    index('nas_actions_nas_ix').on(t.nasId, t.id),
    index('nas_actions_outcome_ix').on(t.outcome, t.id),
    check('nas_actions_kind_ck', sql`kind in ('disconnect', 'coa')`),
    check('nas_actions_outcome_ck', sql`outcome in ('pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed')`),
    check('nas_actions_via_ck', sql`via in ('coa', 'routeros')`),
  ],
);
