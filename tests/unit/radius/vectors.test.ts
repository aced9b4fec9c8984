import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Code,
  decodePacket,
  encodePacket,
  get,
  getDecrypted,
  unhidePassword,
  verifyResponseAuthenticator,
  type AttributeInput,
  type Packet,
} from '../../../src/radius/codec/index.js';
import { A, loadDictionary, type AttributeDef } from '../../../src/radius/dict/index.js';

interface Vector {
  name: string;
  request?: string;
  hex: string;
  code: number;
  identifier: number;
  password?: string;
  attributes: Record<string, string | number>;
}
const file = JSON.parse(readFileSync(new URL('../../vectors/rfc2865-examples.json', import.meta.url), 'utf8')) as {
  secret: string;
  packets: Vector[];
};
const secret = file.secret;
const dict = loadDictionary();
const bytes = (v: Vector): Buffer => Buffer.from(v.hex.replace(/\s+/g, ''), 'hex');
const byName = new Map(file.packets.map((v) => [v.name, v]));

function decoded(v: Vector): Packet {
  const r = decodePacket(bytes(v));
  if (!r.ok) throw new Error(`${v.name}: ${r.reason}`);
  return r.packet;
}

function expected(value: string | number): unknown {
  return typeof value === 'string' && value.startsWith('hex:') ? Buffer.from(value.slice(4), 'hex') : value;
}

describe('RFC 2865 section 7 examples', () => {
  it('has the eight packets of sections 7.1-7.3', () => {
    expect(file.packets).toHaveLength(8);
  });

  for (const v of file.packets) {
    describe(v.name, () => {
      it('decodes with the listed header and attribute values', () => {
        const p = decoded(v);
        expect(p.code).toBe(v.code);
        expect(p.identifier).toBe(v.identifier);
        for (const [name, value] of Object.entries(v.attributes)) {
          const def = dict.attr(name)!;
          expect(def, name).toBeDefined();
          expect(get(p, def), name).toEqual(expected(value));
        }
      });

      if (v.password !== undefined) {
        it(`unhides the User-Password "${v.password}"`, () => {
          const p = decoded(v);
          expect(getDecrypted(p, A.UserPassword, secret)).toBe(v.password);
          const hidden = p.attributes.find((a) => a.type === A.UserPassword.code)!.value;
          expect(unhidePassword(hidden, secret, p.authenticator)?.toString()).toBe(v.password);
        });
      }

      it('re-encodes byte for byte', () => {
        const p = decoded(v);
        const attributes: AttributeInput[] = p.attributes.map((a) => {
          // The password is hidden again from its cleartext: the same bytes prove the hiding.
          if (a.type === A.UserPassword.code) return { def: A.UserPassword, value: v.password! };
          const def: AttributeDef | undefined = dict.attrByCode(0, a.type);
          if (def && def.type !== 'octets' && def.type !== 'vsa') return { def, value: get(p, def) as string | number };
          return a;
        });
        const request = v.request === undefined ? undefined : decoded(byName.get(v.request)!);
        const out = encodePacket({
          code: p.code,
          identifier: p.identifier,
          attributes,
          secret,
          ...(request ? { requestAuthenticator: request.authenticator } : { authenticator: p.authenticator }),
        });
        expect(out.toString('hex')).toBe(bytes(v).toString('hex'));
      });

      if (v.request !== undefined) {
        it('carries a valid Response Authenticator', () => {
          const request = decoded(byName.get(v.request!)!);
          expect(verifyResponseAuthenticator(bytes(v), request.authenticator, secret)).toBe(true);
          expect(verifyResponseAuthenticator(bytes(v), request.authenticator, 'wrong-secret')).toBe(false);
          const other = Buffer.from(request.authenticator);
          other[0]! ^= 1;
          expect(verifyResponseAuthenticator(bytes(v), other, secret)).toBe(false);
        });
      }
    });
  }

  it('names enumerated values from the dictionary', () => {
    const accept = decoded(byName.get('7.2 Access-Accept')!);
    expect(dict.valueName(A.ServiceType, get(accept, A.ServiceType)!)).toBe('Framed-User');
    expect(dict.valueName(A.FramedProtocol, get(accept, A.FramedProtocol)!)).toBe('PPP');
    expect(dict.valueName(A.FramedRouting, get(accept, A.FramedRouting)!)).toBe('Listen');
    expect(accept.code).toBe(Code.AccessAccept);
  });
});
