// searchQuery turns anything a person types into an FTS5 query that the customer index accepts: the
// index keeps column lists only (detail = column), which refuses phrase queries of several tokens, so
// every quoted term must be one token as unicode61 splits text. Random input built from characters
// that tokenizers and FTS5 syntax treat specially, against the real index on a migrated database.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { migrate } from '../../../src/db/migrate.js';
import { customerSearchPages, ensureCustomerSearch, searchQuery } from '../../../src/db/search.js';
import { tempDir } from '../../helpers/daemon.js';

it('never builds a query the index refuses, whatever is typed', async () => {
  const db = openDatabase({ path: join(tempDir(), 'search-fuzz.db'), synchronous: 'normal' });
  await migrate(db.$client);
  ensureCustomerSearch(db.$client);
  db.$client.exec(`insert into customers (name, email, phone) values ('Mario Rossi', 'mario.rossi42@example.net', '+39 333 123 4567')`);
  const pages = customerSearchPages(db);
  const pool = ['a', 'é', 'e\u0301', 'ß', 'ﬁ', '中文', '字', '😀', '\u200b', '-', '.', ':', '"', "'", '*', '^', '+', '(', ')', '{', '}',
    '1', '0', 'x', 'AB', 'NEAR', 'OR', 'AND', 'NOT', ' ', '\u00a0', 'İ', 'ǅ', '٣', '\uE000', 'ｘ', 'Ⅻ', '²', 'ma', 'rio', '@'];
  let seed = 42;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const failures: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    let typed = '';
    for (let k = 0, n = 1 + rnd(8); k < n; k++) typed += pool[rnd(pool.length)];
    try {
      pages(typed, { limit: 10 });
    } catch (e) {
      failures.push(`${JSON.stringify(typed)} -> ${searchQuery(typed)}: ${(e as Error).message}`);
    }
  }
  expect(failures.slice(0, 5)).toEqual([]);
  expect(pages('mario ross', { limit: 10 }).map((c) => c.name)).toEqual(['Mario Rossi']);
  db.$client.close();
});
