// Customers from before the fiscal record keep everything through its migration: the free-text
// address and tax id stay as they were, the id becomes the customer number.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { defaultMigrationsDir, migrate } from '../../src/db/migrate.js';
import { tempDir } from '../helpers/daemon.js';

describe('the customer fiscal record migration', () => {
  it('keeps the old address and tax id and numbers existing customers by id', async () => {
    const dir = join(tempDir(), 'migrations');
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    const journalPath = join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_customer_fiscal_record_and_fatturapa'));
    expect(at).toBeGreaterThan(0);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));

    const db = openDatabase({ path: join(tempDir(), 'old.db') });
    await migrate(db.$client, { dir });
    db.$client.prepare(`insert into customers (name, address, tax_id) values (?, ?, ?)`).run('Bar Sport di Bianchi', 'Via Garibaldi 3, 20121 Milano MI', 'IT06363391001');
    await migrate(db.$client);
    const row = db.$client.prepare(`select name, address, tax_id as taxId, kind, customer_number as customerNumber, street, public_administration as pa from customers`).get();
    expect(row).toEqual({ name: 'Bar Sport di Bianchi', address: 'Via Garibaldi 3, 20121 Milano MI', taxId: 'IT06363391001', kind: 'person', customerNumber: '1', street: null, pa: 0 });
    db.$client.close();
  });
});
