import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Code,
  RadiusEncodeError,
  checkMessageAuthenticator,
  decodePacket,
  encodePacket,
  get,
  getAll,
  getDecrypted,
  getTagged,
  hidePassword,
  replyMaAuthenticator,
  saltDecrypt,
  saltEncrypt,
  unhidePassword,
  verifyMessageAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
  type Packet,
} from '../../../src/radius/codec/index.js';
import { A, V, loadDictionary } from '../../../src/radius/dict/index.js';

const secret = 'testing123';
const dict = loadDictionary();
const ZERO16 = Buffer.alloc(16);

function decode(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

/** An independent HMAC-MD5 Message-Authenticator: copy, zero the MA value, set the header authenticator. */
function referenceMa(buf: Buffer, headerAuth: Buffer): Buffer {
  const copy = Buffer.from(buf);
  headerAuth.copy(copy, 4);
  let pos = 20;
  let at = -1;
  while (pos < copy.length) {
    if (copy[pos] === 80) at = pos + 2;
    pos += copy[pos + 1]!;
  }
  copy.fill(0, at, at + 16);
  return createHmac('md5', secret).update(copy).digest();
}

function maValue(p: Packet): Buffer {
  return p.attributes.find((a) => a.type === 80)!.value;
}

describe('Message-Authenticator', () => {
  const requestAuth = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

  it('signs an Access-Request over its own authenticator, matching an inline HMAC-MD5', () => {
    const buf = encodePacket({
      code: Code.AccessRequest,
      identifier: 7,
      authenticator: requestAuth,
      secret,
      messageAuthenticator: 'last',
      attributes: [{ def: A.UserName, value: 'bob' }, { def: A.UserPassword, value: 'hello' }],
    });
    const p = decode(buf);
    expect(p.attributes.at(-1)!.type).toBe(80);
    expect(maValue(p)).toEqual(referenceMa(buf, requestAuth));
    expect(checkMessageAuthenticator(buf, secret)).toBe('valid');
    expect(verifyMessageAuthenticator(buf, secret)).toBe(true);
    expect(checkMessageAuthenticator(buf, 'other')).toBe('invalid');
    const tampered = Buffer.from(buf);
    tampered[25]! ^= 1;
    expect(checkMessageAuthenticator(tampered, secret)).toBe('invalid');
  });

  it('reports absent, and treats duplicates or a wrong length as invalid', () => {
    const plain = encodePacket({ code: Code.AccessRequest, identifier: 1, secret, attributes: [{ def: A.UserName, value: 'x' }] });
    expect(checkMessageAuthenticator(plain, secret)).toBe('absent');
    expect(verifyMessageAuthenticator(plain, secret)).toBe(false);
    const twoMa = Buffer.concat([plain, Buffer.from([80, 18, ...ZERO16, 80, 18, ...ZERO16])]);
    twoMa.writeUInt16BE(twoMa.length, 2);
    expect(checkMessageAuthenticator(twoMa, secret)).toBe('invalid');
    const shortMa = Buffer.concat([plain, Buffer.from([80, 6, 0, 0, 0, 0])]);
    shortMa.writeUInt16BE(shortMa.length, 2);
    expect(checkMessageAuthenticator(shortMa, secret)).toBe('invalid');
    expect(checkMessageAuthenticator(Buffer.alloc(5), secret)).toBe('invalid');
  });

  it('puts the MA first in an Access-Accept, computed over the request authenticator, then the Response Authenticator', () => {
    const buf = encodePacket({
      code: Code.AccessAccept,
      identifier: 9,
      requestAuthenticator: requestAuth,
      secret,
      messageAuthenticator: 'first',
      dictionary: dict,
      attributes: [
        { def: A.ServiceType, value: 'Framed-User' },
        { def: A.MikrotikRateLimit, value: '2000k/10000k' },
        { def: A.MikrotikAddressList, value: 'walled-garden' },
      ],
    });
    const p = decode(buf);
    expect(p.attributes[0]!.type).toBe(80);
    expect(buf.subarray(20, 22)).toEqual(Buffer.from([80, 18]));
    expect(maValue(p)).toEqual(referenceMa(buf, requestAuth));
    expect(checkMessageAuthenticator(buf, secret, requestAuth)).toBe('valid');
    expect(checkMessageAuthenticator(buf, secret)).toBe('invalid');
    // Inline Response Authenticator over the final bytes (MA included).
    const expectedAuth = createHash('md5')
      .update(Buffer.concat([buf.subarray(0, 4), requestAuth, buf.subarray(20), Buffer.from(secret)]))
      .digest();
    expect(p.authenticator).toEqual(expectedAuth);
    expect(verifyResponseAuthenticator(buf, requestAuth, secret)).toBe(true);
    expect(get(p, A.ServiceType)).toBe(V.ServiceType.FramedUser);
    expect(get(p, A.MikrotikRateLimit)).toBe('2000k/10000k');
    expect(p.attributes[2]).toMatchObject({ type: 26, vendorId: 14988, vendorType: 8 });
  });

  it('computes an Accounting-Response MA over zeros (as FreeRADIUS does), but over the request for a Status-Server', () => {
    const acct = encodePacket({ code: Code.AccountingResponse, identifier: 4, requestAuthenticator: requestAuth, secret, messageAuthenticator: 'first', attributes: [] });
    expect(maValue(decode(acct))).toEqual(referenceMa(acct, ZERO16));
    expect(checkMessageAuthenticator(acct, secret, replyMaAuthenticator(Code.AccountingResponse, Code.AccountingRequest, requestAuth))).toBe('valid');
    expect(verifyResponseAuthenticator(acct, requestAuth, secret)).toBe(true);
    const status = encodePacket({
      code: Code.AccountingResponse,
      identifier: 4,
      requestAuthenticator: requestAuth,
      requestCode: Code.StatusServer,
      secret,
      messageAuthenticator: 'first',
      attributes: [],
    });
    expect(maValue(decode(status))).toEqual(referenceMa(status, requestAuth));
    expect(replyMaAuthenticator(Code.CoAACK, Code.CoARequest, requestAuth)).toBe(requestAuth);
  });

  it('refuses a reply without the request authenticator', () => {
    expect(() => encodePacket({ code: Code.AccessReject, identifier: 1, secret, attributes: [] })).toThrow(RadiusEncodeError);
  });
});

describe('request authenticators of Accounting, CoA and Disconnect requests', () => {
  it('computes the Accounting-Request authenticator over 16 zero octets', () => {
    const buf = encodePacket({
      code: Code.AccountingRequest,
      identifier: 3,
      secret,
      dictionary: dict,
      attributes: [
        { def: A.AcctStatusType, value: 'Accounting-On' },
        { def: A.AcctSessionId, value: '81200008' },
        { def: A.AcctInputOctets, value: 12345 },
        { def: A.EventTimestamp, value: new Date('2026-11-22T12:00:00Z') },
      ],
    });
    const zeroed = Buffer.from(buf);
    ZERO16.copy(zeroed, 4);
    expect(buf.subarray(4, 20)).toEqual(createHash('md5').update(zeroed).update(secret).digest());
    expect(verifyRequestAuthenticator(buf, secret)).toBe(true);
    expect(verifyRequestAuthenticator(buf, 'nope')).toBe(false);
    const forged = Buffer.from(buf);
    forged[forged.length - 1]! ^= 1;
    expect(verifyRequestAuthenticator(forged, secret)).toBe(false);
    const p = decode(buf);
    expect(get(p, A.AcctStatusType)).toBe(V.AcctStatusType.AccountingOn);
    expect(get(p, A.EventTimestamp)?.toISOString()).toBe('2026-11-22T12:00:00.000Z');
    // Trailing bytes past the Length field do not count.
    expect(verifyRequestAuthenticator(Buffer.concat([buf, Buffer.from([1, 2, 3])]), secret)).toBe(true);
  });

  for (const code of [Code.CoARequest, Code.DisconnectRequest, Code.AccountingRequest]) {
    it(`code ${code}: MA over a zero authenticator first, then the Request Authenticator over the final MA`, () => {
      const buf = encodePacket({
        code,
        identifier: 200,
        secret,
        messageAuthenticator: 'last',
        attributes: [
          { def: A.UserName, value: 'alice' },
          { def: A.AcctSessionId, value: '0x81a0' },
          { def: A.FramedIpAddress, value: '100.64.0.7' },
        ],
      });
      const p = decode(buf);
      expect(maValue(p)).toEqual(referenceMa(buf, ZERO16));
      const withAuthZero = Buffer.from(buf);
      ZERO16.copy(withAuthZero, 4);
      expect(p.authenticator).toEqual(createHash('md5').update(withAuthZero).update(secret).digest());
      expect(verifyRequestAuthenticator(buf, secret)).toBe(true);
      expect(checkMessageAuthenticator(buf, secret)).toBe('valid');
      // The other order (authenticator first, MA over it), which FreeRADIUS drops, does not verify.
      const wrong = Buffer.from(buf);
      referenceMa(buf, p.authenticator).copy(wrong, 22);
      expect(checkMessageAuthenticator(wrong, secret)).toBe('invalid');
    });
  }

  it('signs CoA-ACK and Disconnect-NAK replies with the request authenticator', () => {
    const req = encodePacket({ code: Code.DisconnectRequest, identifier: 5, secret, attributes: [{ def: A.UserName, value: 'bob' }] });
    const reqAuth = decode(req).authenticator;
    const nak = encodePacket({
      code: Code.DisconnectNAK,
      identifier: 5,
      secret,
      requestAuthenticator: reqAuth,
      messageAuthenticator: 'first',
      attributes: [{ def: A.ErrorCause, value: V.ErrorCause.SessionContextNotFound }],
    });
    expect(verifyResponseAuthenticator(nak, reqAuth, secret)).toBe(true);
    expect(checkMessageAuthenticator(nak, secret, reqAuth)).toBe('valid');
    expect(dict.valueName(A.ErrorCause, get(decode(nak), A.ErrorCause)!)).toBe('Session-Context-Not-Found');
  });
});

describe('password hiding', () => {
  const auth = Buffer.from('0f403f94739780 57bd83d5cb98f4227a'.replace(/ /g, ''), 'hex');

  it.each([0, 1, 15, 16, 17, 31, 32, 33, 100, 127, 128])('round-trips a %i-byte password', (n) => {
    const password = Buffer.alloc(n, 'p');
    const hidden = hidePassword(password, secret, auth);
    expect(hidden.length).toBe(Math.max(16, Math.ceil(n / 16) * 16));
    expect(unhidePassword(hidden, secret, auth)).toEqual(password);
  });

  it('chains blocks of a long password on the previous ciphertext (RFC 2865 5.2)', () => {
    const password = Buffer.from('a-password-longer-than-sixteen-bytes');
    const hidden = hidePassword(password, secret, auth);
    const b1 = createHash('md5').update(secret).update(auth).digest();
    const b2 = createHash('md5').update(secret).update(hidden.subarray(0, 16)).digest();
    const p2 = Buffer.alloc(16);
    password.copy(p2, 0, 16, 32);
    for (let i = 0; i < 16; i++) {
      expect(hidden[i]).toBe(password[i]! ^ b1[i]!);
      expect(hidden[16 + i]).toBe(p2[i]! ^ b2[i]!);
    }
  });

  it('refuses more than 128 bytes, and impossible hidden sizes', () => {
    expect(() => hidePassword(Buffer.alloc(129), secret, auth)).toThrow(RadiusEncodeError);
    expect(unhidePassword(Buffer.alloc(15), secret, auth)).toBeUndefined();
    expect(unhidePassword(Buffer.alloc(0), secret, auth)).toBeUndefined();
    expect(unhidePassword(Buffer.alloc(144), secret, auth)).toBeUndefined();
  });
});

describe('salt encryption (Tunnel-Password, MS-MPPE keys)', () => {
  const reqAuth = Buffer.from('a1a2a3a4a5a6a7a8a9aaabacadaeafb0', 'hex');

  it('matches RFC 2868 3.5 computed inline, and decrypts', () => {
    const salt = Buffer.from([0x81, 0x23]);
    const key = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const out = saltEncrypt(key, secret, reqAuth, salt);
    expect(out.length).toBe(34);
    const plain = Buffer.concat([Buffer.from([16]), key, Buffer.alloc(15)]);
    const b1 = createHash('md5').update(secret).update(reqAuth).update(salt).digest();
    const c1 = Buffer.from(plain.subarray(0, 16).map((x, i) => x ^ b1[i]!));
    const b2 = createHash('md5').update(secret).update(c1).digest();
    const c2 = Buffer.from(plain.subarray(16).map((x, i) => x ^ b2[i]!));
    expect(out).toEqual(Buffer.concat([salt, c1, c2]));
    expect(saltDecrypt(out, secret, reqAuth)).toEqual(key);
    expect(saltDecrypt(out.subarray(0, 20), secret, reqAuth)).toBeUndefined();
    expect(() => saltEncrypt(key, secret, reqAuth, Buffer.from([0x01, 0x02]))).toThrow(RadiusEncodeError);
  });

  it('encodes MS-MPPE keys and a tagged Tunnel-Password with unique salts, and reads them back', () => {
    const send = Buffer.alloc(16, 0x11);
    const recv = Buffer.alloc(16, 0x22);
    const buf = encodePacket({
      code: Code.AccessAccept,
      identifier: 1,
      secret,
      requestAuthenticator: reqAuth,
      messageAuthenticator: 'first',
      attributes: [
        { def: A.MsMppeSendKey, value: send },
        { def: A.MsMppeRecvKey, value: recv },
        { def: A.TunnelPassword, value: 'tunnel-secret', tag: 1 },
        { def: A.MsMppeEncryptionPolicy, value: V.MsMppeEncryptionPolicy.EncryptionRequired },
      ],
    });
    const p = decode(buf);
    const sendAttr = p.attributes.find((a) => a.vendorType === 16)!;
    const recvAttr = p.attributes.find((a) => a.vendorType === 17)!;
    expect(sendAttr.value.length).toBe(34);
    expect(sendAttr.value[0]! & 0x80).toBe(0x80);
    expect(sendAttr.value.subarray(0, 2)).not.toEqual(recvAttr.value.subarray(0, 2));
    expect(getDecrypted(p, A.MsMppeSendKey, secret, reqAuth)).toEqual(send);
    expect(getDecrypted(p, A.MsMppeRecvKey, secret, reqAuth)).toEqual(recv);
    expect(getDecrypted(p, A.TunnelPassword, secret, reqAuth)).toBe('tunnel-secret');
    expect(p.attributes.find((a) => a.type === 69)!.value[0]).toBe(1);
    expect(() => get(p, A.TunnelPassword)).toThrow(/encrypted/);
  });

  it('hides MS-CHAP-MPPE-Keys like User-Password, keeping the padding', () => {
    const keys = Buffer.alloc(32, 7);
    const buf = encodePacket({ code: Code.AccessAccept, identifier: 1, secret, requestAuthenticator: reqAuth, attributes: [{ def: A.MsChapMppeKeys, value: keys }] });
    const p = decode(buf);
    expect(getDecrypted(p, A.MsChapMppeKeys, secret, reqAuth)).toEqual(keys);
  });
});

describe('typed values', () => {
  const reqAuth = Buffer.alloc(16, 1);
  function roundTrip(attributes: Parameters<typeof encodePacket>[0]['attributes']): Packet {
    return decode(encodePacket({ code: Code.AccessAccept, identifier: 1, secret, requestAuthenticator: reqAuth, attributes, dictionary: dict }));
  }

  it('encodes and decodes every common type', () => {
    const p = roundTrip([
      { def: A.FramedIpAddress, value: '10.1.2.3' },
      { def: A.FramedIpv6Prefix, value: '2001:db8:1:2::/64' },
      { def: A.DelegatedIpv6Prefix, value: '2001:db8:ff00::/40' },
      { def: A.FramedIpv6Address, value: '2001:db8::1' },
      { def: A.FramedInterfaceId, value: '0011:2233:4455:6677' },
      { def: A.SessionTimeout, value: 3600 },
      { def: A.EventTimestamp, value: 1_800_000_000 },
      { def: A.Class, value: Buffer.from([0, 1, 2, 255]) },
      { def: A.ReplyMessage, value: 'héllo' },
      { def: A.MsPrimaryDnsServer, value: '8.8.8.8' },
      { def: A.TunnelType, value: 'VLAN', tag: 1 },
      { def: A.TunnelMediumType, value: V.TunnelMediumType.IEEE802, tag: 1 },
      { def: A.TunnelPrivateGroupId, value: '100', tag: 1 },
    ]);
    expect(get(p, A.FramedIpAddress)).toBe('10.1.2.3');
    expect(get(p, A.FramedIpv6Prefix)).toBe('2001:db8:1:2::/64');
    expect(p.attributes.find((a) => a.type === 97)!.value).toEqual(Buffer.from('004020010db8000100020000000000000000', 'hex'));
    expect(get(p, A.DelegatedIpv6Prefix)).toBe('2001:db8:ff00::/40');
    expect(get(p, A.FramedIpv6Address)).toBe('2001:db8::1');
    expect(get(p, A.FramedInterfaceId)).toBe('0011:2233:4455:6677');
    expect(get(p, A.SessionTimeout)).toBe(3600);
    expect(get(p, A.EventTimestamp)?.getTime()).toBe(1_800_000_000_000);
    expect(get(p, A.Class)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(get(p, A.ReplyMessage)).toBe('héllo');
    expect(get(p, A.MsPrimaryDnsServer)).toBe('8.8.8.8');
    expect(getTagged(p, A.TunnelType)).toEqual({ tag: 1, value: 13 });
    expect(p.attributes.find((a) => a.type === 64)!.value).toEqual(Buffer.from([1, 0, 0, 13]));
    expect(getTagged(p, A.TunnelMediumType)).toEqual({ tag: 1, value: 6 });
    expect(getTagged(p, A.TunnelPrivateGroupId)).toEqual({ tag: 1, value: '100' });
  });

  it('decodes a shorter-form IPv6 prefix as RFC 3162 allows', () => {
    // The first instance claims 32 bits but carries 16: malformed, skipped.
    const q = decode(Buffer.from('02010022' + '00'.repeat(16) + '6106' + '00200db8' + '6108' + '002020010db8', 'hex'));
    expect(getAll(q, A.FramedIpv6Prefix)).toEqual(['2001:db8::/32']);
  });

  it('reads integer64, ether and signed with their own definitions', async () => {
    const { defineAttr } = await import('../../../src/radius/dict/index.js');
    const big = defineAttr(0, 200, 'Test-Big', 'integer64');
    const mac = defineAttr(0, 201, 'Test-Mac', 'ether');
    const neg = defineAttr(0, 202, 'Test-Signed', 'signed');
    const p = roundTrip([
      { def: big, value: 2n ** 40n + 5n },
      { def: mac, value: 'AA-bb-cc-00-11-22' },
      { def: neg, value: -5 },
    ]);
    expect(get(p, big)).toBe(2n ** 40n + 5n);
    expect(get(p, mac)).toBe('aa:bb:cc:00:11:22');
    expect(get(p, neg)).toBe(-5);
  });

  it('splits concat attributes and rejects long values otherwise', () => {
    const eap = Buffer.alloc(600, 0xab);
    const p = roundTrip([{ def: A.EapMessage, value: eap }]);
    expect(p.attributes.filter((a) => a.type === 79).map((a) => a.value.length)).toEqual([253, 253, 94]);
    expect(get(p, A.EapMessage)).toEqual(eap);
    expect(() => roundTrip([{ def: A.ReplyMessage, value: 'x'.repeat(254) }])).toThrow(/exceeds 253/);
    expect(() => roundTrip([{ def: A.MikrotikRateLimit, value: 'x'.repeat(248) }])).toThrow(/exceeds 247/);
    expect(() => roundTrip(Array.from({ length: 20 }, () => ({ def: A.ReplyMessage, value: 'x'.repeat(250) })))).toThrow(/exceeds 4096/);
  });

  it('rejects values of the wrong shape, unknown VALUE names and misplaced tags', () => {
    expect(() => roundTrip([{ def: A.FramedIpAddress, value: '10.0.0.256' }])).toThrow(RadiusEncodeError);
    expect(() => roundTrip([{ def: A.SessionTimeout, value: -1 }])).toThrow(RadiusEncodeError);
    expect(() => roundTrip([{ def: A.ServiceType, value: 'No-Such-Service' }])).toThrow(/no such VALUE/);
    expect(() => roundTrip([{ def: A.UserName, value: 'x', tag: 1 }])).toThrow(/does not take a tag/);
    expect(() => roundTrip([{ def: A.MessageAuthenticator, value: ZERO16 }])).toThrow(/messageAuthenticator option/);
    expect(() => roundTrip([{ def: A.FramedIpv6Prefix, value: '2001:db8::/129' }])).toThrow(RadiusEncodeError);
  });
});
