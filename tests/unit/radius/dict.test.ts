import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  A,
  DictionaryError,
  V,
  buildDictionary,
  defaultDictionaryDir,
  loadDictionary,
  parseDictionaryText,
  readDictionaryFiles,
} from '../../../src/radius/dict/index.js';

function parseError(text: string, file = 'dictionary.test'): DictionaryError {
  try {
    buildDictionary(parseDictionaryText(text, file));
  } catch (err) {
    if (err instanceof DictionaryError) return err;
    throw err;
  }
  throw new Error('expected a DictionaryError');
}

describe('dictionary parser', () => {
  it('reads attributes, flags, vendors and values', () => {
    const text = [
      '# comment',
      'ATTRIBUTE  Tunnel-Password  69  string  has_tag,encrypt=2  # trailing comment',
      'ATTRIBUTE  EAP-Message  79  octets  concat',
      'ATTRIBUTE  Fixed  70  octets[16]',
      'ATTRIBUTE  Service-Type  6  integer',
      'VALUE  Service-Type  Framed-User  2',
      'VALUE  Early-Value  Later  0x10',
      'ATTRIBUTE  Early-Value  7  integer',
      'VENDOR  Acme  9999',
      'BEGIN-VENDOR  Acme',
      'ATTRIBUTE  Acme-Addr  1  ipaddr',
      'ATTRIBUTE  Acme-Big  2  integer64',
      'END-VENDOR  Acme',
      'ATTRIBUTE  Acme-Old-Style  3  string  Acme',
    ].join('\n');
    const d = buildDictionary(parseDictionaryText(text, 'x'));
    expect(d.attr('tunnel-password')).toMatchObject({ code: 69, type: 'string', hasTag: true, encrypt: 2, vendorId: 0 });
    expect(d.attr('EAP-Message')).toMatchObject({ concat: true, type: 'octets' });
    expect(d.attr('Fixed')?.type).toBe('octets');
    expect(d.valueOf(d.attr('Service-Type')!, 'framed-user')).toBe(2);
    expect(d.valueName(d.attr('Early-Value')!, 16)).toBe('Later');
    expect(d.attrByCode(9999, 1)).toMatchObject({ name: 'Acme-Addr', type: 'ipaddr' });
    expect(d.attrByCode(9999, 2)?.type).toBe('integer64');
    expect(d.attrByCode(9999, 3)?.name).toBe('Acme-Old-Style');
    expect(d.vendor('acme')).toEqual({ name: 'Acme', id: 9999 });
    expect(d.vendor(9999)?.name).toBe('Acme');
  });

  it('accepts every listed type, with the opaque ones kept as bytes', () => {
    const types = ['string', 'octets', 'ipaddr', 'ipv6addr', 'ipv6prefix', 'integer', 'date', 'byte', 'short', 'integer64', 'ifid', 'ether', 'signed', 'tlv', 'combo-ip', 'vsa'];
    const text = types.map((t, i) => `ATTRIBUTE T-${t} ${i + 1} ${t}`).join('\n');
    const d = buildDictionary(parseDictionaryText(text, 'types'));
    for (const t of types) expect(d.attr(`T-${t}`)?.type).toBe(t);
  });

  it.each([
    ['ATTRIBUTE Foo 1 noSuchType', 1, 'unknown type'],
    ['\n\nATTRIBUTE Foo 300 string', 3, 'invalid number'],
    ['ATTRIBUTE Foo 1 string has_tag,bogus', 1, 'unknown flag'],
    ['ATTRIBUTE Foo 241.1 integer', 1, 'not supported'],
    ['FOO bar', 1, 'unknown or unsupported keyword'],
    ['VENDOR Wide 4846 format=2,4', 1, 'format=2,4'],
    ['BEGIN-VENDOR Nope\nATTRIBUTE X 1 string\nEND-VENDOR Nope', 2, 'unknown vendor'],
    ['VENDOR A 1\nBEGIN-VENDOR A\nEND-VENDOR B', 3, 'closes BEGIN-VENDOR A'],
    ['VENDOR A 1\n\nBEGIN-VENDOR A', 3, 'never closed'],
    ['ATTRIBUTE X 1 string\nATTRIBUTE X 1 integer', 2, 'already defined differently'],
    ['ATTRIBUTE X 1 string\nATTRIBUTE Y 1 integer', 2, 'redefines X'],
    ['ATTRIBUTE X 1 string\nVALUE X Foo 1', 2, 'not numeric'],
    ['VALUE Missing Foo 1', 1, 'unknown attribute'],
    ['ATTRIBUTE X 1 integer\nVALUE X Foo 1\nVALUE X Foo 2', 3, 'already 1'],
    ['ATTRIBUTE X 1 integer encrypt=1', 1, 'encrypt applies'],
  ])('rejects %j at line %i', (text, line, message) => {
    const err = parseError(text, 'dictionary.acme');
    expect(err.line).toBe(line);
    expect(err.file).toBe('dictionary.acme');
    expect(err.message).toContain(`dictionary.acme:${line}:`);
    expect(err.message).toContain(message);
  });

  it('allows aliases of one code and identical redefinitions', () => {
    const d = buildDictionary(parseDictionaryText('ATTRIBUTE X 1 integer\nATTRIBUTE X-Old 1 integer\nATTRIBUTE X 1 integer\nVALUE X-Old On 1', 'a'));
    expect(d.attrByCode(0, 1)?.name).toBe('X');
    expect(d.attr('X-Old')?.code).toBe(1);
    expect(d.valueName(d.attr('X')!, 1)).toBe('On');
  });
});

