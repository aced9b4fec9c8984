// Form fields in the operator's units over the API's integers, for every form that has them (plans,
// tiers, promotions, a contract's items, charges, discounts and data top-ups): a speed typed in
// Mbit/s or kbit/s (a unit chosen beside the number) is sent in kbit/s, a data size in GB or MB in
// bytes, VAT and discounts in % as basis points. Conversions are units.ts's (exact, no float); a
// refusal says why in the same words on every form. Money keeps the form's own money field.
//
// A quantity is two form fields where it has a unit: the number, named as the API names the value
// (`downloadKbps`), so the API's field error lands beside it, and its unit (`downloadKbps.unit`). The
// form holds text; `quantityValues` turns the API's record into it and `quantityBody` turns the form's
// body back, the unit fields dropped. In a PATCH form only what changed is sent: a changed unit alone
// re-reads the number that was there.
import type { Field } from './components/form.js';
import { f, t } from './i18n.js';
import {
  bpToPercent, bytesToSize, kbpsToSpeed, percentToBp, sizeToBytes, speedToKbps,
  type Parsed, type ParseError, type SizeUnit, type SpeedUnit,
} from './units.js';

export type QuantityKind = 'speed' | 'size' | 'percent';

export interface Quantity {
  /** The API's field (and the number's form field). */
  name: string;
  kind: QuantityKind;
  /** The smallest value the API takes, in its integer unit (a data cap of 0 bytes is no cap: 1). */
  min?: number;
}

export const SPEED_UNITS: readonly SpeedUnit[] = ['Mbit/s', 'kbit/s'];
export const SIZE_UNITS: readonly SizeUnit[] = ['GB', 'MB'];
export const unitField = (name: string): string => `${name}.unit`;

const DEFAULT_UNIT: Partial<Record<QuantityKind, string>> = { speed: 'Mbit/s', size: 'GB' };
const refuse = (error: ParseError): Parsed => ({ ok: false, error });
const isSpeedUnit = (u: unknown): u is SpeedUnit => u === 'Mbit/s' || u === 'kbit/s';
const isSizeUnit = (u: unknown): u is SizeUnit => u === 'GB' || u === 'MB';

/** Text (and unit) to the API's integer, with the range the API takes. */
export function parseQuantity(q: Quantity, text: string, unit: unknown): Parsed {
  let p: Parsed;
  switch (q.kind) {
    case 'speed': p = speedToKbps(text, isSpeedUnit(unit) ? unit : 'Mbit/s'); break;
    case 'size': p = sizeToBytes(text, isSizeUnit(unit) ? unit : 'GB'); break;
    case 'percent': p = percentToBp(text); break;
  }
  if (p.ok && q.min !== undefined && p.value < q.min) return refuse('out_of_range');
  return p;
}

/** The API's integer as the form's text and unit. */
export function showQuantity(q: Quantity, value: number): { text: string; unit?: string } {
  switch (q.kind) {
    case 'speed': { const s = kbpsToSpeed(value); return { text: s.value, unit: s.unit }; }
    case 'size': { const s = bytesToSize(value); return { text: s.value, unit: s.unit }; }
    case 'percent': return { text: bpToPercent(value) };
  }
}

/** Why a text is refused, in the UI's language, with the unit's limits. */
export function quantityError(q: Quantity, error: ParseError, unit?: unknown): string {
  switch (error) {
    case 'empty': return t('form.required');
    case 'not_a_number': return t('form.notNumber');
    case 'too_precise': {
      const digits = q.kind === 'speed' ? (unit === 'kbit/s' ? 0 : 3) : q.kind === 'size' ? (unit === 'MB' ? 6 : 9) : 2;
      return digits === 0 ? t('form.notWhole') : t('units.tooPrecise', { n: digits });
    }
    case 'out_of_range':
      switch (q.kind) {
        case 'speed': return t('form.between', { min: f().speed(q.min ?? 1), max: f().speed(100_000_000) });
        case 'percent': return t('form.between', { min: f().percent(0), max: f().percent(10_000) });
        case 'size': return t('form.atLeast', { min: f().bytes(q.min ?? 0) });
      }
  }
}

export interface QuantityFieldOptions {
  label: string;
  /** The unit select's label (speeds and sizes): "Download unit". */
  unitLabel?: string;
  required?: boolean;
  nullable?: boolean;
  help?: string;
  visible?: Field['visible'];
}

/** The form fields of a quantity: the number (text, checked here exactly) and, for speeds and sizes, its unit beside it. */
export function quantityFields(q: Quantity, o: QuantityFieldOptions): Field[] {
  const unitName = unitField(q.name);
  const units = q.kind === 'speed' ? SPEED_UNITS : q.kind === 'size' ? SIZE_UNITS : null;
  const number: Field = {
    name: q.name, label: o.label, required: o.required, nullable: o.nullable, help: o.help, visible: o.visible,
    placeholder: q.kind === 'percent' ? '%' : undefined,
    validate: (v, all) => {
      if (typeof v !== 'string') return undefined;
      const p = parseQuantity(q, v, all[unitName]);
      return p.ok ? undefined : quantityError(q, p.error, all[unitName]);
    },
  };
  if (!units) return [number];
  return [number, { name: unitName, label: o.unitLabel ?? o.label, type: 'select', required: true, visible: o.visible, options: units.map((u) => [u, u]) }];
}

/** A size the operator set (a cap, a top-up) exactly in its unit: 101.5 GB stays 101.5, not "102 GB". */
export function exactSize(bytes: number): string {
  const s = bytesToSize(bytes);
  return `${s.value} ${s.unit}`;
}

