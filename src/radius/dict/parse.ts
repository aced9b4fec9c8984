/**
 * A pure parser of FreeRADIUS-format dictionary text. It turns one file's text into entries; it does
 * not read files (the loader resolves `$INCLUDE`) and does not resolve names across files (the
 * builder in `dictionary.ts` does, since a VENDOR or an ATTRIBUTE may come from another file).
 */
import { TollgateError } from '../../lib/errors.js';
import type { AttrType, EncryptMode } from '../codec/types.js';

/** A dictionary file that cannot be used. The message starts with `file:line:`. */
export class DictionaryError extends TollgateError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super('dictionary_invalid', `${file}:${line}: ${message}`);
    this.name = 'DictionaryError';
  }
}

interface Located {
  readonly file: string;
  readonly line: number;
}

export interface AttributeEntry extends Located {
  readonly kind: 'attribute';
  readonly name: string;
  readonly code: number;
  readonly type: AttrType;
  readonly encrypt: EncryptMode;
  readonly hasTag: boolean;
  readonly concat: boolean;
  /** From BEGIN-VENDOR, or the old fourth-field form; resolved to an id by the builder. */
  readonly vendor: string | undefined;
}

export interface ValueEntry extends Located {
  readonly kind: 'value';
  readonly attribute: string;
  readonly name: string;
  readonly value: number;
}

export interface VendorEntry extends Located {
  readonly kind: 'vendor';
  readonly name: string;
  readonly id: number;
}

export interface IncludeEntry extends Located {
  readonly kind: 'include';
  readonly path: string;
  /** `$INCLUDE-`: a missing file is skipped rather than an error. */
  readonly optional: boolean;
}

export type DictEntry = AttributeEntry | ValueEntry | VendorEntry | IncludeEntry;

const TYPES: Readonly<Record<string, AttrType>> = {
  string: 'string',
  text: 'string',
  octets: 'octets',
  ipaddr: 'ipaddr',
  ipv4addr: 'ipaddr',
  ipv6addr: 'ipv6addr',
  ipv6prefix: 'ipv6prefix',
  ipv4prefix: 'ipv4prefix',
  integer: 'integer',
  uint32: 'integer',
  signed: 'signed',
  int32: 'signed',
  date: 'date',
  byte: 'byte',
  uint8: 'byte',
  short: 'short',
  uint16: 'short',
  integer64: 'integer64',
  uint64: 'integer64',
  ifid: 'ifid',
  ether: 'ether',
  tlv: 'tlv',
  'combo-ip': 'combo-ip',
  vsa: 'vsa',
  abinary: 'abinary',
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+/-]*$/;

function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^-?\d+$/.test(text)) return Number.parseInt(text, 10);
  return undefined;
}