describe('dictionary loader', () => {
  const dir = defaultDictionaryDir();

  it('finds the shipped dictionaries relative to the package root', () => {
    expect(existsSync(join(dir, 'dictionary'))).toBe(true);
    expect(dir.endsWith('dictionaries')).toBe(true);
  });

  it('loads every shipped file, each on its own too', () => {
    const d = loadDictionary();
    expect(d.attr('Mikrotik-Rate-Limit')).toMatchObject({ vendorId: 14988, code: 8, type: 'string' });
    expect(d.attr('Mikrotik-Address-List')).toMatchObject({ vendorId: 14988, code: 19 });
    expect(d.attr('MS-MPPE-Send-Key')).toMatchObject({ vendorId: 311, code: 16, encrypt: 2 });
    expect(d.attr('WISPr-Bandwidth-Max-Down')).toMatchObject({ vendorId: 14122, code: 8 });
    expect(d.valueOf(A.AcctStatusType, 'Accounting-On')).toBe(7);
    expect(d.valueOf(A.AcctStatusType, 'Accounting-Off')).toBe(8);
    expect(d.valueName(A.ErrorCause, 503)).toBe('Session-Context-Not-Found');
    expect(d.valueName(A.AcctTerminateCause, 1)).toBe('User-Request');
    expect(d.valueName(A.NasPortType, 15)).toBe('Ethernet');
    const files = readdirSync(dir).filter((f) => f.startsWith('dictionary.'));
    expect(files.length).toBeGreaterThanOrEqual(13);
    // Each file must stand on its own (none relies on another for a vendor or attribute) except
    // for VALUE lines extending an RFC 2865/2866 enumeration.
    const base = readDictionaryFiles([join(dir, 'dictionary.rfc2865'), join(dir, 'dictionary.rfc2866')]);
    for (const f of files) expect(() => buildDictionary([...base, ...readDictionaryFiles([join(dir, f)])]), f).not.toThrow();
    // The entry point includes every file in the folder.
    const included = new Set(readDictionaryFiles([join(dir, 'dictionary')]).map((e) => e.file));
    for (const f of files) expect(included.has(join(dir, f)), f).toBe(true);
  });

  it('declares A exactly as the dictionary files define it', () => {
    const d = loadDictionary();
    for (const [key, def] of Object.entries(A)) {
      const fromFile = d.attr(def.name);
      expect(fromFile, key).toBeDefined();
      expect({ ...fromFile }, key).toEqual({ ...def });
      expect(d.attrByCode(def.vendorId, def.code)?.name, key).toBe(def.name);
    }
  });

  it('declares V exactly as the VALUE lines define it', () => {
    const d = loadDictionary();
    const norm = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    for (const [attrKey, values] of Object.entries(V)) {
      const def = A[attrKey as keyof typeof A];
      expect(def, attrKey).toBeDefined();
      const fromFile = new Map(d.values(def).map(([name, n]) => [norm(name), n]));
      for (const [name, n] of Object.entries(values)) expect(fromFile.get(norm(name)), `${attrKey}.${name}`).toBe(n);
    }
  });

  it('adds operator vendor files and reports their errors with file and line', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tollgate-dict-'));
    const good = join(tmp, 'dictionary.acme');
    writeFileSync(good, 'VENDOR Acme 99999\nBEGIN-VENDOR Acme\nATTRIBUTE Acme-Plan 1 string\nEND-VENDOR Acme\n');
    expect(loadDictionary([good]).attr('Acme-Plan')).toMatchObject({ vendorId: 99999, code: 1 });
    const bad = join(tmp, 'dictionary.bad');
    writeFileSync(bad, '# ok\n$INCLUDE dictionary.acme\nATTRIBUTE Broken 1 nonsense\n');
    expect(() => loadDictionary([bad])).toThrow(`${bad}:3: attribute Broken: unknown type "nonsense"`);
    const loop = join(tmp, 'dictionary.loop');
    writeFileSync(loop, '$INCLUDE dictionary.loop\n');
    expect(() => loadDictionary([loop])).toThrow(/\$INCLUDE loop/);
    const optional = join(tmp, 'dictionary.optional');
    writeFileSync(optional, '$INCLUDE- dictionary.absent\n$INCLUDE dictionary.acme\n');
    expect(loadDictionary([optional]).attr('Acme-Plan')).toBeDefined();
    expect(() => loadDictionary([join(tmp, 'missing')])).toThrow(/cannot read dictionary/);
  });

  it('can load a FreeRADIUS vendor file unchanged when one is installed', () => {
    const fr = '/usr/share/freeradius/dictionary.wispr';
    if (!existsSync(fr)) return;
    // Our own WISPr file already defines these; the identical definitions must merge silently.
    expect(loadDictionary([fr]).attr('WISPr-Location-ID')?.vendorId).toBe(14122);
  });
});
