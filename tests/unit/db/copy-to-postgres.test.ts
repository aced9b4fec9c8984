// The copy's plan, derived from the PostgreSQL schema: every table once, in foreign-key order, with
// its booleans, identity and money columns; and the pure pieces (the tally comparison, URL checks).
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { is } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { copyPlan, postgresUrlProblem, redactUrl, tallyMismatches, type Tally } from '../../../src/db/copy-to-postgres.js';
import * as pgSchema from '../../../src/db/schema-pg/index.js';

const plan = copyPlan();
const position = new Map(plan.map((t, i) => [t.name, i]));
const table = (name: string) => plan.find((t) => t.name === name)!;

describe('copyPlan', () => {
  it('lists every table of the schema once', () => {
    const schemaTables = Object.values(pgSchema).filter((v) => is(v, PgTable)).map((t) => getTableConfig(t as PgTable).name);
    expect(plan.map((t) => t.name).sort()).toEqual([...new Set(schemaTables)].sort());
    expect(plan.length).toBe(schemaTables.length);
  });

  it('puts every table after the tables its foreign keys reference', () => {
    for (const t of plan) {
      for (const r of t.references) expect(position.get(r), `${t.name} -> ${r}`).toBeLessThan(position.get(t.name)!);
    }
    // A few chains spelled out: the order is derived, these hold whatever else is added.
    const chains = [
      ['customers', 'services', 'invoices', 'invoice_lines'],
      ['invoices', 'credit_notes', 'credit_note_lines'],
      ['payments', 'payment_allocations'],
      ['plans', 'voucher_batches', 'vouchers'],
      ['nas', 'radius_sessions', 'nas_actions'],
      ['admins', 'admin_sessions'],
    ];
    for (const chain of chains) {
      const at = chain.map((n) => position.get(n)!);
      expect(at, chain.join(' < ')).toEqual([...at].sort((a, b) => a - b));
    }
  });

  it('knows the boolean and identity columns by the PostgreSQL types', () => {
    expect(table('nas').columns.filter((c) => c.type === 'boolean').map((c) => c.name)).toEqual(['require_message_authenticator', 'routeros_enabled', 'routeros_tls', 'snmp_enabled']);
    expect(table('customers').identity).toBe('id');
    expect(table('customer_accounts').identity).toBeUndefined();
    expect(table('auth_log_index_state').identity).toBeUndefined(); // a bigint key without identity
  });

  it('verifies the money columns and no id, rate or byte count', () => {
    const money = plan.flatMap((t) => t.columns.filter((c) => c.money).map((c) => `${t.name}.${c.name}`));
    for (const c of [
      'invoices.net', 'invoices.tax', 'invoices.total', 'invoices.paid', 'invoices.credited', 'invoices.open',
      'invoice_lines.amount', 'invoice_lines.net', 'invoice_lines.tax', 'invoice_lines.gross',
      'payments.amount', 'payments.refunded', 'payment_allocations.amount', 'refunds.amount',
      'credit_notes.net', 'credit_notes.tax', 'credit_notes.total', 'credit_note_lines.gross',
      'customer_accounts.credit', 'plans.price', 'plans.setup_fee', 'billing_runs.total', 'voucher_batches.price',
      'billing_profiles.late_fee_amount', 'billing_profiles.min_overdue_amount',
    ]) {
      expect(money).toContain(c);
    }
    for (const c of money) expect(c).not.toMatch(/(\.|_)(id|bytes|octets|bp|kbps|bps)$/);
    expect(plan.flatMap((t) => t.columns.filter((c) => c.money && c.type !== 'bigint'))).toEqual([]);
  });

  it('refuses a cycle of foreign keys', async () => {
    const { pgTable, bigint } = await import('drizzle-orm/pg-core');
    const a = pgTable('a', { id: bigint('id', { mode: 'number' }).primaryKey(), b: bigint('b', { mode: 'number' }).references((): never => bTable.id as never) });
    const bTable = pgTable('b', { id: bigint('id', { mode: 'number' }).primaryKey(), a: bigint('a', { mode: 'number' }).references(() => a.id) });
    expect(() => copyPlan({ a, bTable })).toThrow(/cycle among a, b/);
  });
});

describe('tallyMismatches', () => {
  const tally = (rows: [string, bigint][], sums: [string, bigint][]): Tally => ({ rows: new Map(rows), sums: new Map(sums) });

  it('finds nothing when counts and sums are equal', () => {
    const t = tally([['invoices', 3n]], [['invoices.total', 12_345n]]);
    expect(tallyMismatches(t, tally([['invoices', 3n]], [['invoices.total', 12_345n]]))).toEqual([]);
  });

  it('names each table and column that differs', () => {
    const source = tally([['invoices', 3n], ['payments', 2n]], [['invoices.total', 12_345n], ['payments.amount', 500n]]);
    const target = tally([['invoices', 2n], ['payments', 2n]], [['invoices.total', 12_345n], ['payments.amount', 499n]]);
    expect(tallyMismatches(source, target)).toEqual(['invoices: 3 rows in SQLite, 2 in PostgreSQL', 'payments.amount: sum 500 in SQLite, 499 in PostgreSQL']);
  });

  it('compares beyond 2^53 exactly', () => {
    const big = 2n ** 60n;
    expect(tallyMismatches(tally([], [['x.amount', big]]), tally([], [['x.amount', big + 1n]]))).toHaveLength(1);
  });
});

describe('PostgreSQL URLs', () => {
  it('accepts postgres:// and postgresql:// URLs that name a database', () => {
    expect(postgresUrlProblem('postgres://u:p@db.example:5432/tollgate')).toBeUndefined();
    expect(postgresUrlProblem('postgresql:///tollgate?host=/run/postgresql')).toBeUndefined();
  });

  it('says what is wrong, without the password', () => {
    expect(postgresUrlProblem('not a url')).toMatch(/is not a URL; expected postgres:\/\//);
    expect(postgresUrlProblem('mysql://u:secret@h/db')).toMatch(/not a PostgreSQL URL/);
    expect(postgresUrlProblem('mysql://u:secret@h/db')).not.toContain('secret');
    expect(postgresUrlProblem('postgres://u:secret@h')).toMatch(/names no database/);
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
