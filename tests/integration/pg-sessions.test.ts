/**
 * Open sessions across nodes on one PostgreSQL: the simultaneous-use check reads a node's index of
 * open sessions, so a Start or Stop that another node's accounting wrote must reach it. Two
 * accounting writers (two nodes) with their change relays on one database: what one records, the
 * other's index shows; a listener cut and reconnected reloads what it missed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayChanges, sessionPayloads, type ChangeRelay } from '../../src/db/pg-changes.js';
import { createPgAccountingWriter, type PgAccountingWriter } from '../../src/db/pg-writer.js';
import type { AcctRecord } from '../../src/db/radius.js';
import { openPostgres, type SqlClient } from '../../src/db/sql.js';
import { Topic } from '../../src/lib/topic.js';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

interface Node {
  sql: SqlClient;
  writer: PgAccountingWriter;
  relay: ChangeRelay;
}

describe('session-change notifications', () => {
  it('fit NOTIFY: every service once, each payload under 8000 bytes, named by its node', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i);
    const payloads = sessionPayloads('host:123:abc', ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) {
      expect(Buffer.byteLength(p)).toBeLessThan(8000);
      expect(p.startsWith('host:123:abc|')).toBe(true);
    }
    expect(payloads.flatMap((p) => p.split('|')[1]!.split(',').map(Number))).toEqual(ids);
  });
});

describe.skipIf(!postgresReady)('open sessions shared by two nodes on one PostgreSQL', () => {
  let url: string;
  const nodes: Node[] = [];
  let nas: number;
  let alice: number;
  let at = Date.parse('2026-03-01T12:00:00.000Z');
  const rec = (kind: AcctRecord['kind'], sid: string): AcctRecord => {
    at += 1000;
    return {
      kind, nasId: nas, acctSessionId: sid, username: 'alice', at: new Date(at).toISOString(), day: '2026-03-01', nasIpAddress: '10.0.0.1', nasPort: '7',
      framedIpAddress: null, callingStationId: `AA:BB:CC:DD:EE:${sid.slice(-2)}`, calledStationId: null, sessionTime: null, inputOctets: null,
      outputOctets: null, terminateCause: null, interimInterval: null, serviceId: alice,
    };
  };

  beforeAll(async () => {
    url = await createPostgresDatabase();
    const setup = openPostgres({ url, max: 2 });
    const id = async (text: string, ...params: (string | number)[]) => (await setup.get<{ id: number }>(`${text} returning id`, ...params))!.id;
    nas = await id(`insert into nas (name, ip_address, secret_enc) values ('n1', '10.0.0.1', 'sealed')`);
    const plan = await id(`insert into plans (name, type, price, download_kbps, upload_kbps) values ('p', 'recurring', 1000, 10000, 2000)`);
    const customer = await id(`insert into customers (name) values ('c')`);
    alice = await id(`insert into services (customer_id, plan_id, username, password_enc, start_date) values (?, ?, 'alice', 'pw', '2026-01-15')`, customer, plan);
    await setup.close();
    for (const nodeId of ['node-a', 'node-b']) {
      const sql = openPostgres({ url, max: 4 });
      const changed = new Topic<readonly number[]>();
      const writer = await createPgAccountingWriter(sql, { onSessions: (ids) => changed.publish(ids) });
      const relay = await relayChanges({
        url, topic: new Topic(), nodeId, onError: () => {}, retryMs: 50,
        sessions: { changed, refresh: (ids) => writer.refreshSessions(ids), reload: () => writer.reloadSessions() },
      });
      nodes.push({ sql, writer, relay });
    }
  });
  afterAll(async () => {
    for (const n of nodes) {
      await n.relay.close();
      await n.writer.close();
      await n.sql.close();
    }
  });

  it('shows a session that one node opened and the other closed on both, within moments', async () => {
    const [a, b] = nodes as [Node, Node];
    await a.writer.accounting(rec('start', 's01'));
    expect(a.writer.openSessions(alice)).toHaveLength(1);
    await until(() => b.writer.openSessions(alice).length === 1);
    expect(b.writer.openSessions(alice)).toEqual([{ nasId: nas, callingStationId: 'AA:BB:CC:DD:EE:01' }]);

    // The router fails over: the Stop goes to the other node.
    await b.writer.accounting(rec('stop', 's01'));
    expect(b.writer.openSessions(alice)).toEqual([]);
    await until(() => a.writer.openSessions(alice).length === 0);
  });

  it('reloads what it missed while its listener was cut', async () => {
    const [a, b] = nodes as [Node, Node];
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const cut = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tollgate-changes node-b'`);
      expect(cut.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // While b hears nothing, a opens two sessions.
    await a.writer.accounting(rec('start', 's02'));
    await a.writer.accounting(rec('start', 's03'));
    await until(() => b.writer.openSessions(alice).length === 2);
    expect(b.writer.openSessions(alice).map((s) => s.callingStationId).sort()).toEqual(['AA:BB:CC:DD:EE:02', 'AA:BB:CC:DD:EE:03']);
  });

  it('reads the database when the index would refuse: a close whose notice never came is found', async () => {
    const [a, b] = nodes as [Node, Node];
    await a.writer.accounting(rec('start', 's04'));
    await until(() => b.writer.openSessions(alice).some((s) => s.callingStationId === 'AA:BB:CC:DD:EE:04'));
    // Node a commits the Stop and dies before telling anyone: here, the row is closed behind both nodes' backs.
    await a.sql.run(`update radius_sessions set stopped_at = ? where acct_session_id = ?`, new Date(at).toISOString(), 's04');
    expect(b.writer.openSessions(alice).some((s) => s.callingStationId === 'AA:BB:CC:DD:EE:04')).toBe(true);
    const open = await b.writer.recheckOpenSessions(alice);
    expect(open.some((s) => s.callingStationId === 'AA:BB:CC:DD:EE:04')).toBe(false);
    expect(b.writer.openSessions(alice)).toEqual(open);
  });

  it("counts a record once that waited on another node's write of its session, on that write's counters", async () => {
    const [a, b] = nodes as [Node, Node];
    await b.writer.accounting(rec('start', 's05'));
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      // The other node's Interim-Update for the same session, committing while this node's waits on its row lock.
      await other.query('begin');
      await other.query(`update radius_sessions set input_octets = 5000, output_octets = 7000 where acct_session_id = 's05'`);
      await other.query(`insert into usage_daily (service_id, day, input_octets, output_octets) values ($1, '2026-03-01', 5000, 7000)
        on conflict (service_id, day) do update set input_octets = usage_daily.input_octets + 5000, output_octets = usage_daily.output_octets + 7000`, [alice]);
      const before = await b.sql.get<{ i: number; o: number }>(`select input_octets as "i", output_octets as "o" from usage_daily where service_id = ?`, alice);
      const interim = { ...rec('interim', 's05'), inputOctets: 6000, outputOctets: 9000, sessionTime: 60 };
      const written = b.writer.accounting(interim);
      // Read outside the other node's transaction, which would keep seeing its first view of pg_stat_activity.
      await until(async () => (await a.sql.get<{ n: number }>(`select count(*)::int as "n" from pg_stat_activity where wait_event_type = 'Lock' and query like 'with x as%'`))!.n > 0);
      await other.query('commit');
      await written;
      const row = await b.sql.get<{ i: number; o: number }>(`select input_octets as "i", output_octets as "o" from radius_sessions where acct_session_id = 's05'`);
      expect(row).toEqual({ i: 6000, o: 9000 });
      // Only the growth over the other node's counters is added to the day.
      const after = await b.sql.get<{ i: number; o: number }>(`select input_octets as "i", output_octets as "o" from usage_daily where service_id = ?`, alice);
      expect({ i: after!.i - (before?.i ?? 0), o: after!.o - (before?.o ?? 0) }).toEqual({ i: 5000 + 1000, o: 7000 + 2000 });
    } finally {
      await other.end();
    }
  });
});
