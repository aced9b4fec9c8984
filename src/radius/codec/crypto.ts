/**
 * Authenticators, Message-Authenticator and attribute hiding. All comparisons of secrets-derived
 * bytes go through `timingSafeEqual`. Functions taking a received packet never throw on its bytes.
 *
 * Which authenticator each computation uses:
 * - Request Authenticator of Accounting-Request (RFC 2866 3), CoA-Request and Disconnect-Request
 *   (RFC 5176 2.3): MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret).
 * - Response Authenticator of every reply (RFC 2865 3, RFC 2866 3, RFC 5176 2.3):
 *   MD5(Code + Identifier + Length + Request Authenticator of the request + Attributes + Secret).
 * - Message-Authenticator (HMAC-MD5 keyed with the secret over the packet with its own value zeroed):
 *   Access-Request and Status-Server use the packet's own (random) authenticator (RFC 3579 3.2);
 *   Access-Accept/Reject/Challenge and the other replies put the request's authenticator in the
 *   field (RFC 3579 3.2, RFC 5176 3.1); Accounting-Request, CoA-Request and Disconnect-Request use
 *   16 zero octets, because their own authenticator is computed afterwards over the finished
 *   Message-Authenticator (RFC 5176 3.1; FreeRADIUS treats Accounting-Request the same way).
 *   Accounting-Response is the odd one out: see `replyMaAuthenticator`.
 */
import { Buffer } from 'node:buffer';
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { createHMAC, createMD5, type IHasher } from 'hash-wasm';
import { Code, authenticatorKind } from './codes.js';
import { RadiusEncodeError } from './errors.js';
import { HEADER_LENGTH, MAX_PACKET_LENGTH } from './packet.js';

export type Secret = Buffer | string;

export const ATTR_MESSAGE_AUTHENTICATOR = 80;
const ZERO16 = Buffer.alloc(16);

function secretBytes(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/** The packet's bytes up to its Length field, or undefined if the header is not sound. */
function framed(buf: Buffer): Buffer | undefined {
  if (buf.length < HEADER_LENGTH) return undefined;
  const length = buf.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH || length > buf.length) return undefined;
  return buf.subarray(0, length);
}

// MD5 and HMAC-MD5 run in hash-wasm's WebAssembly build rather than through node:crypto. Every
// request needs two of each over a few dozen bytes, where a node:crypto call costs mostly the way to
// OpenSSL and back (a C++ object and a digest lookup per HMAC): 2.4 µs against 1.4 µs per HMAC-MD5 on
// this project's benchmark machine, 0.87 against 0.41 µs per MD5, together a twelfth of a PAP
// request's CPU. The bytes are the same: tests/unit/radius/crypto-wasm.test.ts checks both against
// the RFC 1321 and RFC 2202 vectors and against node:crypto on random input.
// One MD5 instance serves every call: each use runs init, update and digest synchronously, so calls
// never interleave. The inputs are laid out in one scratch buffer and hashed in one update.
const MD5: IHasher = await createMD5();
const SCRATCH = Buffer.alloc(2 * MAX_PACKET_LENGTH + 256);

function digestBuffer(h: IHasher): Buffer {
  const d = h.digest('binary');
  // Copied into a pooled Buffer: wrapping d.buffer would make V8 move the 16 bytes off its heap into
  // an ArrayBuffer of their own (a malloc, and a backing store for the GC to sweep).
  const out = Buffer.allocUnsafe(d.length);
  out.set(d);
  return out;
}

/** MD5 of `data` (exported for the tests that hold it to RFC 1321 and node:crypto). */
export function md5(data: Buffer): Buffer {
  MD5.init();
  MD5.update(data);
  return digestBuffer(MD5);
}

// The MD5 instance as the HMAC objects see it: the same hasher, but a binary digest comes back in an
// off-heap Buffer. hash-wasm's HMAC feeds its inner digest back in through update(), which takes a
// typed array's `.buffer`; for the 16-byte array MD5.digest returns (kept on V8's heap, being
// small) that makes V8 move it off the heap: a malloc and an ArrayBuffer per HMAC, two per request,
// which the next young-generation collection has to sweep (at 20,000 requests/s, half of each
// scavenge's pause). The Buffer is reused: every caller copies out of it at once.
const DIGEST = Buffer.allocUnsafeSlow(16);
const MD5_FOR_HMAC: IHasher = {
  init: () => (MD5.init(), MD5_FOR_HMAC),
  update: (data) => (MD5.update(data), MD5_FOR_HMAC),
  digest: ((outputType: 'binary' | 'hex') => {
    if (outputType !== 'binary') return MD5.digest(outputType);
    DIGEST.set(MD5.digest('binary'));
    return DIGEST;
  }) as IHasher['digest'],
  save: () => MD5.save(),
  load: (state) => (MD5.load(state), MD5_FOR_HMAC),
  blockSize: MD5.blockSize,
  digestSize: MD5.digestSize,
};

