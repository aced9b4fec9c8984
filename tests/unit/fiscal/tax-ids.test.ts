import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ids from '../../../src/domain/fiscal/tax-ids.js';

type Validator = 'codiceFiscale' | 'partitaIva' | 'nifOrNie' | 'cif' | 'cuit';
const vectors = JSON.parse(readFileSync(new URL('../../vectors/fiscal/tax-ids.json', import.meta.url), 'utf8')) as {
  valid: [Validator, string, string][];
  invalid: [Validator, string, string][];
};

describe('tax identifiers', () => {
  it.each(vectors.valid)('%s accepts %s', (fn, input, value) => {
    expect(ids[fn](input)).toMatchObject({ ok: true, value });
  });
  it.each(vectors.invalid)('%s refuses %s', (fn, input, reason) => {
    const r = ids[fn](input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.startsWith(reason)).toBe(true);
  });

  it('an omocodia code has its own check letter, and stands for the same birth data', () => {
    // The 7th-from-the-right digits replaced by L..V (0..9), right to left, as the Agenzia assigns them.
    expect(ids.codiceFiscaleBase('RSSMRA85T10A5SNT')).toBe('RSSMRA85T10A562T');
    expect(ids.codiceFiscaleCheck('RSSMRA85T10A56N')).toBe('H');
    expect(ids.codiceFiscale('RSSMRA85T10A56NS').ok).toBe(false);
  });

  it('every single-character change of a valid partita IVA is caught', () => {
    const good = '06363391001';
    for (let i = 0; i < 11; i++) {
      for (let d = 0; d < 10; d++) {
        if (String(d) === good[i]) continue;
        const changed = good.slice(0, i) + String(d) + good.slice(i + 1);
        expect(ids.partitaIva(changed).ok, changed).toBe(false);
      }
    }
  });

  it('per country: IT codice fiscale / partita IVA, ES NIF-NIE-CIF, AR CUIT, elsewhere a plain format', () => {
    expect(ids.taxCodeFor('IT', 'RSSMRA85T10A562S').ok).toBe(true);
    expect(ids.taxCodeFor('ES', 'X1234567L').ok).toBe(true);
    expect(ids.taxCodeFor('ES', 'A28015865').ok).toBe(true);
    expect(ids.taxCodeFor('AR', '20123456786').ok).toBe(true);
    expect(ids.vatNumberFor('IT', 'IT06363391001')).toMatchObject({ ok: true, value: '06363391001' });
    expect(ids.vatNumberFor('DE', 'DE123456789')).toMatchObject({ ok: true, value: '123456789' });
    expect(ids.vatNumberFor('DE', 'DE 12!').ok).toBe(false);
  });
});
