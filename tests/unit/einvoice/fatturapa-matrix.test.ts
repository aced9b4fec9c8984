// The acceptance matrix: every kind of customer and document an Italian WISP issues, generated from
// drafts the billing domain computed, validated against the official schema (xmllint, offline), and
// read back: the file's totals are the document's to the cent.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { draftInvoice, type DraftLine } from '../../../src/domain/billing/invoicing.js';
import { buildCreditNote } from '../../../src/domain/billing/payments.js';
import type { FiscalFields } from '../../../src/domain/fiscal/customer.js';
import { fatturaXml, fileName, type FatturaInput, type FiscalDocument, type SellerFiscal } from '../../../src/domain/einvoice/fatturapa.js';
import { xsdErrors } from '../../helpers/fatturapa.js';

const seller: SellerFiscal = {
  name: 'Rete Veloce S.r.l.', vatCountry: 'IT', vatNumber: '06363391001', taxCode: '06363391001', regimeFiscale: 'RF01',
  street: 'Via Appia Nuova', streetNumber: '12', postalCode: '00183', city: 'Roma', province: 'RM', country: 'IT',
  email: 'fatture@reteveloce.example', iban: 'IT60 X054 2811 1010 0000 0123 456',
  rea: { office: 'RM', number: '1234567', capital: 1_000_000, soleShareholder: 'SU', liquidation: 'LN' },
};
const forfettario: SellerFiscal = { ...seller, name: 'Mario Bianchi', regimeFiscale: 'RF19', rea: null, vatNumber: '00743110157', taxCode: 'RSSMRA85T10A562S' };

const address = { street: 'Via Garibaldi', streetNumber: '3', postalCode: '20121', city: 'Milano', province: 'MI', country: 'IT' };
const customers: Record<string, FiscalFields> = {
  consumer: { kind: 'person', firstName: 'Mario', lastName: 'Rossi', taxCode: 'RSSMRA85T10A562S', ...address },
  companySdi: { kind: 'company', companyName: 'Bar Sport S.n.c.', vatNumber: '00743110157', sdiCode: 'M5UXCR1', ...address },
  companyPec: { kind: 'company', companyName: 'Officina Verdi S.r.l.', vatNumber: '00743110157', pec: 'officina.verdi@pec.it', ...address },
  publicAdministration: {
    kind: 'company', companyName: 'Comune di Esempio', taxCode: '06363391001', sdiCode: 'UFY9MH', publicAdministration: true,
    cig: 'Z1A2B3C4D5', cup: 'J51B21001230004', ...address,
  },
  foreign: { kind: 'company', companyName: 'Telecom Iberia S.L.', vatNumber: 'B12345674', street: 'Calle Mayor', streetNumber: '5', postalCode: '28013', city: 'Madrid', country: 'ES' },
};

let key = 0;
function line(amount: number, taxRateBp: number, opts: Partial<DraftLine> = {}): DraftLine {
  key++;
  return {
    key: `k:${key}`, kind: 'recurring', customerId: 1, serviceId: 1, description: `Fibra 100 Mega – dicembre ${key}`,
    periodStart: '2026-12-01', periodEnd: '2026-12-31', billDate: '2026-12-01', amount, taxRateBp, taxInclusive: false,
    net: 0, tax: 0, gross: 0, ...opts,
  };
}

function invoiceDoc(lines: DraftLine[], number = 'FT-2026-000042'): FiscalDocument {
  const d = draftInvoice(1, 'EUR', '2026-12-01', '2026-12-15', lines);
  return {
    type: 'TD01', number, date: d.issueDate, currency: 'EUR', dueDate: d.dueDate, total: d.total,
    lines: d.lines.map((l) => ({ description: l.description, periodStart: l.periodStart, periodEnd: l.periodEnd, net: l.net, taxRateBp: l.taxRateBp, vatNature: l.vatNature ?? null })),
    taxes: d.taxes.map((t) => ({ ...t, legalRef: t.vatNature ? 'Art. 1, c. 54-89, L. 190/2014' : null })),
  };
}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: false, isArray: (n) => ['DettaglioLinee', 'DatiRiepilogo'].includes(n) });
const cents = (s: string) => Math.round(Number(s) * 100);