// HMAC-MD5 keyed objects (hash-wasm keeps the padded key's first block) share the MD5 instance and
// are made once per secret. hash-wasm makes them through a promise: until that has resolved (the
// first request of a new secret), node:crypto answers. A server's secrets are long-lived Buffers (one
// per NAS), found by identity without hashing their bytes; the same bytes in another Buffer (a
// string secret, say) find the keyed object by content. No secret Buffer is ever changed in place (a
// changed one would keep its old key here, and its MACs would fail). Secrets are few: the maps are
// only cleared if something feeds them thousands.
let bySecretBuffer = new WeakMap<Buffer, IHasher>();
const bySecretBytes = new Map<string, IHasher | null>();

/** HMAC-MD5 keyed with `secret` (exported for the tests that hold it to RFC 2202 and node:crypto). */
export function hmacMd5(secret: Buffer, data: Buffer): Buffer {
  let h: IHasher | null | undefined = bySecretBuffer.get(secret);
  if (h === undefined) {
    const key = secret.toString('latin1');
    h = bySecretBytes.get(key);
    if (h) bySecretBuffer.set(secret, h);
    else if (h === undefined) {
      if (bySecretBytes.size >= 4096) {
        bySecretBytes.clear();
        bySecretBuffer = new WeakMap();
      }
      bySecretBytes.set(key, null);
      createHMAC(Promise.resolve(MD5_FOR_HMAC), Buffer.from(secret)).then(
        (made) => void bySecretBytes.set(key, made),
        () => void bySecretBytes.delete(key),
      );
    }
  }
  if (!h) return createHmac('md5', secret).update(data).digest();
  h.init();
  h.update(data);
  return digestBuffer(h);
}

/** MD5 of the concatenation of `parts`. */
function md5Of(...parts: Buffer[]): Buffer {
  let total = 0;
  for (const p of parts) total += p.length;
  // A secret far longer than any real one could overflow the scratch buffer.
  if (total > SCRATCH.length) return md5(Buffer.concat(parts));
  let n = 0;
  for (const p of parts) n += p.copy(SCRATCH, n);
  return md5(SCRATCH.subarray(0, n));
}

function md5Over(pkt: Buffer, authenticator: Buffer, secret: Buffer): Buffer {
  return md5Of(pkt.subarray(0, 4), authenticator, pkt.subarray(HEADER_LENGTH), secret);
}

/** Constant-time equality of two byte strings (false at once when the lengths differ). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** MD5(header + 16 zero octets + attributes + secret): the Request Authenticator of accounting,
 * CoA and Disconnect requests. `pkt` must be framed (its Length field matching its size). */
export function computeRequestAuthenticator(pkt: Buffer, secret: Secret): Buffer {
  return md5Over(pkt, ZERO16, secretBytes(secret));
}

/** MD5(header + request authenticator + attributes + secret): a reply's Response Authenticator. */
export function computeResponseAuthenticator(pkt: Buffer, requestAuthenticator: Buffer, secret: Secret): Buffer {
  return md5Over(pkt, requestAuthenticator, secretBytes(secret));
}

/** Checks the Request Authenticator of an Accounting-Request, CoA-Request or Disconnect-Request. */
export function verifyRequestAuthenticator(buf: Buffer, secret: Secret): boolean {
  const pkt = framed(buf);
  if (pkt === undefined) return false;
  return safeEqual(md5Over(pkt, ZERO16, secretBytes(secret)), pkt.subarray(4, HEADER_LENGTH));
}

/** Checks a reply's Response Authenticator against the authenticator of the request we sent. */
export function verifyResponseAuthenticator(buf: Buffer, requestAuthenticator: Buffer, secret: Secret): boolean {
  const pkt = framed(buf);
  if (pkt === undefined || requestAuthenticator.length !== 16) return false;
  return safeEqual(md5Over(pkt, requestAuthenticator, secretBytes(secret)), pkt.subarray(4, HEADER_LENGTH));
}

