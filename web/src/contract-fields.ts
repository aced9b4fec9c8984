// Field pieces of the contract screens in the operator's units: VAT as a percentage (basis points on
// the wire), data in GB or MB (bytes on the wire), through units.ts (exact both ways). A field holds
// the text as typed; its `validate` reads it with units.ts and the form's action converts it, so an
// error of the API on `taxRateBp` or `bytes` still lands beside the field of that name.
import type { Field } from './components/form.js';
import { t } from './i18n.js';
import { bpToPercent, bytesToSize, percentToBp, sizeToBytes, type ParseError, type Parsed, type SizeUnit } from './units.js';

const PARSE_MESSAGES: Record<ParseError, () => string> = {
  empty: () => t('form.required'),
  not_a_number: () => t('form.notNumber'),
  too_precise: () => t('contract.tooPrecise'),
  out_of_range: () => t('contract.outOfRange'),
};

/** The message of a value units.ts refused (undefined for a value it read). */
export const parsedError = (p: Parsed): string | undefined => (p.ok ? undefined : PARSE_MESSAGES[p.error]());

/** A percentage typed as text ("22", "10,5"), sent as basis points by `percentBody`. */
export function percentField(name: string, label: string, extra: Partial<Field> = {}): Field {
  return {
    name, label, maxLength: 10, ...extra,
    validate: (v) => (typeof v === 'string' && v !== '' ? parsedError(percentToBp(v)) : undefined),
  };
}

/** The percentage fields of a body as basis points (left out when empty). */
export function percentBody(body: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out = { ...body };
  for (const n of names) {
    const v = out[n];
    if (typeof v !== 'string') continue;
    const p = percentToBp(v);
    if (p.ok) out[n] = p.value;
    else delete out[n];
  }
  return out;
}

/** Basis points as the percentage field shows them. */
export const percentValue = (bp: number | null | undefined): string => (bp === null || bp === undefined ? '' : bpToPercent(bp));

/** The tax of an item or a charge: VAT in percent, prices with or without it, and the exemption nature of a line at 0 %. */
export const taxFields = (): Field[] => [
  percentField('taxRateBp', t('contract.vat'), { required: true, help: t('contract.vatHelp') }),
  { name: 'taxInclusive', label: t('contract.taxInclusive'), type: 'checkbox' },
  { name: 'vatNature', label: t('contract.vatNature'), maxLength: 10, help: t('contract.vatNatureHelp') },
];

/** A data size: the amount typed (named `bytes`, as the API's field) and its unit. */
export const sizeFields = (): Field[] => [
  {
    name: 'bytes', label: t('contract.dataAmount'), required: true, maxLength: 20,
    validate: (v, all) => (typeof v === 'string' ? parsedError(sizeToBytes(v, all.unit === 'MB' ? 'MB' : 'GB')) : undefined),
  },
  { name: 'unit', label: t('contract.dataUnit'), type: 'select', required: true, options: [['GB', 'GB'], ['MB', 'MB']] },
];

/** The size fields' values as bytes (NaN when they are no size: the form has refused them already). */
export function sizeBytes(body: Record<string, unknown>): number {
  const unit: SizeUnit = body.unit === 'MB' ? 'MB' : 'GB';
  const p = sizeToBytes(String(body.bytes ?? ''), unit);
  return p.ok ? p.value : Number.NaN;
}

/** A size the operator set (a cap, a top-up) exactly as GB or MB: 101.5 GB stays 101.5, not "102 GB". */
export function exactSize(bytes: number): string {
  const s = bytesToSize(bytes);
  return `${s.value} ${s.unit}`;
}
