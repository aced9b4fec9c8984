/**
 * The one way stores reach the database, on either backend: SQLite (better-sqlite3, the embedded
 * default) or PostgreSQL (node-postgres, for several nodes on one database).
 *
 * Stores write their SQL once, in the subset both dialects read alike, with `?` (or `@name`)
 * parameters; what differs is spelled through `SqlClient.dialect` fragments (src/db/dialect.ts).
 * Every call is asynchronous because PostgreSQL's are; on SQLite the work is still done
 * synchronously inside, so the embedded path pays only a resolved promise per statement.
 *
 * Transactions have SQLite's semantics on both backends, so the read-decide-write code written for
 * one holds on the other: `transaction()` is a serialized write transaction (SQLite's BEGIN
 * IMMEDIATE; on PostgreSQL a transaction that first takes one advisory lock every node's writers
 * share, a node's own in the order they were asked). A statement called while a transaction is open in the same async context joins it (the
 * context is carried by AsyncLocalStorage), so a service can run several stores' calls as one
 * transaction without handing a transaction object around; a transaction inside one is a savepoint.
 * Transaction bodies touch only the database: awaiting the network inside one would hold the
 * write lock for as long.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/** A value a statement binds. Booleans are bound as 1/0 on SQLite (it has no boolean type). */
export type Param = string | number | bigint | boolean | null | Buffer;
/** Positional parameters, or one object of named ones (`@name` in the SQL). */
export type Params = Param[] | [Record<string, Param | undefined>];

export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows inserted, changed or deleted. */
  changes: number;
}

export interface Statement<R = Row> {
  all(...params: Params): Promise<R[]>;
  get(...params: Params): Promise<R | undefined>;
  run(...params: Params): Promise<RunResult>;
}

export interface TransactionOptions {
  /**
   * false: on PostgreSQL, a plain transaction that does not take the write lock every node's
   * serialized transactions share. For writers whose statements are each atomic on their own (the
   * accounting upserts on a unique key, appends to a log) and that must not queue behind the billing
   * run. SQLite has one writer per database whatever is asked, so there it changes nothing. Ignored
   * when nested: a savepoint is part of the transaction it is in.
   */
  serialized?: boolean;
}

export interface SqlClient {
  readonly dialect: Dialect;
  /** A statement prepared once (per connection on PostgreSQL) and run many times. */
  prepare<R = Row>(text: string): Statement<R>;
  all<R = Row>(text: string, ...params: Params): Promise<R[]>;
  get<R = Row>(text: string, ...params: Params): Promise<R | undefined>;
  run(text: string, ...params: Params): Promise<RunResult>;
  /** Runs a script of several statements without parameters (DDL, maintenance). */
  exec(text: string): Promise<void>;
  /** A serialized write transaction (see the module comment); nested, a savepoint. */
  transaction<T>(fn: () => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** True inside a transaction() of this client in the current async context. */
  inTransaction(): boolean;
  /**
   * A lock on `key` held by this process until `release()` or until the process or its connection
   * dies, whichever comes first, so a crashed holder never blocks the others; null when another
   * process holds it. PostgreSQL: a session advisory lock on a pooled connection kept for it (any
   * 64-bit key but WRITE_LOCK_KEY). SQLite: always granted, one process per database file being
   * the embedded deployment (callers that must exclude a second process keep a lease row as well).
   */
  sessionLock(key: number): Promise<SessionLock | null>;
  close(): Promise<void>;
}

export interface SessionLock {
  /**
   * Aborted when the lock is gone without `release()`: its connection dropped (the server restarted,
   * an operator or the network ended it). Another process may hold it from then on.
   */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** A constraint the database refused a write for, the same on both backends. */
export class ConstraintViolation extends Error {
  constructor(
    readonly kind: 'unique' | 'check' | 'foreign_key' | 'not_null',
    /** The column at fault when the database says (unique, not null), else undefined. */
    readonly column: string | undefined,
    /** The constraint's name when the database says (check; unique on PostgreSQL). */
    readonly constraint: string | undefined,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ConstraintViolation';
  }
}

/** The constraint violation behind a driver error of either backend, or undefined. */
export function constraintOf(e: unknown): ConstraintViolation | undefined {
  if (e instanceof ConstraintViolation) return e;
  const err = e as { code?: unknown; message?: unknown; constraint?: unknown; column?: unknown; detail?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const msg = typeof err.message === 'string' ? err.message : '';
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return new ConstraintViolation('unique', /constraint failed: \w+\.(\w+)/.exec(msg)?.[1], undefined, msg, { cause: e });
    }
    if (code === 'SQLITE_CONSTRAINT_CHECK') return new ConstraintViolation('check', undefined, /CHECK constraint failed: (\w+)/.exec(msg)?.[1], msg, { cause: e });
    if (code === 'SQLITE_CONSTRAINT_NOTNULL') return new ConstraintViolation('not_null', /constraint failed: \w+\.(\w+)/.exec(msg)?.[1], undefined, msg, { cause: e });
    // ON DELETE RESTRICT is enforced as a trigger, hence the second code.
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'SQLITE_CONSTRAINT_TRIGGER') return new ConstraintViolation('foreign_key', undefined, undefined, msg, { cause: e });
    return undefined;
  }
  const constraint = typeof err.constraint === 'string' ? err.constraint : undefined;
  switch (code) {
    case '23505': {
      // "Key (name)=(x) already exists.": the first column of the key names the field.
      const detail = typeof err.detail === 'string' ? err.detail : '';
      const column = /^Key \((?:lower\()?"?(\w+)/.exec(detail)?.[1];
      return new ConstraintViolation('unique', column, constraint, msg, { cause: e });
    }
    case '23514':
      return new ConstraintViolation('check', undefined, constraint, msg, { cause: e });
    case '23502':
      return new ConstraintViolation('not_null', typeof err.column === 'string' ? err.column : undefined, constraint, msg, { cause: e });
    case '23503':
    case '23001':
      return new ConstraintViolation('foreign_key', undefined, constraint, msg, { cause: e });
    default:
      return undefined;
  }
}

function isParamObject(p: Params): p is [Record<string, Param | undefined>] {
  const first = p[0];
  return p.length === 1 && first !== null && typeof first === 'object' && !Buffer.isBuffer(first);
}

// ---- SQLite ------------------------------------------------------------------------------------

function mapped<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw constraintOf(e) ?? e;
  }
}

