/**
 * SDI's receipts (ricevute e notifiche) and what each does to a document's delivery state.
 *
 * SDI answers every file it takes with a message named after the file plus the message type and a
 * counter: `IT01234567890_00001_RC_001.xml`. The types:
 * - RC RicevutaConsegna: delivered to the recipient            → delivered
 * - NS NotificaScarto: rejected, with SDI's error codes          → rejected (correct and re-send
 *      within 5 days with the SAME number and date, in a new file)
 * - MC NotificaMancataConsegna: not delivered (no valid channel): the invoice is in the customer's
 *      tax area, and the customer must be told (the PDF by email) → not_delivered
 * - NE NotificaEsito (public administration): EC01 accepted / EC02 refused → accepted / refused
 * - DT NotificaDecorrenzaTermini (public administration): 15 days without an outcome → accepted
 *      (deemed accepted; the state keeps the DT code)
 * - AT AttestazioneTrasmissioneFattura (public administration): could not be delivered → not_delivered
 * - MT metadata of a received file: no state change (not expected for issued documents)
 *
 * The states, stated once: to_send (generated, waiting for the channel), sent (the channel took the
 * file), delivered, not_delivered, rejected, accepted, refused. A final outcome (accepted, refused)
 * is not moved back by a late RC; a rejection is final for its file, and a re-send starts again at
 * to_send with a new file name. Pure; the XML is parsed with fast-xml-parser.
 */
import { XMLParser } from 'fast-xml-parser';

export type ReceiptType = 'RC' | 'NS' | 'MC' | 'NE' | 'DT' | 'AT' | 'MT' | 'EC' | 'SE';

export type DeliveryState = 'to_send' | 'sent' | 'delivered' | 'not_delivered' | 'rejected' | 'accepted' | 'refused';

export const DELIVERY_STATES: readonly DeliveryState[] = ['to_send', 'sent', 'delivered', 'not_delivered', 'rejected', 'accepted', 'refused'];

export interface ReceiptError {
  readonly code: string;
  readonly text: string;
}

export interface Receipt {
  readonly type: ReceiptType;
  /** The receipt file's own name. */
  readonly fileName: string;
  /** The invoice file it is about (from the message, else from the receipt's name). */
  readonly invoiceFile: string;
  /** SDI's id of the file (IdentificativoSdI). */
  readonly sdiId: string | null;
  /** NS: SDI's errors (code and text). */
  readonly errors: readonly ReceiptError[];
  /** NE: EC01 accepted, EC02 refused. */
  readonly outcome: 'EC01' | 'EC02' | null;
  /** The message's description or note, for the operator. */
  readonly text: string | null;
}

const ROOTS: Readonly<Record<string, ReceiptType>> = {
  RicevutaConsegna: 'RC', NotificaScarto: 'NS', NotificaMancataConsegna: 'MC', NotificaEsito: 'NE',
  NotificaDecorrenzaTermini: 'DT', AttestazioneTrasmissioneFattura: 'AT', MetadatiInvioFile: 'MT',
  NotificaEsitoCommittente: 'EC', ScartoEsitoCommittente: 'SE',
};

const NAME = /^(?<file>[A-Z]{2}[A-Za-z0-9]{11,16}_[A-Za-z0-9]{1,5})_(?<type>RC|NS|MC|NE|DT|AT|MT|EC|SE)_(?<n>\d{3})\.xml$/;

/** `IT01234567890_00001_RC_001.xml` → the invoice file (with .xml) and the type; null for other names. */
export function parseReceiptName(name: string): { invoiceFile: string; type: ReceiptType } | null {
  const m = NAME.exec(name);
  if (!m?.groups) return null;
  return { invoiceFile: `${m.groups.file}.xml`, type: m.groups.type as ReceiptType };
}

export class ReceiptParseError extends Error {}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true, isArray: (n) => n === 'Errore' });

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Parses one receipt file; throws ReceiptParseError for a file that is not an SDI message. */
export function parseReceipt(fileName: string, xml: string | Buffer): Receipt {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw new ReceiptParseError(`${fileName}: not XML (${(e as Error).message})`);
  }
  const rootName = Object.keys(doc).find((k) => k in ROOTS);
  const byName = parseReceiptName(fileName);
  if (!rootName) throw new ReceiptParseError(`${fileName}: not an SDI message (root ${Object.keys(doc).filter((k) => k !== '?xml').join(', ') || 'none'})`);
  const type = ROOTS[rootName]!;
  const m = (doc[rootName] ?? {}) as Record<string, unknown>;
  const invoiceFile = text(m.NomeFile) ?? byName?.invoiceFile;
  if (!invoiceFile) throw new ReceiptParseError(`${fileName}: names no invoice file`);
  const errors = ((m.ListaErrori as { Errore?: unknown[] } | undefined)?.Errore ?? []).map((e) => {
    const r = e as Record<string, unknown>;
    return { code: text(r.Codice) ?? '', text: [text(r.Descrizione), text(r.Suggerimento)].filter(Boolean).join(' — ') };
  });
  const esito = (m.EsitoCommittente as Record<string, unknown> | undefined) ?? {};
  const outcome = text(esito.Esito);
  return {
    type, fileName, invoiceFile, sdiId: text(m.IdentificativoSdI), errors,
    outcome: outcome === 'EC01' || outcome === 'EC02' ? outcome : null,
    text: text(m.Descrizione) ?? text(esito.Descrizione) ?? text(m.Note),
  };
}

export interface StateChange {
  readonly state: DeliveryState;
  /** SDI's code: the error codes of a rejection (comma-separated), EC01/EC02, DT. */
  readonly code: string | null;
  readonly text: string | null;
}

const FINAL: ReadonlySet<DeliveryState> = new Set(['accepted', 'refused']);

/** The state a receipt moves a document to; null when it changes nothing. */
export function stateAfter(current: DeliveryState, r: Receipt): StateChange | null {
  if (FINAL.has(current)) return null;
  switch (r.type) {
    case 'RC':
      return current === 'rejected' ? null : { state: 'delivered', code: null, text: r.text };
    case 'NS':
      return { state: 'rejected', code: r.errors.map((e) => e.code).join(',') || null, text: r.errors.map((e) => `${e.code} ${e.text}`).join('; ') || r.text };
    case 'MC':
    case 'AT':
      return { state: 'not_delivered', code: r.type, text: r.text };
    case 'NE':
      if (r.outcome === 'EC01') return { state: 'accepted', code: 'EC01', text: r.text };
      if (r.outcome === 'EC02') return { state: 'refused', code: 'EC02', text: r.text };
      return null;
    case 'DT':
      return { state: 'accepted', code: 'DT', text: r.text ?? 'terms expired without an outcome: deemed accepted' };
    default:
      return null;
  }
}

/** Whether a document in this state may be sent again (a rejection corrected, or a file never taken). */
export function resendable(state: DeliveryState): boolean {
  return state === 'rejected' || state === 'to_send';
}
