// The customer search never fails on what a person types. On SQLite, searchQuery turns it into an
// FTS5 query that the customer index accepts: the index keeps column lists only (detail = column),
// which refuses phrase queries of several tokens, so every quoted term must be one token as
// unicode61 splits text. On PostgreSQL the words become tsquery lexemes and LIKE and regular
// expression patterns, which must parse too. Random input built from characters that tokenizers and
// query syntaxes treat specially, against the real indexes on a migrated database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerSearchPages, ensureCustomerSearch, postgresSearch, searchQuery } from '../../../src/db/search.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

describe.each(backendNames)('customer search on %s', (name) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend(name);
    await ensureCustomerSearch(b.sql);
  });
  afterAll(() => b?.close());

  it('never builds a query the database refuses, whatever is typed', async () => {
    await b.sql.run(`insert into customers (name, email, phone) values ('Mario Rossi', 'mario.rossi42@example.net', '+39 333 123 4567')`);
    const pages = customerSearchPages(b.sql);
    const pool = ['a', 'é', 'e\u0301', 'ß', 'ﬁ', '中文', '字', '😀', '\u200b', '-', '.', ':', '"', "'", '*', '^', '+', '(', ')', '{', '}',
      '1', '0', 'x', 'AB', 'NEAR', 'OR', 'AND', 'NOT', ' ', '\u00a0', 'İ', 'ǅ', '٣', '\uE000', 'ｘ', 'Ⅻ', '²', 'ma', 'rio', '@', '\\', '%', '_', '&', '|', '!', '<->'];
    let seed = 42;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const failures: string[] = [];
    // PostgreSQL answers over a socket: fewer rounds, the same variety.
    for (let i = 0, n = name === 'sqlite' ? 20_000 : 3_000; i < n; i++) {
      let typed = '';
      for (let k = 0, n = 1 + rnd(8); k < n; k++) typed += pool[rnd(pool.length)];
      try {
        await pages(typed, { limit: 10 });
      } catch (e) {
        const query = name === 'sqlite' ? searchQuery(typed) : JSON.stringify(postgresSearch(typed)?.args);
        failures.push(`${JSON.stringify(typed)} -> ${query}: ${(e as Error).message}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect((await pages('mario ross', { limit: 10 })).map((c) => c.name)).toEqual(['Mario Rossi']);
  });
});
