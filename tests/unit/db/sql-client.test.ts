/**
 * The SQL client behaves the same on both backends: parameters (positional, named, booleans),
 * integers as numbers, the constraint errors stores map to API fields, and transactions with
 * SQLite's semantics (serialized, joined by the statements of the same async context, savepoints
 * nested, all or nothing), and session locks (one holder; a holder whose connection dies loses it).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConstraintViolation, openPostgres, toPostgresText, WRITE_LOCK_KEY } from '../../../src/db/sql.js';
import { backendNames, openTestBackend, useTestBackend, type TestBackend } from '../../helpers/backends.js';

describe('toPostgresText', () => {
  it('numbers ? and names @x, leaving literals, quoted names, comments and casts alone', () => {
    expect(toPostgresText(`select '?', "a?b", x::int from t where a = ? -- why?\n and b = ?`)).toEqual({
      text: `select '?', "a?b", x::int from t where a = $1 -- why?\n and b = $2`,
      names: undefined,
    });
    expect(toPostgresText(`select 1 where a = @sid or b = @date or c = @sid and e = 'x@y'`)).toEqual({
      text: `select 1 where a = $1 or b = $2 or c = $1 and e = 'x@y'`,
      names: ['sid', 'date'],
    });
    expect(() => toPostgresText('select ? where a = @b')).toThrow(/mixes/);
  });
});

describe.each(backendNames)('SqlClient on %s', (name) => {
  const b = useTestBackend(name);
  beforeAll(async () => {
    await b.sql.exec(`create table t (id integer primary key, name text not null unique, amount bigint not null default 0, flag boolean not null default false,
      constraint t_amount_ck check (amount >= 0))`);
  });

  it('binds positional, named and boolean parameters and reads integers as numbers', async () => {
    await b.sql.run(`insert into t (id, name, amount, flag) values (?, ?, ?, ?)`, 1, 'a', 9_007_199_254_740_991, true);
    await b.sql.run(`insert into t (id, name, amount, flag) values (@id, @name, @amount, @flag)`, { id: 2, name: 'b', amount: 250, flag: false });
    const rows = await b.sql.all<{ id: number; amount: number; flag: unknown }>(`select id, amount, flag from t order by id`);
    expect(rows.map((r) => [r.id, r.amount])).toEqual([
      [1, 9_007_199_254_740_991],
      [2, 250],
    ]);
    expect(rows.map((r) => Boolean(r.flag))).toEqual([true, false]);
    const sum = await b.sql.get<{ total: number; n: number }>(`select sum(amount) - 9007199254740991 as "total", count(*) as "n" from t`);
    expect(sum).toEqual({ total: 250, n: 2 });
    expect(await b.sql.get(`select 1 as "x" from t where id = ?`, 99)).toBeUndefined();
  });

  it('reports unique, check and not-null violations alike, naming the column or constraint', async () => {
    const failure = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e;
      }
      throw new Error('succeeded');
    };
    const dup = await failure(b.sql.run(`insert into t (id, name) values (?, ?)`, 10, 'a'));
    expect(dup).toBeInstanceOf(ConstraintViolation);
    expect(dup).toMatchObject({ kind: 'unique', column: 'name' });
    expect(await failure(b.sql.run(`insert into t (id, name, amount) values (?, ?, ?)`, 11, 'c', -1))).toMatchObject({ kind: 'check', constraint: 't_amount_ck' });
    expect(await failure(b.sql.run(`insert into t (id, name) values (?, ?)`, 12, null))).toMatchObject({ kind: 'not_null', column: 'name' });
  });

  it('commits a transaction whole and rolls back a failed one whole, savepoints nested', async () => {
    await b.sql.transaction(async () => {
      await b.sql.run(`insert into t (id, name) values (?, ?)`, 20, 'tx1');
      await b.sql
        .transaction(async () => {
          await b.sql.run(`insert into t (id, name) values (?, ?)`, 21, 'inner');
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      expect(b.sql.inTransaction()).toBe(true);
    });
    expect(b.sql.inTransaction()).toBe(false);
    const names = async () => (await b.sql.all<{ name: string }>(`select name from t where id >= 20 order by id`)).map((r) => r.name);
    expect(await names()).toEqual(['tx1']);
    await expect(
      b.sql.transaction(async () => {
        await b.sql.run(`insert into t (id, name) values (?, ?)`, 22, 'tx2');
        await b.sql.run(`insert into t (id, name) values (?, ?)`, 23, 'tx1');
      }),
    ).rejects.toMatchObject({ kind: 'unique' });
    expect(await names()).toEqual(['tx1']);
  });

  it('serializes transactions: a read-decide-write never interleaves with another', async () => {
    await b.sql.run(`insert into t (id, name, amount) values (?, ?, ?)`, 30, 'counter', 0);
    // Each reads the counter, waits a moment, writes it plus one: interleaved, updates would be lost.
    await Promise.all(
      Array.from({ length: 8 }, () =>
        b.sql.transaction(async () => {
          const r = await b.sql.get<{ amount: number }>(`select amount from t where id = 30`);
          await new Promise((resolve) => setTimeout(resolve, 2));
          await b.sql.run(`update t set amount = ? where id = 30`, r!.amount + 1);
        }),
      ),
    );
    expect(await b.sql.get(`select amount from t where id = 30`)).toEqual({ amount: 8 });
  });
  it('runs an unserialized transaction beside a serialized one (PostgreSQL), all or nothing still', async () => {
    await b.sql.run(`insert into t (id, name, amount) values (?, ?, ?)`, 40, 'plain', 0);
    const plain = (amount: number, fail = false) =>
      b.sql.transaction(async () => {
        await b.sql.run(`update t set amount = ? where id = 40`, amount);
        if (fail) throw new Error('fails');
      }, { serialized: false });
    if (name === 'postgres') {
      // A serialized transaction holds the write lock until released; the plain one must not wait for it.
      let release!: () => void;
      const holding = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const serialized = b.sql.transaction(async () => {
        entered();
        await holding;
      });
      await inside;
      await plain(1);
      release();
      await serialized;
    } else {
      // SQLite has one writer per database: the option changes nothing there.
      await plain(1);
    }
    expect(await b.sql.get(`select amount from t where id = 40`)).toEqual({ amount: 1 });
    await expect(plain(2, true)).rejects.toThrow('fails');
    expect(await b.sql.get(`select amount from t where id = 40`)).toEqual({ amount: 1 });
  });

  it('runs one process\'s serialized transactions in the order they were asked', async () => {
    // A client of its own with no connection open yet: each transaction would otherwise race the
    // others through connecting and authenticating before queueing for the write lock.
    const fresh = name === 'postgres' ? openPostgres({ url: b.url!, max: 8 }) : b.sql;
    try {
      const entered: number[] = [];
      await Promise.all(Array.from({ length: 8 }, (_, i) => fresh.transaction(async () => {
        entered.push(i);
        await fresh.get(`select 1 as one`);
      })));
      expect(entered).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      if (fresh !== b.sql) await fresh.close();
    }
  });

  it('runs statements started at once in a transaction one at a time, in order, savepoints included', async () => {
    // How many statements each connection has in flight at most (PostgreSQL: node-postgres deprecates
    // sending one while another runs; SQLite runs each at once anyway).
    const inFlight = new Map<pg.Client, number>();
    let most = 0;
    const original = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const n = (inFlight.get(this) ?? 0) + 1;
      inFlight.set(this, n);
      most = Math.max(most, n);
      const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      const r: unknown = Reflect.apply(original, this, args);
      if (r instanceof Promise) return r.finally(done);
      done();
      return r;
    } as typeof original);
    try {
      const read = await b.sql.transaction(async () => {
        const [one, two] = await Promise.all([
          b.sql.get<{ n: number }>(`select 1 as n`),
          b.sql.get<{ n: number }>(`select 2 as n`),
          b.sql.run(`insert into t (id, name) values (?, ?)`, 50, 'together'),
          b.sql.transaction(async () => b.sql.run(`update t set amount = 5 where id = 50`)),
        ]);
        return [one!.n, two!.n];
      });
      expect(read).toEqual([1, 2]);
      expect(await b.sql.get(`select amount from t where id = 50`)).toEqual({ amount: 5 });
      expect(most).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe.each(backendNames)('SqlClient.sessionLock on %s', (name) => {
  const b = useTestBackend(name);

  it('is granted, and released on request', async () => {
    const lock = await b.sql.sessionLock(4242);
    expect(lock).not.toBeNull();
    expect(lock!.lost.aborted).toBe(false);
    await lock!.release();
    await lock!.release(); // twice is harmless
    const again = await b.sql.sessionLock(4242);
    expect(again).not.toBeNull();
    await again!.release();
  });
});

describe.runIf(backendNames.includes('postgres'))('SqlClient.sessionLock on postgres, two nodes', () => {
  let b: TestBackend;
  let other: ReturnType<typeof openPostgres>;
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    other = openPostgres({ url: b.url!, max: 2 });
  });
  afterAll(async () => {
    await other?.close();
    await b?.close();
  });

  it('has one holder; a holder whose connection is killed loses it, and the other node takes it', async () => {
    const key = 7_000_001;
    const held = await b.sql.sessionLock(key);
    expect(held).not.toBeNull();
    expect(await other.sessionLock(key)).toBeNull();
    // The same node asking again is refused too: a session lock on another pooled connection.
    expect(await b.sql.sessionLock(key)).toBeNull();
    await held!.release();
    const taken = await other.sessionLock(key);
    expect(taken).not.toBeNull();
    expect(await b.sql.sessionLock(key)).toBeNull();

    // The holder's connection dies (kill -9 of its process looks the same to the server).
    const holderPid = await b.sql.get<{ pid: number }>(`select pid from pg_locks where locktype = 'advisory' and granted and objid = ?`, key);
    expect(holderPid).toBeDefined();
    await b.sql.get(`select pg_terminate_backend(?)`, holderPid!.pid);
    await vi.waitFor(() => expect(taken!.lost.aborted).toBe(true));
    const mine = await b.sql.sessionLock(key);
    expect(mine).not.toBeNull();
    await taken!.release(); // after the loss: gives the dead connection back, releases nothing
    expect(await other.sessionLock(key)).toBeNull();
    await mine!.release();
    // The pool replaced the dead connection.
    expect(await other.get(`select 1 as "one"`)).toEqual({ one: 1 });
  });

  it('refuses the write transactions\' key', async () => {
    await expect(b.sql.sessionLock(WRITE_LOCK_KEY)).rejects.toThrow(/write transactions/);
  });
});