/** Offsets of every top-level Message-Authenticator value, or undefined if attributes are malformed. */
function messageAuthenticatorOffsets(pkt: Buffer): number[] | undefined {
  const found: number[] = [];
  let pos = HEADER_LENGTH;
  while (pos < pkt.length) {
    if (pos + 2 > pkt.length) return undefined;
    const len = pkt[pos + 1]!;
    if (len < 2 || pos + len > pkt.length) return undefined;
    if (pkt[pos] === ATTR_MESSAGE_AUTHENTICATOR) {
      if (len !== 18) return undefined;
      found.push(pos + 2);
    }
    pos += len;
  }
  return found;
}

/** HMAC-MD5 over `pkt` with `authenticator` in the header and 16 zeros in place of the MA at `at`. */
function hmacOver(pkt: Buffer, authenticator: Buffer, at: number, secret: Buffer): Buffer {
  // The input is laid out in the scratch buffer (as for MD5 above) and passed in one update.
  const n = pkt.length;
  pkt.copy(SCRATCH, 0, 0, 4);
  authenticator.copy(SCRATCH, 4);
  pkt.copy(SCRATCH, HEADER_LENGTH, HEADER_LENGTH, at);
  SCRATCH.fill(0, at, at + 16);
  pkt.copy(SCRATCH, at + 16, at + 16, n);
  return hmacMd5(secret, SCRATCH.subarray(0, n));
}

/**
 * The authenticator to put in the header when computing the Message-Authenticator of a reply.
 * RFC 3579 3.2 (Access-*) and RFC 5176 3.1 (CoA/Disconnect ACK and NAK) say: the request's. No RFC
 * defines it for Accounting-Response; FreeRADIUS 3.2 computes it over 16 zero octets (as for the
 * Accounting-Request), except in answer to a Status-Server, and radclient rejects anything else, so
 * Tollgate does the same.
 */
export function replyMaAuthenticator(replyCode: number, requestCode: number, requestAuthenticator: Buffer): Buffer {
  if (replyCode === Code.AccountingResponse && requestCode !== Code.StatusServer) return ZERO16;
  return requestAuthenticator;
}

/**
 * The authenticator that goes into the header for the Message-Authenticator computation of a packet
 * with this code (see the module comment); undefined for replies, which need the request's.
 */
function maAuthenticatorFor(pkt: Buffer): Buffer | undefined {
  const kind = authenticatorKind(pkt[0]!);
  if (kind === 'random') return pkt.subarray(4, HEADER_LENGTH);
  if (kind === 'request-hash') return ZERO16;
  return undefined;
}

export type MessageAuthenticatorStatus = 'absent' | 'valid' | 'invalid';

/**
 * Reports on a packet's Message-Authenticator. `authenticatorForCalc` is required for replies: pass
 * `replyMaAuthenticator(reply code, request code, request authenticator)`; for requests it defaults to the rule for the code: the
 * packet's own authenticator for Access-Request and Status-Server, 16 zero octets for
 * Accounting-Request, CoA-Request and Disconnect-Request. Two Message-Authenticators, one of the
 * wrong length, or malformed attributes are `invalid`.
 */
export function checkMessageAuthenticator(buf: Buffer, secret: Secret, authenticatorForCalc?: Buffer): MessageAuthenticatorStatus {
  const pkt = framed(buf);
  if (pkt === undefined) return 'invalid';
  const offsets = messageAuthenticatorOffsets(pkt);
  if (offsets === undefined || offsets.length > 1) return 'invalid';
  const at = offsets[0];
  if (at === undefined) return 'absent';
  const auth = authenticatorForCalc ?? maAuthenticatorFor(pkt);
  if (auth === undefined || auth.length !== 16) return 'invalid';
  return safeEqual(hmacOver(pkt, auth, at, secretBytes(secret)), pkt.subarray(at, at + 16)) ? 'valid' : 'invalid';
}

/** True only when a Message-Authenticator is present and valid. */
export function verifyMessageAuthenticator(buf: Buffer, secret: Secret, authenticatorForCalc?: Buffer): boolean {
  return checkMessageAuthenticator(buf, secret, authenticatorForCalc) === 'valid';
}

/**
 * Writes the Message-Authenticator value at `at` (the offset of its 16 value bytes) of a framed
 * packet under construction, using `authenticator` in the header for the computation.
 */
export function signMessageAuthenticator(pkt: Buffer, at: number, authenticator: Buffer, secret: Secret): void {
  hmacOver(pkt, authenticator, at, secretBytes(secret)).copy(pkt, at);
}

// --- User-Password hiding (RFC 2865 5.2) --------------------------------------------------------

/** Longest User-Password RFC 2865 allows (5.2: "up to 128 octets"). */
export const MAX_PASSWORD_LENGTH = 128;