interface Case {
  name: string;
  seller: SellerFiscal;
  customer: FiscalFields;
  doc: FiscalDocument;
  expect: Record<string, unknown>;
}

const plain = [line(2459, 2200), line(500, 2200, { description: 'Noleggio router' })];
const creditOf = (() => {
  const inv = draftInvoice(1, 'EUR', '2026-11-01', '2026-11-15', [line(3000, 2200, { key: 'svc:nov', taxInclusive: true }), line(1000, 1000, { key: 'etc:nov' })]);
  const note = buildCreditNote(inv.lines, { kind: 'lines', lines: [{ key: 'svc:nov', amount: 1500 }] });
  return {
    type: 'TD04', number: 'NC-2026-000003', date: '2026-11-20', currency: 'EUR', total: note.total, reason: 'Disservizio dal 16 al 30 novembre',
    corrects: { number: 'FT-2026-000031', date: '2026-11-01' },
    lines: note.lines.map((l) => ({ description: l.description, periodStart: null, periodEnd: null, net: l.net, taxRateBp: l.taxRateBp })),
    taxes: note.taxes.map((t) => ({ ...t })),
  } satisfies FiscalDocument;
})();

const cases: Case[] = [
  { name: 'consumer with codice fiscale only', seller, customer: customers.consumer!, doc: invoiceDoc(plain), expect: { CodiceDestinatario: '0000000', versione: 'FPR12', Nome: 'Mario' } },
  { name: 'company with SDI code', seller, customer: customers.companySdi!, doc: invoiceDoc(plain), expect: { CodiceDestinatario: 'M5UXCR1' } },
  { name: 'company with PEC', seller, customer: customers.companyPec!, doc: invoiceDoc(plain), expect: { CodiceDestinatario: '0000000', PECDestinatario: 'officina.verdi@pec.it' } },
  {
    name: 'public administration: FPA12, split payment, CIG and CUP', seller, customer: customers.publicAdministration!, doc: invoiceDoc(plain),
    expect: { versione: 'FPA12', CodiceDestinatario: 'UFY9MH', EsigibilitaIVA: 'S', CodiceCIG: 'Z1A2B3C4D5', CodiceCUP: 'J51B21001230004', ImportoPagamento: 29.59 },
  },
  {
    name: 'forfettario seller: RF19, N2.2, stamp duty', seller: forfettario, customer: customers.consumer!,
    doc: invoiceDoc([line(6900, 0, { vatNature: 'N2.2' }), line(2500, 0, { vatNature: 'N2.2', description: 'Installazione' })]),
    expect: { RegimeFiscale: 'RF19', Natura: 'N2.2', BolloVirtuale: 'SI', ImportoBollo: '2.00' },
  },
  { name: 'foreign customer', seller, customer: customers.foreign!, doc: invoiceDoc([line(10000, 0, { vatNature: 'N2.1' })]), expect: { CodiceDestinatario: 'XXXXXXX', 'CessionarioCommittente.IdPaese': 'ES', 'CessionarioCommittente.CAP': '00000' } },
  {
    name: 'multi-rate invoice with an exempt line', seller, customer: customers.companySdi!,
    doc: invoiceDoc([line(1025, 1000), line(1025, 1000), line(2990, 2200, { taxInclusive: true }), line(1500, 0, { vatNature: 'N4', description: 'Marca da bollo rimborso' })]),
    expect: { riepiloghi: 3 },
  },
  { name: 'credit note for part of an invoice', seller, customer: customers.companySdi!, doc: creditOf, expect: { TipoDocumento: 'TD04', IdDocumento: 'FT-2026-000031' } },
];