type SqliteValue = string | number | bigint | null | Buffer;
const sqliteValue = (v: Param | undefined): SqliteValue => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);

function sqliteParams(params: Params): SqliteValue[] | [Record<string, SqliteValue>] {
  if (isParamObject(params)) {
    const out: Record<string, SqliteValue> = {};
    for (const [k, v] of Object.entries(params[0])) out[k] = sqliteValue(v);
    return [out];
  }
  return (params as Param[]).map(sqliteValue);
}

/** One waiter at a time: the SQLite connection has one transaction, whichever async chain opened it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/**
 * The SQLite client over an open better-sqlite3 connection (src/db/client.ts opens it with the
 * pragmas). It shares the connection with code that still calls better-sqlite3 directly, so a
 * synchronous `connection.transaction()` run inside one of these becomes its savepoint.
 */
export function sqliteClient(connection: Database.Database): SqlClient {
  // One client per connection: two would each think the connection's transaction their own.
  let client = clients.get(connection);
  if (!client) clients.set(connection, (client = newSqliteClient(connection)));
  return client;
}

const clients = new WeakMap<Database.Database, SqlClient>();

function newSqliteClient(connection: Database.Database): SqlClient {
  const cache = new Map<string, Database.Statement>();
  const scope = new AsyncLocalStorage<{ depth: number }>();
  const mutex = new Mutex();
  const statement = (text: string): Database.Statement => {
    let s = cache.get(text);
    if (!s) {
      s = connection.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  // Errors are thrown from inside the promise, as PostgreSQL's are, so callers handle one shape.
  const prepared = <R>(text: string): Statement<R> => {
    let s: Database.Statement | undefined;
    const get = () => (s ??= statement(text));
    return {
      all: async (...p) => mapped(() => get().all(...sqliteParams(p)) as R[]),
      get: async (...p) => mapped(() => get().get(...sqliteParams(p)) as R | undefined),
      run: async (...p) => mapped(() => ({ changes: get().run(...sqliteParams(p)).changes })),
    };
  };
  let savepoints = 0;
  const client: SqlClient = {
    dialect: 'sqlite',
    prepare: prepared,
    all: (text, ...p) => prepared<never>(text).all(...p),
    get: (text, ...p) => prepared<never>(text).get(...p),
    run: (text, ...p) => prepared(text).run(...p),
    async exec(text) {
      connection.exec(text);
    },
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      const outer = scope.getStore();
      if (outer) {
        const name = `sp${++savepoints}`;
        connection.exec(`savepoint ${name}`);
        try {
          const result = await scope.run({ depth: outer.depth + 1 }, fn);
          connection.exec(`release ${name}`);
          return result;
        } catch (e) {
          connection.exec(`rollback to ${name}; release ${name}`);
          throw e;
        }
      }
      const release = await mutex.lock();
      try {
        connection.exec('begin immediate');
        try {
          const result = await scope.run({ depth: 1 }, fn);
          connection.exec('commit');
          return result;
        } catch (e) {
          if (connection.inTransaction) connection.exec('rollback');
          throw constraintOf(e) ?? e;
        }
      } finally {
        release();
      }
    },
    inTransaction: () => scope.getStore() !== undefined,
    async sessionLock() {
      return { lost: new AbortController().signal, release: async () => undefined };
    },
    async close() {
      cache.clear();
      connection.close();
    },
  };
  return client;
}

// ---- PostgreSQL --------------------------------------------------------------------------------

/**
 * SQL with `?` and `@name` parameters as PostgreSQL's `$1…`, and the order the named ones bind in.
 * String literals, quoted identifiers and comments are copied untouched; `::` casts are not names.
 */
export function toPostgresText(text: string): { text: string; names: string[] | undefined } {
  let out = '';
  let n = 0;
  const names: string[] = [];
  let named = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else if (ch === '@' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(i + 1))![0];
      named = true;
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += name.length;
    } else {
      out += ch;
    }
  }
  if (named && n > 0) throw new Error('a statement mixes ? and @name parameters');
  return { text: out, names: named ? names : undefined };
}

