// A separate process that redeems one voucher on a shared database file, started by
// tests/integration/vouchers.test.ts to race several processes (several SQLite connections) for one code.
// argv: dbPath code startAtMs. Prints "ok <serviceId>" or "conflict" or "error <message>".
import { randomBytes } from 'node:crypto';
import { createPrepaidOps } from '../../src/billing/prepaid-ops.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf } from '../../src/db/client.js';
import { systemClock } from '../../src/lib/clock.js';
import { TollgateError } from '../../src/lib/errors.js';
import { SecretBox } from '../../src/lib/secretbox.js';

const [path, code, startAt] = process.argv.slice(2) as [string, string, string];
const db = openDatabase({ path, synchronous: 'normal' });
const ops = createPrepaidOps({ sql: sqlOf(db), box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock: systemClock });
while (Date.now() < Number(startAt)) { /* spin until the common start, so the attempts overlap */ }
try {
  const r = await ops.vouchers.redeem({ code, customer: { name: `process ${process.pid}` } }, { id: `test:${process.pid}` });
  console.log(`ok ${r.serviceId}`);
} catch (e) {
  console.log(e instanceof TollgateError && e.code === 'conflict' ? 'conflict' : `error ${(e as Error).message}`);
}
db.$client.close();