function find(o: unknown, path: string): unknown {
  const [first, ...rest] = path.split('.');
  const found = findKey(o, first!);
  return rest.length === 0 ? found : find(found, rest.join('.'));
}

function findKey(o: unknown, k: string): unknown {
  if (o === null || typeof o !== 'object') return undefined;
  for (const [kk, v] of Object.entries(o)) {
    if (kk === k || kk === `@_${k}`) return v;
    const r = findKey(v, k);
    if (r !== undefined) return r;
  }
  return undefined;
}

describe('FatturaPA acceptance matrix', () => {
  it.each(cases)('$name: valid against the schema, totals to the cent', (c) => {
    const input: FatturaInput = { transmitter: { country: 'IT', code: '06363391001' }, progressive: '00001', seller: c.seller, customer: c.customer, document: c.doc, paymentMethod: 'MP05' };
    const xml = fatturaXml(input);
    expect(xsdErrors(xml, fileName(input.transmitter, 1))).toBe('');
    const p = parser.parse(xml);
    const body = find(p, 'FatturaElettronicaBody') as any;
    expect(cents(body.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento)).toBe(c.doc.total);
    const lines = body.DatiBeniServizi.DettaglioLinee as any[];
    const summary = body.DatiBeniServizi.DatiRiepilogo as any[];
    expect(lines.map((l) => cents(l.PrezzoTotale))).toEqual(c.doc.lines.map((l) => l.net));
    expect(summary.map((s) => [cents(s.ImponibileImporto), cents(s.Imposta)])).toEqual(c.doc.taxes.map((t) => [t.net, t.tax]));
    // The document's total is its summary's taxable plus tax, as SDI checks it.
    expect(summary.reduce((a, s) => a + cents(s.ImponibileImporto) + cents(s.Imposta), 0)).toBe(c.doc.total);
    // Each rate's tax is its taxable amount times the rate, within SDI's rounding tolerance.
    for (const s of summary) expect(Math.abs(cents(s.Imposta) - cents(s.ImponibileImporto) * Number(s.AliquotaIVA) / 100)).toBeLessThanOrEqual(1);
    for (const [k, v] of Object.entries(c.expect)) {
      if (k === 'riepiloghi') expect(summary.length).toBe(v);
      else if (typeof v === 'number') expect(Number(find(p, k))).toBe(v);
      else expect(String(find(p, k))).toBe(v);
    }
    if (c.name.startsWith('consumer')) expect(find(p, 'BolloVirtuale')).toBeUndefined();
  });

  it('a document that does not validate is caught: the check is real', () => {
    const xml = fatturaXml({ transmitter: { country: 'IT', code: '06363391001' }, progressive: '00001', seller: { ...seller, regimeFiscale: 'RF99' }, customer: customers.consumer!, document: invoiceDoc(plain) });
    expect(xsdErrors(xml)).toMatch(/RegimeFiscale/);
  });

  it('file names: IT, the transmitter code and 5 base-36 characters', () => {
    expect(fileName({ country: 'IT', code: '06363391001' }, 1)).toBe('IT06363391001_00001.xml');
    expect(fileName({ country: 'IT', code: '06363391001' }, 36 ** 2)).toBe('IT06363391001_00100.xml');
    expect(fileName({ country: 'IT', code: 'RSSMRA85T10A562S' }, 36 ** 5 - 1)).toBe('ITRSSMRA85T10A562S_ZZZZZ.xml');
  });

  it('attaches the PDF when given', () => {
    const xml = fatturaXml({ transmitter: { country: 'IT', code: '06363391001' }, progressive: '00002', seller, customer: customers.consumer!, document: invoiceDoc(plain), attachment: { name: 'FT-2026-000042.pdf', pdf: Buffer.from('%PDF-1.4 test') } });
    expect(xsdErrors(xml)).toBe('');
    expect(String(find(parser.parse(xml), 'Attachment'))).toBe(Buffer.from('%PDF-1.4 test').toString('base64'));
  });
});
