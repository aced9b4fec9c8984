/**
 * Voucher codes: uniformly random over an alphabet without look-alikes (no 0/O, 1/I), so a code read
 * off a printed card is typed right the first time. 32 symbols give 5 bits each: a 10-symbol code
 * carries 50 bits, far beyond guessing at RADIUS or API speed.
 */
import { randomBytes } from 'node:crypto';
import { said, TollgateError } from '../../lib/errors.js';

export const VOUCHER_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const MIN_CODE_LENGTH = 10;
export const MAX_CODE_LENGTH = 32;
const CODE_RE = new RegExp(`^[${VOUCHER_ALPHABET}]{${MIN_CODE_LENGTH},${MAX_CODE_LENGTH}}$`);

/** One code of `length` symbols; each symbol takes the low 5 bits of a random byte (32 | 256: no bias). */
export function generateCode(length: number, random: (n: number) => Buffer = randomBytes): string {
  if (!Number.isInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
    throw new TollgateError('invalid_input', said('fault.voucher.codeSymbols', `a voucher code has ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} symbols`, { min: MIN_CODE_LENGTH, max: MAX_CODE_LENGTH }), 'codeLength');
  }
  const bytes = random(length);
  let code = '';
  for (let i = 0; i < length; i++) code += VOUCHER_ALPHABET[bytes[i]! & 31];
  return code;
}

/** `count` distinct codes; `taken` says whether a code already exists elsewhere (an earlier batch). */
export function generateCodes(count: number, length: number, taken: (code: string) => boolean = () => false, random?: (n: number) => Buffer): string[] {
  const out = new Set<string>();
  let attempts = 0;
  while (out.size < count) {
    if (++attempts > count * 10 + 100) throw new TollgateError('conflict', said('fault.voucher.codesUsed', 'could not find enough unused codes: use longer codes'), 'codeLength');
    const code = generateCode(length, random);
    if (!out.has(code) && !taken(code)) out.add(code);
  }
  return [...out];
}

/** What a person typed, as stored: capitals, without spaces or dashes (codes print in groups of four). */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

/** Whether a string could be a voucher code at all (cheap check before any lookup on the RADIUS path). */
export function looksLikeVoucher(code: string): boolean {
  return CODE_RE.test(code);
}

/** For printing: groups of four separated by dashes. */
export function formatCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}
