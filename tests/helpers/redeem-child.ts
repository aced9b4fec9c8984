// A separate process that redeems one voucher on a shared database, started by
// tests/integration/vouchers.test.ts to race several processes (several connections) for one code.
// argv: database (a SQLite file's path or a PostgreSQL URL) code startAtMs. Prints "ok <serviceId>" or "conflict" or "error <message>".
import { randomBytes } from 'node:crypto';
import { createPrepaidOps } from '../../src/billing/prepaid-ops.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf } from '../../src/db/client.js';
import { openPostgres } from '../../src/db/sql.js';
import { systemClock } from '../../src/lib/clock.js';
import { TollgateError } from '../../src/lib/errors.js';
import { SecretBox } from '../../src/lib/secretbox.js';

const [database, code, startAt] = process.argv.slice(2) as [string, string, string];
const sql = database.startsWith('postgres://') ? openPostgres({ url: database, max: 1 }) : sqlOf(openDatabase({ path: database, synchronous: 'normal' }));
const ops = createPrepaidOps({ sql, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock: systemClock });
while (Date.now() < Number(startAt)) { /* spin until the common start, so the attempts overlap */ }
try {
  const r = await ops.vouchers.redeem({ code, customer: { name: `process ${process.pid}` } }, { id: `test:${process.pid}` });
  console.log(`ok ${r.serviceId}`);
} catch (e) {
  console.log(e instanceof TollgateError && e.code === 'conflict' ? 'conflict' : `error ${(e as Error).message}`);
}
await sql.close();