/** The advisory lock key every node's write transactions share (any fixed 64-bit number). */
export const WRITE_LOCK_KEY = 0x746f6c6c; // "toll"

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A transaction in progress, as the statements of its async context find it; a savepoint has its own depth. */
interface TransactionScope {
  client: pg.PoolClient;
  depth: number;
  /** The last statement sent on the connection, shared by the transaction and its savepoints. */
  turn: { tail: Promise<unknown> };
}

/**
 * Runs `f` once the statements started before it in the transaction have finished: one statement at
 * a time on the connection, in the order they were started, when a service starts several at once
 * (`Promise.all` of reads). node-postgres would queue them itself, but deprecates that (pg 9 drops it).
 */
function inTurn<T>(s: TransactionScope, f: () => Promise<T>): Promise<T> {
  const run = s.turn.tail.then(f, f);
  s.turn.tail = run.then(() => undefined, () => undefined);
  return run;
}

export interface PostgresClientOptions {
  /** Called with errors of idle pooled connections (a server restart, say): logged, not thrown. */
  onIdleError?: (e: Error) => void;
}

/**
 * The PostgreSQL client over a pool. Integer columns come back as numbers: ids and money are
 * bigint (int8) and sums of them numeric, both within 2^53 for any real ISP, and the stores' types
 * say number; a value beyond that would be a bug, so it throws rather than round.
 */
