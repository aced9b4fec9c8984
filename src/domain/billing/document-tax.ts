/**
 * VAT per rate on the document, as FatturaPA's DatiRiepilogo and EN 16931 (BR-CO-17) compute it.
 *
 * The rule, stated once:
 * - Lines are grouped by (rate, exemption nature). Each group's tax is computed ONCE on the group's
 *   total and rounded once (money.ts: half up, away from zero):
 *   - prices without VAT: taxable = Σ line amounts; tax = round(taxable × rate);
 *   - prices with VAT included: gross = Σ line amounts (as quoted); tax = round(gross × rate / (1 +
 *     rate)); taxable = gross − tax. The customer pays exactly the sum of the quoted prices.
 *   - a group holding both kinds rounds each part once, as above, and adds them.
 * - Lines keep their amounts as priced. Each line's own net/tax/gross is the group's tax shared out:
 *   every line first gets its own rounded tax, then the cents by which those disagree with the
 *   group's tax go one each to the lines of largest amount (earlier line first on a tie). So Σ line
 *   tax = the group's tax and net + tax = gross on every line, and the document's totals are still
 *   exact sums of its lines.
 * - Why: rounding the tax of every line and adding them up (the rule before this one) lets an invoice
 *   of many small lines disagree with tax computed on its taxable total by a cent per few lines, and
 *   SDI and EN 16931 check the summary against taxable × rate.
 * - A reversal of a line already issued (a later end date voids days billed in advance) keeps the
 *   net, tax and gross it reverses, so that the two cancel to the cent; the rest of its group is
 *   computed as above and the group's tax is the sum.
 * - A line with an exemption nature (N1…N7) has rate 0, so its tax is 0 and its group's taxable is
 *   the sum of its nets.
 */
import { said, TollgateError } from '../../lib/errors.js';
import { minor, mulRatio, percentOf, sum, type Minor } from '../../lib/money.js';

export interface TaxableLine {
  /** As priced: gross when taxInclusive, net otherwise. */
  readonly amount: Minor;
  readonly taxRateBp: number;
  readonly taxInclusive: boolean;
  /** FatturaPA exemption nature (N1 … N7 and subcodes) of a line without VAT; null for a taxed line. */
  readonly vatNature?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

/** One entry per (rate, nature): the document's tax summary. */
export interface RateSummary {
  readonly taxRateBp: number;
  readonly vatNature: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

const groupKey = (l: Pick<TaxableLine, 'taxRateBp' | 'vatNature'>) => `${l.taxRateBp}|${l.vatNature ?? ''}`;

/** The tax of a group's part, computed on its total. */
function partTax(total: Minor, rateBp: number, inclusive: boolean): Minor {
  return inclusive ? mulRatio(total, rateBp, 10_000 + rateBp) : percentOf(total, rateBp);
}

/**
 * The lines with their net, tax and gross recomputed by the document rule (see the header); the
 * lines come back in their order, each with its other fields untouched.
 */
export function applyDocumentTax<L extends TaxableLine>(lines: readonly L[], asBilled: (line: L) => boolean = () => false): L[] {
  const out = lines.map((l) => ({ ...l }));
  const parts = new Map<string, number[]>();
  lines.forEach((l, i) => {
    if (asBilled(l)) return;
    const k = `${groupKey(l)}|${l.taxInclusive ? 'inc' : 'exc'}`;
    const list = parts.get(k);
    if (list) list.push(i);
    else parts.set(k, [i]);
  });
  for (const idx of parts.values()) {
    const first = lines[idx[0]!]!;
    const rate = first.taxRateBp;
    const inclusive = first.taxInclusive;
    const total = sum(idx.map((i) => lines[i]!.amount));
    const target = partTax(total, rate, inclusive);
    const own = idx.map((i) => partTax(lines[i]!.amount, rate, inclusive));
    let left = target - sum(own);
    // The cents the per-line taxes miss go to the largest lines first, one each.
    const order = idx.map((_, j) => j).sort((a, b) => Math.abs(lines[idx[b]!]!.amount) - Math.abs(lines[idx[a]!]!.amount) || a - b);
    for (let n = 0; left !== 0; n++) {
      const j = order[n % order.length]!;
      const step = left > 0 ? 1 : -1;
      own[j] = own[j]! + step;
      left -= step;
    }
    idx.forEach((i, j) => {
      const l = out[i]!;
      const tax = minor(own[j]!);
      const net = inclusive ? l.amount - tax : l.amount;
      Object.assign(l, { net, tax, gross: net + tax });
    });
  }
  return out;
}

/** The document's tax summary: one entry per (rate, nature), by rate then nature. */
export function rateSummary(lines: readonly Pick<TaxableLine, 'taxRateBp' | 'vatNature' | 'net' | 'tax' | 'gross'>[]): RateSummary[] {
  const groups = new Map<string, { taxRateBp: number; vatNature: string | null; net: Minor[]; tax: Minor[]; gross: Minor[] }>();
  for (const l of lines) {
    const k = groupKey(l);
    let g = groups.get(k);
    if (!g) {
      g = { taxRateBp: l.taxRateBp, vatNature: l.vatNature ?? null, net: [], tax: [], gross: [] };
      groups.set(k, g);
    }
    g.net.push(l.net);
    g.tax.push(l.tax);
    g.gross.push(l.gross);
  }
  return [...groups.values()]
    .sort((a, b) => a.taxRateBp - b.taxRateBp || (a.vatNature ?? '').localeCompare(b.vatNature ?? ''))
    .map((g) => ({ taxRateBp: g.taxRateBp, vatNature: g.vatNature, net: sum(g.net), tax: sum(g.tax), gross: sum(g.gross) }));
}

/** FatturaPA 1.2.2 exemption natures (the codes in force since 2021; N2, N3, N6 alone are no longer accepted). */
export const VAT_NATURES = [
  'N1', 'N2.1', 'N2.2', 'N3.1', 'N3.2', 'N3.3', 'N3.4', 'N3.5', 'N3.6', 'N4', 'N5',
  'N6.1', 'N6.2', 'N6.3', 'N6.4', 'N6.5', 'N6.6', 'N6.7', 'N6.8', 'N6.9', 'N7',
] as const;
export type VatNature = (typeof VAT_NATURES)[number];

export function isVatNature(v: string): v is VatNature {
  return (VAT_NATURES as readonly string[]).includes(v);
}

/** Checks a price's exemption nature against its rate: a nature needs 0 %, and must be a code in force. */
export function checkVatNature(taxRateBp: number | undefined, vatNature: string | null | undefined, field = 'vatNature'): void {
  if (vatNature == null) return;
  if (!isVatNature(vatNature)) throw new TollgateError('invalid_input', said('fault.vatNature', `${vatNature} is not an exemption nature in force (N1, N2.1, N2.2, N3.1 … N3.6, N4, N5, N6.1 … N6.9, N7)`, { value: vatNature }), field);
  if ((taxRateBp ?? 0) !== 0) throw new TollgateError('invalid_input', said('fault.vatNature.rate', 'an exemption nature goes with taxRateBp 0'), field);
}