/** Parses the text of one dictionary file. Throws DictionaryError naming `file` and the line. */
export function parseDictionaryText(text: string, file: string): DictEntry[] {
  const entries: DictEntry[] = [];
  // BEGIN-VENDOR blocks nest in no real dictionary, but a stack makes a mismatched END-VENDOR
  // a precise error rather than a silent change of vendor.
  const vendorStack: string[] = [];
  let lineNo = 0;
  let lastBegin = 0;
  for (const raw of text.split(/\r?\n/)) {
    lineNo++;
    const hash = raw.indexOf('#');
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/).filter((f) => f !== '');
    const keyword = fields[0];
    if (keyword === undefined) continue;
    const fail = (message: string): never => {
      throw new DictionaryError(message, file, lineNo);
    };
    switch (keyword) {
      case '$INCLUDE':
      case '$INCLUDE-': {
        if (fields.length !== 2) fail(`${keyword} takes one file name`);
        entries.push({ kind: 'include', file, line: lineNo, path: fields[1]!, optional: keyword === '$INCLUDE-' });
        break;
      }
      case 'VENDOR': {
        if (fields.length < 3 || fields.length > 4) fail('VENDOR takes a name, a number and an optional format');
        const [, name, idText, format] = fields as [string, string, string, string | undefined];
        if (!NAME.test(name)) fail(`invalid vendor name "${name}"`);
        const id = parseNumber(idText);
        if (id === undefined || id <= 0 || id > 0xffffff) fail(`invalid vendor number "${idText}"`);
        // The codec splits VSAs as one-byte type, one-byte length (RFC 2865 5.26's suggested
        // format); vendors with wider fields would be misread, so they are refused here.
        if (format !== undefined && format !== 'format=1,1') fail(`vendor ${name}: ${format} is not supported (only format=1,1)`);
        entries.push({ kind: 'vendor', file, line: lineNo, name, id: id! });
        break;
      }
      case 'BEGIN-VENDOR': {
        if (fields.length !== 2) fail('BEGIN-VENDOR takes one vendor name');
        vendorStack.push(fields[1]!);
        lastBegin = lineNo;
        break;
      }
      case 'END-VENDOR': {
        if (fields.length !== 2) fail('END-VENDOR takes one vendor name');
        const open = vendorStack.pop();
        if (open === undefined) fail(`END-VENDOR ${fields[1]} without BEGIN-VENDOR`);
        if (open !== fields[1]) fail(`END-VENDOR ${fields[1]} closes BEGIN-VENDOR ${open}`);
        break;
      }
      case 'ATTRIBUTE': {
        if (fields.length < 4 || fields.length > 5) fail('ATTRIBUTE takes a name, a number, a type and optional flags');
        const [, name, codeText, typeText, extra] = fields as [string, string, string, string, string | undefined];
        if (!NAME.test(name)) fail(`invalid attribute name "${name}"`);
        if (codeText.includes('.')) fail(`attribute ${name}: nested or extended numbers ("${codeText}") are not supported`);
        const code = parseNumber(codeText);
        if (code === undefined || code < 1 || code > 255) fail(`attribute ${name}: invalid number "${codeText}"`);
        // `octets[16]` documents a fixed size; the codec does not enforce it.
        const type = TYPES[typeText.replace(/\[\d+\]$/, '').toLowerCase()];
        if (type === undefined) fail(`attribute ${name}: unknown type "${typeText}"`);
        let encrypt: EncryptMode = 0;
        let hasTag = false;
        let concat = false;
        let vendor = vendorStack[vendorStack.length - 1];
        if (extra !== undefined) {
          const looksLikeFlags = extra.includes('=') || /^(has_tag|concat|array|encrypt)/.test(extra);
          if (!looksLikeFlags) {
            // The old form names the vendor in the fourth field.
            vendor = extra;
          } else {
            for (const flag of extra.split(',')) {
              if (flag === 'has_tag') hasTag = true;
              else if (flag === 'concat') concat = true;
              else if (flag === 'array') continue;
              else if (/^encrypt=[0-3]$/.test(flag)) encrypt = Number(flag.slice(8)) as EncryptMode;
              else fail(`attribute ${name}: unknown flag "${flag}"`);
            }
          }
        }
        if (encrypt !== 0 && !['string', 'octets'].includes(type!)) fail(`attribute ${name}: encrypt applies to string and octets only`);
        if (hasTag && !['string', 'octets', 'integer'].includes(type!)) fail(`attribute ${name}: has_tag applies to string, octets and integer only`);
        if (concat && type !== 'octets') fail(`attribute ${name}: concat applies to octets only`);
        entries.push({ kind: 'attribute', file, line: lineNo, name, code: code!, type: type!, encrypt, hasTag, concat, vendor });
        break;
      }
      case 'VALUE': {
        if (fields.length !== 4) fail('VALUE takes an attribute name, a value name and a number');
        const [, attribute, name, numText] = fields as [string, string, string, string];
        const value = parseNumber(numText);
        if (value === undefined || !Number.isSafeInteger(value)) fail(`VALUE ${attribute} ${name}: invalid number "${numText}"`);
        entries.push({ kind: 'value', file, line: lineNo, attribute, name, value: value! });
        break;
      }
      default:
        fail(`unknown or unsupported keyword "${keyword}"`);
    }
  }
  if (vendorStack.length > 0) {
    throw new DictionaryError(`BEGIN-VENDOR ${vendorStack[vendorStack.length - 1]} is never closed`, file, lastBegin);
  }
  return entries;
}