export function postgresClient(pool: pg.Pool, opts: PostgresClientOptions = {}): SqlClient {
  const scope = new AsyncLocalStorage<TransactionScope>();
  if (opts.onIdleError) pool.on('error', opts.onIdleError);
  const translated = new Map<string, { text: string; names: string[] | undefined; name: string }>();
  const translate = (text: string) => {
    let t = translated.get(text);
    if (!t) {
      const { text: pgText, names } = toPostgresText(text);
      t = { text: pgText, names, name: `q${createHash('sha1').update(pgText).digest('hex').slice(0, 16)}` };
      translated.set(text, t);
    }
    return t;
  };
  const values = (t: { names: string[] | undefined }, params: Params): unknown[] => {
    if (isParamObject(params)) {
      const obj = params[0];
      if (!t.names) throw new Error('named parameters given to a statement with positional ones');
      return t.names.map((k) => obj[k] ?? null);
    }
    return (params as Param[]).map((v) => (v === undefined ? null : v));
  };
  // In a transaction, on its connection in turn; otherwise on any pooled connection.
  const onTarget = <T>(f: (q: Queryable) => Promise<T>): Promise<T> => {
    const s = scope.getStore();
    return s ? inTurn(s, () => f(s.client)) : f(pool);
  };
  const query = async (text: string, params: Params): Promise<pg.QueryResult> => {
    const t = translate(text);
    try {
      // Named: PostgreSQL parses and plans it once per connection.
      return await onTarget((q) => q.query({ name: t.name, text: t.text, values: values(t, params) }));
    } catch (e) {
      throw constraintOf(e) ?? e;
    }
  };
  const prepared = <R>(text: string): Statement<R> => ({
    all: async (...p) => (await query(text, p)).rows as R[],
    get: async (...p) => (await query(text, p)).rows[0] as R | undefined,
    run: async (...p) => ({ changes: (await query(text, p)).rowCount ?? 0 }),
  });
  let savepoints = 0;
  const serializedTurn = new Mutex();
  return {
    dialect: 'postgres',
    prepare: prepared,
    all: (text, ...p) => prepared<never>(text).all(...p),
    get: (text, ...p) => prepared<never>(text).get(...p),
    run: (text, ...p) => prepared(text).run(...p),
    async exec(text) {
      await onTarget((q) => q.query(text));
    },
    async transaction<T>(fn: () => Promise<T>, txOpts?: TransactionOptions): Promise<T> {
      const outer = scope.getStore();
      if (outer) {
        const name = `sp${++savepoints}`;
        const onOuter = (text: string) => inTurn(outer, () => outer.client.query(text));
        await onOuter(`savepoint ${name}`);
        try {
          const result = await scope.run({ client: outer.client, depth: outer.depth + 1, turn: outer.turn }, fn);
          await onOuter(`release savepoint ${name}`);
          return result;
        } catch (e) {
          await onOuter(`rollback to savepoint ${name}`);
          throw e;
        }
      }
      // A serialized transaction waits for this node's earlier ones in the process first, in the
      // order they were asked (as on SQLite), and only then for a connection and the write lock: one
      // connection waits for the lock per node, instead of one per caller (which could take the whole
      // pool from the reads, and lets the lock's queue order callers of one node at random).
      const turn = txOpts?.serialized !== false ? await serializedTurn.lock() : undefined;
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        turn?.();
        throw e;
      }
      const tx: TransactionScope = { client, depth: 1, turn: { tail: Promise.resolve() } };
      let broken: Error | undefined;
      try {
        await client.query('begin');
        if (txOpts?.serialized !== false) await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
        const result = await scope.run(tx, fn);
        await inTurn(tx, () => client.query('commit'));
        return result;
      } catch (e) {
        try {
          await inTurn(tx, () => client.query('rollback'));
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is gone: the pool must not reuse it
        }
        throw constraintOf(e) ?? e;
      } finally {
        client.release(broken);
        turn?.();
      }
    },
    inTransaction: () => scope.getStore() !== undefined,
    async sessionLock(key) {
      if (key === WRITE_LOCK_KEY) throw new Error('the write transactions\' lock key cannot be held as a session lock');
      const client = await pool.connect();
      const lost = new AbortController();
      // A checked-out connection that fails emits 'error' on itself: without a listener that would
      // crash the process; here it is how the holder learns the lock is gone.
      const onError = (e: Error) => lost.abort(e);
      const onEnd = () => lost.abort(new Error('the session lock\'s connection ended'));
      client.on('error', onError);
      client.on('end', onEnd);
      const giveBack = (broken: Error | undefined) => {
        if (broken === undefined) {
          client.off('error', onError);
          client.off('end', onEnd);
        }
        client.release(broken);
      };
      let got: boolean;
      try {
        got = (await client.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [key])).rows[0]?.got === true;
      } catch (e) {
        giveBack(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
      if (!got) {
        giveBack(undefined);
        return null;
      }
      let released = false;
      return {
        lost: lost.signal,
        async release() {
          if (released) return;
          released = true;
          if (lost.signal.aborted) return giveBack(new Error('the session lock\'s connection was lost'));
          try {
            await client.query('select pg_advisory_unlock($1)', [key]);
          } catch (e) {
            return giveBack(e instanceof Error ? e : new Error(String(e))); // closing the connection releases the lock too
          }
          giveBack(undefined);
        },
      };
    },
    async close() {
      await pool.end();
    },
  };
}

/** int8 and numeric as numbers, refusing what a double cannot hold exactly. */
export function exactNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) && !(Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER && /\./.test(text))) {
    throw new RangeError(`the database returned ${text}, beyond what this program counts exactly`);
  }
  return n;
}

export interface PostgresOpenOptions extends PostgresClientOptions {
  url: string;
  /** Pooled connections per node; PostgreSQL's own limit is shared by every node. */
  max?: number;
}

/**
 * A pool for `url` whose connections commit durably (`synchronous_commit = on`, whatever the
 * server's default: an acknowledged accounting record must survive the server's crash) and report
 * instants in UTC, and a client over it.
 */
export function openPostgres(opts: PostgresOpenOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    options: '-c synchronous_commit=on -c timezone=UTC',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 || oid === 1700 ? exactNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  return postgresClient(pool, opts);
}

/** A connection URL as it may be shown: its password masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

