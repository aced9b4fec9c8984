/**
 * An immutable dictionary: attributes by name and by (vendor, code), vendors, and VALUE names.
 * Built from parsed entries by `buildDictionary`; each server instance holds its own (no global).
 */
import { DictionaryError, type DictEntry, type ValueEntry } from './parse.js';
import { NUMERIC_TYPES, defineAttr, type AttributeDef, type VendorDef } from '../codec/types.js';

/** Key of (vendorId, code): vendor ids fit 24 bits and codes 8, so the sum stays a safe integer. */
function codeKey(vendorId: number, code: number): number {
  return vendorId * 256 + code;
}

interface Enumeration {
  readonly byName: Map<string, number>;
  readonly byValue: Map<number, string>;
}

export class Dictionary {
  private readonly byName = new Map<string, AttributeDef>();
  private readonly byCode = new Map<number, AttributeDef>();
  private readonly vendorsByName = new Map<string, VendorDef>();
  private readonly vendorsById = new Map<number, VendorDef>();
  private readonly enums = new Map<number, Enumeration>();

  /** Use `buildDictionary`; the constructor only exists for it. */
  constructor(entries: readonly DictEntry[]) {
    const values: ValueEntry[] = [];
    for (const e of entries) {
      const fail = (message: string): never => {
        throw new DictionaryError(message, e.file, e.line);
      };
      switch (e.kind) {
        case 'include':
          fail('$INCLUDE must be resolved by the loader before building');
          break;
        case 'vendor': {
          const known = this.vendorsByName.get(e.name.toLowerCase()) ?? this.vendorsById.get(e.id);
          if (known !== undefined && (known.id !== e.id || known.name.toLowerCase() !== e.name.toLowerCase())) {
            fail(`VENDOR ${e.name} ${e.id} conflicts with VENDOR ${known.name} ${known.id}`);
          }
          if (known === undefined) {
            const v = Object.freeze({ name: e.name, id: e.id });
            this.vendorsByName.set(e.name.toLowerCase(), v);
            this.vendorsById.set(e.id, v);
          }
          break;
        }
        case 'attribute': {
          let vendorId = 0;
          if (e.vendor !== undefined) {
            const v = this.vendorsByName.get(e.vendor.toLowerCase());
            if (v === undefined) fail(`attribute ${e.name}: unknown vendor "${e.vendor}"`);
            vendorId = v!.id;
          }
          const def = defineAttr(vendorId, e.code, e.name, e.type, { encrypt: e.encrypt, hasTag: e.hasTag, concat: e.concat });
          const sameName = this.byName.get(e.name.toLowerCase());
          if (sameName !== undefined) {
            if (!sameDef(sameName, def)) fail(`attribute ${e.name} is already defined differently`);
            break;
          }
          const sameCode = this.byCode.get(codeKey(vendorId, e.code));
          // A second name for the same code is an alias (old spellings); it must agree on the
          // wire format, and decoding reports the first name.
          if (sameCode !== undefined && !sameWireFormat(sameCode, def)) {
            fail(`attribute ${e.name} redefines ${sameCode.name} (same number) with another type or flags`);
          }
          this.byName.set(e.name.toLowerCase(), def);
          if (sameCode === undefined) this.byCode.set(codeKey(vendorId, e.code), def);
          break;
        }
        case 'value':
          // FreeRADIUS allows a VALUE before its ATTRIBUTE, so they are applied at the end.
          values.push(e);
          break;
      }
    }
    for (const v of values) {
      const def = this.byName.get(v.attribute.toLowerCase());
      if (def === undefined) throw new DictionaryError(`VALUE for unknown attribute "${v.attribute}"`, v.file, v.line);
      if (!NUMERIC_TYPES.has(def.type)) throw new DictionaryError(`VALUE for ${def.name}, which is not numeric`, v.file, v.line);
      const key = codeKey(def.vendorId, def.code);
      let en = this.enums.get(key);
      if (en === undefined) {
        en = { byName: new Map(), byValue: new Map() };
        this.enums.set(key, en);
      }
      const existing = en.byName.get(v.name.toLowerCase());
      if (existing !== undefined && existing !== v.value) {
        throw new DictionaryError(`VALUE ${def.name} ${v.name} is already ${existing}`, v.file, v.line);
      }
      en.byName.set(v.name.toLowerCase(), v.value);
      if (!en.byValue.has(v.value)) en.byValue.set(v.value, v.name);
    }
    Object.freeze(this);
  }

  /** Looks an attribute up by name, case-insensitively as FreeRADIUS does. */
  attr(name: string): AttributeDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Looks an attribute up by its wire identity; vendorId 0 is the standard space. */
  attrByCode(vendorId: number, code: number): AttributeDef | undefined {
    return this.byCode.get(codeKey(vendorId, code));
  }

  vendor(nameOrId: string | number): VendorDef | undefined {
    return typeof nameOrId === 'number' ? this.vendorsById.get(nameOrId) : this.vendorsByName.get(nameOrId.toLowerCase());
  }

  /** The VALUE name of `value` for an enumerated attribute, e.g. Acct-Status-Type 7 -> Accounting-On. */
  valueName(def: AttributeDef, value: number): string | undefined {
    return this.enums.get(codeKey(def.vendorId, def.code))?.byValue.get(value);
  }

  /** The number of a VALUE name, case-insensitively. */
  valueOf(def: AttributeDef, name: string): number | undefined {
    return this.enums.get(codeKey(def.vendorId, def.code))?.byName.get(name.toLowerCase());
  }

  /** Every VALUE of an attribute, as [name, number], in definition order. */
  values(def: AttributeDef): [string, number][] {
    const en = this.enums.get(codeKey(def.vendorId, def.code));
    return en === undefined ? [] : [...en.byValue].map(([n, name]) => [name, n]);
  }

  /** Every attribute, aliases included. */
  attributes(): IterableIterator<AttributeDef> {
    return this.byName.values();
  }
}

function sameWireFormat(a: AttributeDef, b: AttributeDef): boolean {
  return a.type === b.type && a.encrypt === b.encrypt && a.hasTag === b.hasTag && a.concat === b.concat;
}

function sameDef(a: AttributeDef, b: AttributeDef): boolean {
  return a.vendorId === b.vendorId && a.code === b.code && sameWireFormat(a, b);
}

/** Builds a dictionary from entries of one or more files, in order (includes already expanded). */
export function buildDictionary(entries: readonly DictEntry[]): Dictionary {
  return new Dictionary(entries);
}
