/**
 * Italian e-invoicing around the pure parts (src/domain/einvoice): which documents go to SDI, their
 * FatturaPA file, delivery through a channel, SDI's receipts and the documents' states.
 *
 * The daily run (`runFor(date)`, the `einvoice` job after billing):
 * 1. registers the invoices and credit notes issued in the 12 days up to the date (SDI's time to
 *    transmit), each once, as `to_send`;
 * 2. for each document due: a customer without valid fiscal data is reported (who and why) and left
 *    `to_send` with the reason, the rest goes on; otherwise its file is generated (once: what the
 *    API serves is what is sent) and handed to the channel; a channel failure is transient and
 *    retried with backoff (5 minutes doubling, at most a day);
 * 3. reads SDI's receipts and applies them (receipts.ts); the first receipt's sender becomes the
 *    SDI address used from then on;
 * 4. alerts the operator, once per rejection, of a rejected document waiting to be corrected;
 * 5. mails the previous month's archive to the accountant once a month (the run of the 1st, or the
 *    first after it that succeeds), when set.
 * A rejected document is corrected (customer or seller data) and sent again through `resend`: a new
 * file with the SAME number and date, as SDI requires within five days of the rejection.
 */
import type { Config } from '../config/schema.js';
import type { DocKind, EinvoiceStore, FiscalDocumentRow, StoredDocument } from '../db/einvoice.js';
import { fatturaXml, fileName, type FatturaInput, type FiscalDocument, type PaymentMethod, type SellerFiscal, type Transmitter } from '../domain/einvoice/fatturapa.js';
import { parseReceipt, ReceiptParseError, resendable, stateAfter, type Receipt } from '../domain/einvoice/receipts.js';
import { channelProblems, sellerProblems, type SellerProblem } from '../domain/einvoice/seller.js';
import { einvoiceProblems, type EinvoiceCustomerProblem } from '../domain/fiscal/customer.js';
import { fiscalArchiveZip, type ArchiveEntry } from './archive.js';
import { addDays, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { notFound, said, TollgateError } from '../lib/errors.js';

/** A file on its way to SDI. */
export interface OutgoingFile {
  readonly fileName: string;
  readonly xml: string;
}

/** A file SDI sent back (a receipt), with the address it came from when the channel knows it. */
export interface IncomingFile {
  readonly fileName: string;
  readonly xml: string;
  readonly from: string | null;
}

/** One way to SDI: PEC (pec.ts) or an accredited intermediary's API (acube.ts). */
export interface SdiChannel {
  readonly name: string;
  /** Sends one file to `to` (SDI's address); resolves with the transmission's id. Throws when the channel failed. */
  send(file: OutgoingFile, to: string): Promise<{ messageId: string | null }>;
  /** The receipts waiting; each is returned once (the channel marks what it handed over). */
  receive(): Promise<IncomingFile[]>;
}

export interface EinvoiceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EinvoiceOptions {
  store: EinvoiceStore;
  config: Config;
  clock: Clock;
  /** Undefined: no channel configured; files are generated and served, nothing is sent. */
  channel?: SdiChannel | undefined;
  /** The document's PDF, attached to the XML when `[einvoice] attach_pdf` is set. */
  pdf?: ((kind: DocKind, id: number) => Promise<Buffer>) | undefined;
  /** Tells the operator of rejections waiting (once each). */
  alert?: ((rejected: readonly FiscalDocumentRow[]) => Promise<void>) | undefined;
  /** Mails the accountant (`[einvoice] accountant_email`): the month's archive as an attachment. */
  mail?: ((to: string, subject: string, text: string, attachment: { filename: string; content: Buffer }) => Promise<void>) | undefined;
  log?: EinvoiceLog | undefined;
}

export interface EinvoiceRunResult {
  sent: number;
  /** Documents that cannot be sent until their customer's fiscal data are fixed: who and why. */
  blocked: { documentId: number; number: string; customerId: number; customerName: string; problems: EinvoiceCustomerProblem[] }[];
  failed: { documentId: number; number: string; error: string }[];
  receipts: number;
  alerted: number;
  /** The month whose archive was mailed to the accountant by this run (YYYY-MM), if any. */
  archiveMailed?: string;
  /** Why SDI's receipts could not be read by this run (retried by the next). */
  receiveError?: string;
  /** Why the accountant's archive could not be mailed (retried by the next run). */
  archiveError?: string;
}

const SDI_ADDRESS_KEY = 'einvoice.sdi_address';
/** SDI's time to transmit an invoice after its date. */
const TRACK_DAYS = 12;

export type EinvoiceService = ReturnType<typeof einvoiceService>;

/**
 * Why a document is held back, by catalogue key, as `fiscal_documents.last_error_message` keeps it;
 * null when a problem has no key (then the English text alone stands).
 */
function blockedMessage(problems: readonly EinvoiceCustomerProblem[]): string | null {
  const keyed = problems.map((p) => (p.local ? { field: p.field, key: p.local.key, values: p.local.values ?? {} } : undefined));
  return keyed.some((k) => k === undefined) ? null : JSON.stringify(keyed);
}

export function einvoiceService(opts: EinvoiceOptions) {
  const { store, config, clock } = opts;
  const now = () => clock.now().toISOString();

  const seller = (): SellerFiscal => {
    const c = config.company;
    return {
      name: c.name, vatCountry: c.vat_country, vatNumber: c.vat_number, taxCode: c.tax_code, regimeFiscale: c.regime_fiscale,
      street: c.street, streetNumber: c.street_number, postalCode: c.postal_code, city: c.city, province: c.province, country: c.country,
      email: c.email, phone: c.phone, iban: c.iban,
      rea: c.rea_office && c.rea_number
        ? { office: c.rea_office, number: c.rea_number, capital: c.rea_capital, soleShareholder: c.rea_sole_shareholder as '' | 'SU' | 'SM', liquidation: c.rea_liquidation as 'LS' | 'LN' }
        : null,
    };
  };

  const transmitter = (): Transmitter => {
    const e = config.einvoice;
    return { country: e.transmitter_code ? e.transmitter_country : config.company.vat_country, code: e.transmitter_code || config.company.vat_number || config.company.tax_code };
  };

  /** The seller's own data that every file needs: a problem there stops the run for everyone (a config error). */
  const sellerConfigProblems = () => sellerProblems(config.company, config.einvoice);

  function documentOf(d: StoredDocument): FiscalDocument {
    // The legal reference of a nature is the first line's that carries one.
    const refs = new Map<string, string>();
    for (const l of d.lines) if (l.vatNature && l.vatLegalRef && !refs.has(l.vatNature)) refs.set(l.vatNature, l.vatLegalRef);
    const taxes = new Map<string, { taxRateBp: number; vatNature: string | null; net: number; tax: number }>();
    for (const l of d.lines) {
      const k = `${l.taxRateBp}|${l.vatNature ?? ''}`;
      const t = taxes.get(k) ?? { taxRateBp: l.taxRateBp, vatNature: l.vatNature, net: 0, tax: 0 };
      taxes.set(k, { ...t, net: t.net + l.net, tax: t.tax + l.tax });
    }
    return {
      type: d.kind === 'invoice' ? 'TD01' : 'TD04', number: d.number, date: d.issueDate, currency: d.currency, total: d.total,
      dueDate: d.dueDate, corrects: d.corrects, reason: d.reason,
      lines: d.lines.map((l) => ({ description: l.description, periodStart: l.periodStart, periodEnd: l.periodEnd, net: l.net, taxRateBp: l.taxRateBp, vatNature: l.vatNature })),
      taxes: [...taxes.values()]
        .sort((a, b) => a.taxRateBp - b.taxRateBp || (a.vatNature ?? '').localeCompare(b.vatNature ?? ''))
        .map((t) => ({ ...t, legalRef: t.vatNature ? refs.get(t.vatNature) ?? null : null })),
    };
  }

  /** Why a document cannot be e-invoiced now: the seller's configuration, then the customer's record. */
  async function problemsOf(doc: FiscalDocumentRow): Promise<EinvoiceCustomerProblem[]> {
    const s = sellerConfigProblems();
    if (s.length > 0) {
      return s.map((p) => ({
        field: p.key, message: p.message,
        local: p.code === 'missing' ? said('fault.einvoice.notSet', p.message, { setting: p.key }) : said('fault.einvoice.settingInvalid', p.message, { setting: p.key }),
      }));
    }
    const customer = await store.customer(doc.customerId);
    if (!customer) return [{ field: 'customerId', message: 'the customer does not exist', local: said('fault.einvoice.noCustomer', 'the customer does not exist') }];
    return einvoiceProblems(customer);
  }

  /** Generates the document's next file and makes it its current one. */
  async function generate(doc: FiscalDocumentRow): Promise<{ fileName: string; xml: string }> {
    const problems = await problemsOf(doc);
    if (problems.length > 0) {
      throw new TollgateError('einvoice_not_ready', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems[0]!.field, { fields: problems });
    }
    const stored = await store.document(doc.kind, doc.documentId);
    const customer = await store.customer(doc.customerId);
    if (!stored || !customer) throw notFound(doc.kind === 'invoice' ? 'invoice' : 'credit note', doc.documentId);
    const n = await store.nextFileNumber();
    const t = transmitter();
    const name = fileName(t, n);
    const attach = config.einvoice.attach_pdf && opts.pdf ? { name: `${stored.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`, pdf: await opts.pdf(doc.kind, doc.documentId) } : null;
    const input: FatturaInput = {
      transmitter: t, progressive: name.slice(name.indexOf('_') + 1, -4), seller: seller(), customer, document: documentOf(stored),
      paymentMethod: config.einvoice.payment_method as PaymentMethod, attachment: attach,
    };
    const xml = fatturaXml(input);
    await store.recordFile(doc.id, { progressive: n, fileName: name, xml, channel: opts.channel?.name ?? 'none' }, now());
    return { fileName: name, xml };
  }

  async function sdiAddress(): Promise<string> {
    return (await store.setting(SDI_ADDRESS_KEY)) ?? config.einvoice.sdi_address;
  }

  async function applyIncoming(files: readonly IncomingFile[]): Promise<number> {
    let applied = 0;
    for (const f of files) {
      let r: Receipt;
      try {
        r = parseReceipt(f.fileName, f.xml);
      } catch (e) {
        if (e instanceof ReceiptParseError) {
          opts.log?.warn({ file: f.fileName, err: e.message }, 'einvoice: a file from SDI could not be read');
          continue;
        }
        throw e;
      }
      const out = await store.applyReceipt(r, f.xml, (current) => stateAfter(current, r), now());
      if (out.stored) applied++;
      // SDI answers from the address its specification tells the sender to use from then on.
      if (f.from && out.documentId !== null && (await store.setting(SDI_ADDRESS_KEY)) === null) {
        await store.putSetting(SDI_ADDRESS_KEY, f.from, now());
      }
    }
    return applied;
  }

  /** The ZIP of XML, PDF and the sales VAT register for documents issued from `from` to `to`. */
  async function archive(from: CalDate, to: CalDate): Promise<Uint8Array> {
    const entries: ArchiveEntry[] = [];
    for (const { kind, id } of await store.documentsInRange(from, to)) {
      const document = (await store.document(kind, id))!;
      const customer = await store.customer(document.customerId);
      // A document whose customer cannot be e-invoiced yet is in the register and as PDF, without XML.
      const xml = await xmlOf(kind, id).catch((e: unknown) => {
        if (e instanceof TollgateError && e.code === 'einvoice_not_ready') return null;
        throw e;
      });
      const state = (await store.getByDocument(kind, id))?.state ?? 'to_send';
      entries.push({
        document, customerName: customer?.name ?? '', customerTaxId: customer?.vatNumber ?? customer?.taxCode ?? null, state, xml,
        pdf: opts.pdf ? await opts.pdf(kind, id) : null,
      });
    }
    return fiscalArchiveZip(from, to, entries);
  }

  /**
   * The previous month's archive to the accountant, once per month (a settings key remembers it): the
   * run of the 1st sends it, or the first run after that succeeds.
   */
  async function mailMonthlyArchive(date: CalDate): Promise<string | undefined> {
    const to = config.einvoice.accountant_email;
    if (!to || !opts.mail) return undefined;
    const last = addDays(`${date.slice(0, 8)}01`, -1);
    const month = last.slice(0, 7);
    const key = `einvoice.archive_mailed.${month}`;
    if ((await store.setting(key)) !== null) return undefined;
    const zip = await archive(`${month}-01`, last);
    await opts.mail(to, `${config.company.name || 'Tollgate'}: fatture e registro IVA ${month}`,
      `The invoices and credit notes of ${month} (FatturaPA XML and PDF) and the sales VAT register.`,
      { filename: `fiscal-archive_${month}.zip`, content: Buffer.from(zip) });
    await store.putSetting(key, now(), now());
    return month;
  }

  async function xmlOf(kind: DocKind, documentId: number): Promise<{ fileName: string; xml: string }> {
    await store.trackOne(kind, documentId, now());
    const doc = await store.getByDocument(kind, documentId);
    if (!doc) throw notFound(kind === 'invoice' ? 'invoice' : 'credit note', documentId);
    if (doc.fileName) {
      const f = await store.file(doc.fileName);
      if (f) return f;
    }
    return generate(doc);
  }

  return {
    archive,
    /**
     * What the seller's config lacks for e-invoicing (by config key), and the SDI address in use: the
     * first-contact one until SDI's first receipt names another.
     */
    async sellerStatus(): Promise<{ problems: SellerProblem[]; sdiAddress: string }> {
      return { problems: [...sellerConfigProblems(), ...channelProblems(config.einvoice)], sdiAddress: await sdiAddress() };
    },
    /** The document's XML: the file sent (or generated to send) as it is; generated now when it has none. */
    xml: xmlOf,

    /** Marks a rejected (or never taken) document to be sent again in a new file, same number and date. */
    async resend(id: number): Promise<FiscalDocumentRow> {
      const doc = await store.get(id);
      if (!doc) throw notFound('fiscal document', id);
      if (!resendable(doc.state)) throw new TollgateError('einvoice_state', said('fault.einvoice.resendState', `a ${doc.state} document is not sent again (only a rejected one, or one not sent yet)`, { state: doc.state }), 'state');
      const problems = await problemsOf(doc);
      if (problems.length > 0) throw new TollgateError('einvoice_not_ready', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems[0]!.field, { fields: problems });
      await store.markForResend(id, now());
      return (await store.get(id))!;
    },

    /** Reads and applies SDI's receipts now (also part of the daily run). */
    async receive(): Promise<number> {
      return opts.channel ? applyIncoming(await opts.channel.receive()) : 0;
    },

    /** Applies receipt files handed over directly (a file the operator downloaded from SDI's portal). */
    applyFiles: applyIncoming,

    /** Applies a receipt an intermediary delivered (webhook), keyed by its id of the transmission. */
    async applyIntermediaryReceipt(r: Receipt, transmissionId: string, raw: string): Promise<{ stored: boolean; documentId: number | null }> {
      return store.applyReceipt(r, raw, (current) => stateAfter(current, r), now(), transmissionId);
    },

    async runFor(date: CalDate): Promise<EinvoiceRunResult> {
      const result: EinvoiceRunResult = { sent: 0, blocked: [], failed: [], receipts: 0, alerted: 0 };
      // Like the receipts, a mail that cannot go out now is reported and tried again by the next run.
      try {
        const mailed = await mailMonthlyArchive(date);
        if (mailed) result.archiveMailed = mailed;
      } catch (e) {
        result.archiveError = (e as Error).message;
        opts.log?.warn({ err: result.archiveError }, "einvoice: the accountant's archive could not be mailed; the next run tries again");
      }
      if (!opts.channel) return result;
      await store.track(addDays(date, -TRACK_DAYS), date, now());
      const to = await sdiAddress();
      for (;;) {
        const due = await store.due(now(), 200);
        const fresh = due.filter((d) => !result.blocked.some((b) => b.documentId === d.id) && !result.failed.some((f) => f.documentId === d.id));
        if (fresh.length === 0) break;
        for (const doc of fresh) {
          const problems = await problemsOf(doc);
          if (problems.length > 0) {
            result.blocked.push({ documentId: doc.id, number: doc.number, customerId: doc.customerId, customerName: doc.customerName, problems });
            await store.recordBlocked(doc.id, problems.map((p) => `${p.field}: ${p.message}`).join('; '), now(), blockedMessage(problems));
            continue;
          }
          try {
            const file = doc.fileName ? (await store.file(doc.fileName)) ?? (await generate(doc)) : await generate(doc);
            const { messageId } = await opts.channel.send(file, to);
            await store.recordSent(doc.id, file.fileName, messageId, now());
            result.sent++;
          } catch (e) {
            const msg = (e as Error).message;
            const wait = Math.min(5 * 60_000 * 2 ** doc.attempts, 86_400_000);
            await store.recordFailure(doc.id, msg, new Date(clock.now().getTime() + wait).toISOString(), now());
            result.failed.push({ documentId: doc.id, number: doc.number, error: msg });
            opts.log?.warn({ document: doc.number, err: msg }, 'einvoice: sending failed; it is retried');
          }
        }
      }
      if (result.blocked.length > 0) {
        opts.log?.warn({ blocked: result.blocked.map((b) => ({ number: b.number, customer: b.customerName, why: b.problems.map((p) => p.message) })) }, 'einvoice: documents waiting for fiscal data');
      }
      // A mailbox that cannot be read now is reported, not thrown: the jobs after this one (dunning,
      // prepaid, caps) must not wait on it, and the next run reads what is waiting.
      try {
        result.receipts = await applyIncoming(await opts.channel.receive());
      } catch (e) {
        result.receiveError = (e as Error).message;
        opts.log?.warn({ err: result.receiveError }, "einvoice: SDI's receipts could not be read; the next run tries again");
      }
      const rejected = await store.rejectedUnalerted();
      if (rejected.length > 0) {
        await opts.alert?.(rejected);
        for (const d of rejected) await store.markAlerted(d.id, now());
        result.alerted = rejected.length;
      }
      return result;
    },
  };
}
