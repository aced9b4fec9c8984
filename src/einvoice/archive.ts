/**
 * The accountant's archive for a date range: a ZIP with, per invoice and credit note, its FatturaPA
 * file and its PDF, plus the sales VAT register as CSV (one row per document and VAT rate or
 * exemption nature; credit notes with negative amounts, as the register nets them).
 */
import { strToU8, zipSync } from 'fflate';
import type { StoredDocument } from '../db/einvoice.js';
import { toDecimalString } from '../lib/money.js';

export interface ArchiveEntry {
  readonly document: StoredDocument;
  readonly customerName: string;
  readonly customerTaxId: string | null;
  readonly state: string;
  readonly xml: { readonly fileName: string; readonly xml: string } | null;
  readonly pdf: Buffer | null;
}

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The sales VAT register: date, number, type, customer, tax id, rate, nature, taxable, tax, total. */
export function vatRegisterCsv(entries: readonly ArchiveEntry[]): string {
  const rows: (string | number | null)[][] = [[
    'date', 'number', 'type', 'customer', 'customer_tax_id', 'vat_rate', 'nature', 'taxable', 'tax', 'document_total', 'sdi_state', 'file',
  ]];
  for (const e of entries) {
    const d = e.document;
    const sign = d.kind === 'credit_note' ? -1 : 1;
    const groups = new Map<string, { rate: number; nature: string | null; net: number; tax: number }>();
    for (const l of d.lines) {
      const k = `${l.taxRateBp}|${l.vatNature ?? ''}`;
      const g = groups.get(k) ?? { rate: l.taxRateBp, nature: l.vatNature, net: 0, tax: 0 };
      groups.set(k, { ...g, net: g.net + l.net, tax: g.tax + l.tax });
    }
    for (const g of [...groups.values()].sort((a, b) => a.rate - b.rate)) {
      rows.push([
        d.issueDate, d.number, d.kind === 'invoice' ? 'TD01' : 'TD04', e.customerName, e.customerTaxId, toDecimalString(g.rate, 2), g.nature,
        toDecimalString(sign * g.net, 2), toDecimalString(sign * g.tax, 2), toDecimalString(sign * d.total, 2), e.state, e.xml?.fileName ?? null,
      ]);
    }
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** The ZIP: xml/<file>.xml, pdf/<number>.pdf, and registro-iva-vendite_<from>_<to>.csv. */
export function fiscalArchiveZip(from: string, to: string, entries: readonly ArchiveEntry[]): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const e of entries) {
    if (e.xml) files[`xml/${safe(e.xml.fileName)}`] = strToU8(e.xml.xml);
    if (e.pdf) files[`pdf/${safe(e.document.number)}.pdf`] = new Uint8Array(e.pdf);
  }
  files[`registro-iva-vendite_${from}_${to}.csv`] = strToU8(vatRegisterCsv(entries));
  return zipSync(files, { level: 6 });
}
