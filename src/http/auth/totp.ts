import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sha256 } from '../../db/security.js';

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s steps. */
const PERIOD = 30;

function totp(secretBase32: string, username: string): TOTP {
  return new TOTP({ issuer: 'Tollgate', label: username, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secretBase32) });
}

/** A new 160-bit seed, base32 (what authenticator apps take when typed by hand). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUri(secretBase32: string, username: string): string {
  return totp(secretBase32, username).toString();
}

/** The otpauth URI as a QR code, an SVG data URL that an <img> shows as is. */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return 'data:image/svg+xml;base64,' + Buffer.from(svg).toString('base64');
}

/**
 * The time step a 6-digit code belongs to, accepting one step of clock drift either way, or
 * undefined when the code is wrong. The caller records the step so a code is good only once.
 */
export function matchTotp(secretBase32: string, code: string, at: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const t = totp(secretBase32, 'x');
  const base = Math.floor(at.getTime() / 1000 / PERIOD);
  // Checked by hand (rather than TOTP.validate) to know the step and to compare in constant time.
  for (const delta of [0, -1, 1]) {
    const expected = t.generate({ timestamp: (base + delta) * PERIOD * 1000 });
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return base + delta;
  }
  return undefined;
}

/** The code an app shows at an instant (tests, and the enrolment check). */
export function totpCode(secretBase32: string, at: Date): string {
  return totp(secretBase32, 'x').generate({ timestamp: at.getTime() });
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Ten one-use recovery codes of 80 bits, `xxxx-xxxx-xxxx-xxxx`, and their hashes for storage. */
export function newRecoveryCodes(n = 10): { codes: string[]; hashes: string[] } {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = randomBytes(10);
    let bits = 0n;
    for (const b of bytes) bits = (bits << 8n) | BigInt(b);
    let s = '';
    for (let j = 0; j < 16; j++) s = B32[Number((bits >> BigInt(5 * j)) & 31n)] + s;
    codes.push(s.match(/.{4}/g)!.join('-'));
  }
  return { codes, hashes: codes.map(recoveryHash) };
}

/** Spaces, dashes and case do not matter when a code is typed back. */
export function recoveryHash(code: string): string {
  return sha256('recovery:' + code.toLowerCase().replace(/[\s-]/g, ''));
}