/** The API's record as the form's values: each quantity as text, with its unit. */
export function quantityValues(record: Record<string, unknown>, quantities: readonly Quantity[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const q of quantities) {
    const v = record[q.name];
    const unit = DEFAULT_UNIT[q.kind];
    if (typeof v === 'number') {
      const s = showQuantity(q, v);
      out[q.name] = s.text;
      if (s.unit) out[unitField(q.name)] = s.unit;
    } else if (unit) out[unitField(q.name)] = unit;
  }
  return out;
}

/** One quantity of a form's body as the API's integer (the form has checked it, so a refusal throws). */
export function quantityOf(q: Quantity, body: Record<string, unknown>): number {
  const value = quantityBody(body, {}, [q])[q.name];
  if (typeof value !== 'number') throw new RangeError(`${q.name}: empty`);
  return value;
}

/**
 * The form's body as the API takes it: each quantity's text (or, when only its unit changed in a
 * PATCH, the text it had) read in its unit; unit fields dropped. Text the form let through is valid
 * (its field checks it), so a refusal here throws.
 */
export function quantityBody(body: Record<string, unknown>, before: Record<string, unknown>, quantities: readonly Quantity[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const q of quantities) {
    const unitName = unitField(q.name);
    const touched = q.name in body || unitName in body;
    delete out[unitName];
    if (!touched) continue;
    const text = q.name in body ? body[q.name] : before[q.name];
    if (text === null || text === undefined) {
      if (q.name in body) out[q.name] = text;
      continue;
    }
    const p = parseQuantity(q, String(text), unitName in body ? body[unitName] : before[unitName]);
    if (!p.ok) throw new RangeError(`${q.name}: ${p.error}`);
    out[q.name] = p.value;
  }
  return out;
}

// ---- A plan's fair-use tiers: up to three rows of (from this usage, these speeds)

export const TIER_SLOTS = 3;
const TIER_QUANTITIES = {
  fromBytes: { name: 'fromBytes', kind: 'size', min: 1 },
  downloadKbps: { name: 'downloadKbps', kind: 'speed' },
  uploadKbps: { name: 'uploadKbps', kind: 'speed' },
} as const satisfies Record<string, Quantity>;
export type TierField = keyof typeof TIER_QUANTITIES;
export const TIER_FIELDS = Object.keys(TIER_QUANTITIES) as TierField[];
export const tierQuantity = (field: TierField): Quantity => TIER_QUANTITIES[field];

export interface ApiTier { fromBytes: number; downloadKbps: number; uploadKbps: number }
/** One row of the tier editor as typed: each field's text and unit. */
export type TierRow = Record<TierField, { text: string; unit: string }>;

/** The API's tiers as the editor's rows, padded with empty rows to the slots. */
export function tierRows(tiers: readonly ApiTier[], slots = TIER_SLOTS): TierRow[] {
  const rows = tiers.map((tier) => Object.fromEntries(TIER_FIELDS.map((k) => {
    const s = showQuantity(TIER_QUANTITIES[k], tier[k]);
    return [k, { text: s.text, unit: s.unit ?? '' }];
  })) as TierRow);
  while (rows.length < slots) rows.push(emptyTierRow());
  return rows;
}

export const emptyTierRow = (): TierRow => ({ fromBytes: { text: '', unit: 'GB' }, downloadKbps: { text: '', unit: 'Mbit/s' }, uploadKbps: { text: '', unit: 'Mbit/s' } });

/** Errors keyed `<row>.<field>` (the editor's row, not the position in the request). */
export type TierErrors = Record<string, string>;

/**
 * The rows as the API's body: an empty row is left out, a row filled in part names what it lacks.
 * `index[i]` is the editor row of the request's i-th tier, to put the API's errors back on their row.
 */
export function tiersBody(rows: readonly TierRow[]): { tiers: ApiTier[]; index: number[]; errors: TierErrors } {
  const tiers: ApiTier[] = [];
  const index: number[] = [];
  const errors: TierErrors = {};
  rows.forEach((row, r) => {
    if (TIER_FIELDS.every((k) => row[k].text.trim() === '')) return;
    const tier: Partial<ApiTier> = {};
    for (const k of TIER_FIELDS) {
      const p = parseQuantity(TIER_QUANTITIES[k], row[k].text, row[k].unit);
      if (p.ok) tier[k] = p.value;
      else errors[`${r}.${k}`] = quantityError(TIER_QUANTITIES[k], p.error, row[k].unit);
    }
    if (TIER_FIELDS.every((k) => tier[k] !== undefined)) {
      tiers.push(tier as ApiTier);
      index.push(r);
    }
  });
  return { tiers, index, errors };
}

/** The API's field errors (`tiers.<i>.<field>`, `tiers.<i>`, `tiers`) on the editor's rows; what names no row under `tiers`. */
export function tierApiErrors(fields: Record<string, string>, index: readonly number[]): TierErrors {
  const out: TierErrors = {};
  const add = (k: string, m: string) => (out[k] = out[k] ? `${out[k]}; ${m}` : m);
  for (const [name, message] of Object.entries(fields)) {
    const hit = /^tiers\.(\d+)(?:\.(\w+))?/.exec(name);
    const row = hit ? index[Number(hit[1])] : undefined;
    const field = hit?.[2] as TierField | undefined;
    if (row !== undefined && field && TIER_FIELDS.includes(field)) add(`${row}.${field}`, message);
    else if (row !== undefined) add(`${row}.fromBytes`, message);
    else add('tiers', message);
  }
  return out;
}