function xorChain(input: Buffer, secret: Buffer, first: Buffer, decrypt: boolean): Buffer {
  const out = Buffer.alloc(input.length);
  let prev = first;
  for (let i = 0; i < input.length; i += 16) {
    const b = md5Of(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = input[i + j]! ^ b[j]!;
    // Each block's key hashes the previous ciphertext block, whichever direction we go.
    prev = decrypt ? input.subarray(i, i + 16) : out.subarray(i, i + 16);
  }
  return out;
}

/** Hides a password: padded with NULs to a multiple of 16 (at least 16), at most 128 bytes. */
export function hidePassword(password: Buffer | string, secret: Secret, authenticator: Buffer): Buffer {
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (plain.length > MAX_PASSWORD_LENGTH) throw new RadiusEncodeError(`password longer than ${MAX_PASSWORD_LENGTH} bytes`);
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  return xorChain(padded, secretBytes(secret), authenticator, false);
}

/** Reverses the hiding with padding kept (for octets attributes hidden this way, e.g. MS-CHAP-MPPE-Keys). */
export function unhideOctets(hidden: Buffer, secret: Secret, authenticator: Buffer): Buffer | undefined {
  if (hidden.length === 0 || hidden.length % 16 !== 0 || hidden.length > MAX_PASSWORD_LENGTH) return undefined;
  return xorChain(hidden, secretBytes(secret), authenticator, true);
}

/** Recovers a hidden password, trailing NUL padding removed; undefined if the size is impossible. */
export function unhidePassword(hidden: Buffer, secret: Secret, authenticator: Buffer): Buffer | undefined {
  const plain = unhideOctets(hidden, secret, authenticator);
  if (plain === undefined) return undefined;
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  return plain.subarray(0, end);
}

// --- Salt encryption (RFC 2868 3.5, RFC 2548 2.4.2) ----------------------------------------------

// Random bytes are drawn from a pool refilled 4 KiB at a time: one CSPRNG call per ~2,000 salts
// instead of one per MPPE key.
const RANDOM_POOL = Buffer.alloc(4096);
let randomPos = RANDOM_POOL.length;

function randomBytes(n: number): Buffer {
  if (randomPos + n > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomPos = 0;
  }
  const out = Buffer.from(RANDOM_POOL.subarray(randomPos, randomPos + n));
  // Used bytes are overwritten so that they can never be handed out twice or linger in memory.
  RANDOM_POOL.fill(0, randomPos, randomPos + n);
  randomPos += n;
  return out;
}

/** A two-byte salt with the most significant bit set, distinct from those in `used`. */
export function randomSalt(used?: Set<number>): Buffer {
  for (;;) {
    const salt = randomBytes(2);
    salt[0] |= 0x80;
    const n = salt.readUInt16BE(0);
    if (used === undefined || !used.has(n)) {
      used?.add(n);
      return salt;
    }
  }
}

/**
 * Salt-encrypts `data` (a tunnel password or an MPPE key): plaintext = length byte + data + NUL
 * padding to a multiple of 16, keyed with MD5(secret + authenticator + salt), chained like
 * User-Password. Returns salt (2 bytes) + ciphertext; a tag byte, where the attribute has one, is
 * the caller's. `authenticator` is the Access-Request's authenticator (for a reply to it).
 */
export function saltEncrypt(data: Buffer | string, secret: Secret, authenticator: Buffer, salt: Buffer = randomSalt()): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (bytes.length > 239) throw new RadiusEncodeError('salt-encrypted value longer than 239 bytes');
  if (salt.length !== 2 || (salt[0]! & 0x80) === 0) throw new RadiusEncodeError('salt must be 2 bytes with the high bit set');
  const plain = Buffer.alloc(Math.ceil((bytes.length + 1) / 16) * 16);
  plain[0] = bytes.length;
  bytes.copy(plain, 1);
  const first = Buffer.concat([authenticator, salt]);
  return Buffer.concat([salt, xorChain(plain, secretBytes(secret), first, false)]);
}

/** Reverses `saltEncrypt` on salt + ciphertext; undefined if sizes or the length byte do not fit. */
export function saltDecrypt(value: Buffer, secret: Secret, authenticator: Buffer): Buffer | undefined {
  if (value.length < 18 || (value.length - 2) % 16 !== 0) return undefined;
  const salt = value.subarray(0, 2);
  const plain = xorChain(value.subarray(2), secretBytes(secret), Buffer.concat([authenticator, salt]), true);
  const n = plain[0]!;
  if (n + 1 > plain.length) return undefined;
  return plain.subarray(1, 1 + n);
}

/** The 16 random bytes of an Access-Request or Status-Server authenticator. */
export function randomAuthenticator(): Buffer {
  return randomBytes(16);
}
