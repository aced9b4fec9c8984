/**
 * migrations-pg on a real PostgreSQL (tests/helpers/postgres.ts): they build the schema that
 * src/db/schema-pg describes, with the search indexes, CHECKs and foreign keys behaving as on
 * SQLite, and a second run changes nothing.
 */
import { resolve } from 'node:path';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { is, sql, type SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema-pg/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';

const migrationsFolder = resolve(import.meta.dirname, '../../migrations-pg');
const schemaExports: unknown[] = Object.values(schema);
const tables = schemaExports.filter((v): v is PgTable => is(v, PgTable)).map((t) => getTableConfig(t));

/** The PostgreSQL error a statement fails with: its SQLSTATE and the constraint it names. */
async function failure(run: () => Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await run();
  } catch (err) {
    // drizzle wraps the driver's error; the SQLSTATE is on the cause.
    const cause = err instanceof Error && err.cause instanceof pg.DatabaseError ? err.cause : err;
    if (cause instanceof pg.DatabaseError) return { code: cause.code, constraint: cause.constraint };
    throw err;
  }
  throw new Error('the statement succeeded');
}

describe.skipIf(!postgresAvailable)('PostgreSQL migrations', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let db: NodePgDatabase<typeof schema>;
  const rows = async <T extends Record<string, unknown>>(query: SQL) => (await db.execute<T>(query)).rows;

  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    db = drizzle(pool, { schema });
    await migrate(db, { migrationsFolder });
  });

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it('run as an unprivileged role that owns the database', async () => {
    const [me] = await rows<{ super: boolean; owner: string; user: string }>(
      sql`select rolsuper as super, pg_get_userbyid(d.datdba) as owner, current_user as user from pg_roles, pg_database d where rolname = current_user and d.datname = current_database()`,
    );
    expect(me).toEqual({ super: false, owner: me!.user, user: me!.user });
  });

  it('create every table of the schema with its columns, types and nullability', async () => {
    const columns = await rows<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      sql`select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = 'public'`,
    );
    expect([...new Set(columns.map((c) => c.table_name))].sort()).toEqual(tables.map((t) => t.name).sort());
    for (const t of tables) {
      const actual = columns.filter((c) => c.table_name === t.name).map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`).sort();
      const expected = t.columns.map((c) => `${c.name} ${c.getSQLType()}${c.notNull ? ' not null' : ''}`).sort();
      expect(actual, t.name).toEqual(expected);
    }
  });

  it('create every index, CHECK and foreign key the schema declares', async () => {
    const indexes = new Set((await rows<{ name: string }>(sql`select indexname as name from pg_indexes where schemaname = 'public'`)).map((r) => r.name));
    const constraints = new Set((await rows<{ name: string }>(sql`select conname as name from pg_constraint where connamespace = 'public'::regnamespace`)).map((r) => r.name));
    for (const t of tables) {
      for (const i of t.indexes) expect(indexes.has(i.config.name ?? ''), `${t.name} index ${i.config.name}`).toBe(true);
      for (const c of t.checks) expect(constraints.has(c.name), `${t.name} check ${c.name}`).toBe(true);
      for (const fk of t.foreignKeys) expect(constraints.has(fk.getName()), `${t.name} foreign key ${fk.getName()}`).toBe(true);
    }
  });

  it('install pg_trgm, and customer search uses its trigram and full-text indexes', async () => {
    expect(await rows(sql`select extname from pg_extension where extname = 'pg_trgm'`)).toHaveLength(1);
    await db.insert(schema.customers).values([{ name: 'Maria Rossi', email: 'maria.rossi@example.it', phone: '+39 333 123 4567' }, { name: 'Luca Bianchi' }]);
    // Two rows: the planner would scan the table; without sequential scans it shows which index serves.
    const plan = (where: SQL) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        const r = await tx.execute<{ 'QUERY PLAN': string }>(sql`explain select id from customers where ${where}`);
        return r.rows.map((x) => x['QUERY PLAN']).join('\n');
      });
    expect(await plan(sql`name ilike '%ross%'`)).toContain('customers_name_trgm_ix');
    expect(await plan(sql`phone like '%123 45%'`)).toContain('customers_phone_trgm_ix');
    expect(await plan(sql`to_tsvector('simple', ${schema.customerSearchDocument}) @@ to_tsquery('simple', 'rossi:*')`)).toContain('customers_search_fts_ix');
    const found = await rows<{ name: string }>(sql`select name from customers where to_tsvector('simple', ${schema.customerSearchDocument}) @@ to_tsquery('simple', 'rossi:*')`);
    expect(found).toEqual([{ name: 'Maria Rossi' }]);
  });

  it('default instants to ISO 8601 UTC text as SQLite writes them, and keep explicit ids', async () => {
    const [c] = await db.insert(schema.customers).values({ id: 500, name: 'Copied From SQLite' }).returning();
    expect(c).toMatchObject({ id: 500, dunningExempt: false, notes: '' });
    expect(c!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(c!.createdAt) - Date.now())).toBeLessThan(60_000);
  });

  it('enforce the CHECK constraints, written for PostgreSQL where SQLite spelled them differently', async () => {
    const nas = (vendor: string) => db.execute(sql`insert into nas (name, ip_address, secret_enc, vendor) values (${`nas-${vendor}`}, '10.0.0.1', 'x', ${vendor})`);
    await nas('mikrotik');
    expect(await failure(() => nas('cisco'))).toEqual({ code: '23514', constraint: 'nas_vendor_ck' });

    const [customer] = await db.insert(schema.customers).values({ name: 'Check Billing Day' }).returning();
    const [plan] = await db.insert(schema.plans).values({ name: 'Home 100', type: 'recurring', price: 2990, billingPeriodMonths: 1, downloadKbps: 100_000, uploadKbps: 20_000 }).returning();
    const [service] = await db.insert(schema.services).values({ customerId: customer!.id, planId: plan!.id, username: 'check-day', passwordEnc: 'x', startDate: '2026-01-01' }).returning();
    // SQLite's check: 'anniversary', 'last', or a day 1..28 written without a leading zero.
    for (const [day, ok] of [['anniversary', true], ['last', true], ['1', true], ['28', true], ['29', false], ['0', false], ['07', false], ['x', false], ['', false]] as const) {
      const write = () => db.insert(schema.serviceBilling).values({ serviceId: service!.id, billingDay: day }).onConflictDoUpdate({ target: schema.serviceBilling.serviceId, set: { billingDay: day } });
      if (ok) await write();
      else expect(await failure(write), `billing day '${day}'`).toEqual({ code: '23514', constraint: 'service_billing_day_ck' });
    }
    // A promotion for a list of services cannot also apply to new contracts (a boolean here, 0/1 in SQLite).
    const promotion = (appliesToNew: boolean) =>
      db.insert(schema.promotions).values({ key: `p-${appliesToNew}`, description: 'x', valueType: 'fixed', amount: 500, startDate: '2026-01-01', serviceIds: '[1]', appliesToNew });
    await promotion(false);
    expect(await failure(() => promotion(true))).toEqual({ code: '23514', constraint: 'promotions_target_ck' });
  });

  it('apply ON DELETE as SQLite does: cascade, set null and restrict', async () => {
    const [n] = await db.insert(schema.nas).values({ name: 'fk-nas', ipAddress: '10.0.0.2', secretEnc: 'x' }).returning();
    await db.insert(schema.nasStatus).values({ nasId: n!.id, state: 'up' });
    const [s] = await db
      .insert(schema.radiusSessions)
      .values({ nasId: n!.id, acctSessionId: 'A1', username: 'u', startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' })
      .returning();
    await db.execute(sql`delete from nas where id = ${n!.id}`);
    expect(await rows(sql`select 1 from nas_status where nas_id = ${n!.id}`)).toEqual([]);
    expect(await rows(sql`select nas_id from radius_sessions where id = ${s!.id}`)).toEqual([{ nas_id: null }]);

    const [customer] = await db.insert(schema.customers).values({ name: 'Has A Service' }).returning();
    const [plan] = await db.insert(schema.plans).values({ name: 'Home 30', type: 'recurring', price: 1990, billingPeriodMonths: 1, downloadKbps: 30_000, uploadKbps: 5_000 }).returning();
    await db.insert(schema.services).values({ customerId: customer!.id, planId: plan!.id, username: 'fk-user', passwordEnc: 'x', startDate: '2026-01-01' });
    expect(await failure(() => db.execute(sql`delete from customers where id = ${customer!.id}`))).toEqual({ code: '23503', constraint: 'services_customer_id_customers_id_fk' });
  });

  it('are a no-op when run again', async () => {
    const fingerprint = async () =>
      rows(sql`select (select count(*) from drizzle.__drizzle_migrations)::int as migrations,
        (select count(*) from information_schema.columns where table_schema = 'public')::int as columns,
        (select count(*) from pg_indexes where schemaname = 'public')::int as indexes,
        (select count(*) from pg_constraint where connamespace = 'public'::regnamespace)::int as constraints`);
    const before = await fingerprint();
    expect(before[0]).toMatchObject({ migrations: readMigrationFiles({ migrationsFolder }).length });
    await migrate(db, { migrationsFolder });
    expect(await fingerprint()).toEqual(before);
  });
});
