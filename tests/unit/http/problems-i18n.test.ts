// Problems in the reader's language: the renderer (a catalogue key with values in it/es/en), the
// choice of language (admin's, Accept-Language, installation's) through a real fastify app with the
// API's own validator, and the keys the code throws against the catalogue.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorHandler, problem, problemTitle, renderProblem, say } from '../../../src/http/errors.js';
import { validatorCompiler } from '../../../src/http/validation.js';
import { errorCodes, isErrorCode } from '../../../src/lib/error-codes.js';
import { said, TollgateError } from '../../../src/lib/errors.js';
import { LOCALES, type Locale } from '../../../src/i18n/locales.js';
import { CATALOGUES, isMessageKey, translate } from '../../../src/i18n/messages.js';
import { taxCodeFor, vatNumberFor } from '../../../src/domain/fiscal/tax-ids.js';
import { einvoiceProblems, normalizeFiscal } from '../../../src/domain/fiscal/customer.js';
import { ROOT } from '../../helpers/daemon.js';

const codes = Object.keys(errorCodes).filter(isErrorCode);

describe('the catalogue of problem titles', () => {
  it('has problem.<code> for every error code in every language, English equal to the code catalogue', () => {
    for (const l of LOCALES) {
      const missing = codes.filter((c) => !Object.hasOwn(CATALOGUES[l], `problem.${c}`));
      expect(missing, l).toEqual([]);
    }
    expect(codes.filter((c) => translate('en', `problem.${c}`) !== errorCodes[c].title), 'English title differs from src/lib/error-codes.ts').toEqual([]);
  });

  it('gives the title in the reader’s language', () => {
    expect(problemTitle('invalid_tax_code', 'it')).toBe('Codice fiscale non valido');
    expect(problemTitle('invalid_input', 'es')).toBe('Datos no válidos');
    expect(problemTitle('invalid_input', 'en')).toBe('Invalid input');
  });
});

describe('the renderer', () => {
  const text = said('fault.ipOrCidr', '"10.0.0.300" is not an IP address or CIDR block', { value: '10.0.0.300' });

  it('renders a key with its values in Italian and Spanish, and the thrown English text for English', () => {
    expect(say(text, 'it')).toBe('"10.0.0.300" non è un indirizzo IP né una rete CIDR');
    expect(say(text, 'es')).toBe('"10.0.0.300" no es una dirección IP ni un bloque CIDR');
    expect(say(text, 'en')).toBe('"10.0.0.300" is not an IP address or CIDR block');
  });

  it('formats number values in the reader’s locale', () => {
    const min = { text: 'must be >= 1000', key: 'validation.minimum', values: { limit: 1000, comparison: '>=' } };
    expect(say(min, 'it')).toBe('deve essere almeno 1000'.replace('1000', (1000).toLocaleString('it-IT')));
    expect(say(min, 'es')).toBe(`debe ser al menos ${(1000).toLocaleString('es-ES')}`);
    expect(say(min, 'en')).toBe('must be >= 1000');
  });

  it('falls back to the English text for a key the catalogue does not have', () => {
    expect(say({ text: 'plain English', key: 'fault.noSuchKey' }, 'it')).toBe('plain English');
  });

  it('keeps code, type, status and field names, and words detail and messages for the reader', () => {
    const d = problem('invalid_input', (l) => `ipAddress: ${say(text, l)}`, [{ field: 'ipAddress', message: text }]);
    expect(renderProblem(d, 'it')).toEqual({
      type: 'https://tollgate.dev/problems/invalid-input', code: 'invalid_input', status: 422, title: 'Dati non validi',
      detail: 'ipAddress: "10.0.0.300" non è un indirizzo IP né una rete CIDR',
      errors: [{ field: 'ipAddress', message: '"10.0.0.300" non è un indirizzo IP né una rete CIDR' }],
    });
    expect(renderProblem(d, 'en')).toMatchObject({ title: 'Invalid input', detail: 'ipAddress: "10.0.0.300" is not an IP address or CIDR block' });
  });
});

describe('the error handler, by reader', () => {
  async function app(defaultLanguage?: Locale) {
    const f = Fastify({ logger: false });
    if (defaultLanguage) f.decorate('defaultLanguage', defaultLanguage);
    f.setValidatorCompiler(validatorCompiler());
    f.setErrorHandler(errorHandler);
    await f.register(async (api) => {
      api.addHook('onRequest', async (req) => {
        const lang = req.headers['x-admin-language'];
        if (typeof lang === 'string') req.auth = { kind: 'session', actorId: 'admin:1', role: 'superadmin', grants: {}, language: lang };
      });
      api.post('/form', {
        schema: {
          body: {
            type: 'object', additionalProperties: false, required: ['name', 'price'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 5 }, price: { type: 'integer', minimum: 0 }, date: { type: 'string', format: 'date' },
              kind: { type: 'string', enum: ['person', 'company'] }, code: { type: 'string', pattern: '^[A-Z]+$' },
            },
          },
        },
      }, async () => ({ ok: true }));
      api.get('/einvoice', async () => {
        const problems = einvoiceProblems({ kind: 'company', country: 'IT', companyName: 'Rossi srl', vatNumber: '01234567897', street: 'Via Roma 1', city: 'Roma' });
        throw new TollgateError('einvoice_not_ready', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems[0]!.field, { fields: problems });
      });
      // A refusal of the framework's own that no branch above knows (a 4xx with its own words).
      api.get('/refused', async () => {
        throw Object.assign(new Error('the framework says no'), { statusCode: 406, name: 'NotAcceptable' });
      });
      api.get('/tax', async () => {
        normalizeFiscal({}, { kind: 'person', firstName: 'Mario', lastName: 'Rossi', country: 'IT', taxCode: 'RSSMRA85T10A562X' });
        return {};
      });
    });
    return f;
  }
  const bad = { name: '', price: -1, date: '2026-13-01', kind: 'robot', code: 'abc', extra: 1 };

  it('answers an admin in their own language, saying so in Content-Language', async () => {
    const f = await app();
    const res = await f.inject({ method: 'POST', url: '/form', payload: bad, headers: { 'x-admin-language': 'it', 'accept-language': 'es' } });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-language']).toBe('it');
    const body = res.json();
    expect(body).toMatchObject({ code: 'invalid_input', status: 422, type: 'https://tollgate.dev/problems/invalid-input', title: 'Dati non validi' });
    expect(Object.fromEntries(body.errors.map((e: { field: string; message: string }) => [e.field, e.message]))).toEqual({
      extra: 'non è un campo previsto',
      name: 'non può essere vuoto',
      price: 'deve essere almeno 0',
      date: 'deve essere una data AAAA-MM-GG',
      kind: 'deve essere uno dei valori ammessi: person, company',
      code: 'deve rispettare il formato "^[A-Z]+$"',
    });
    expect(body.detail).toMatch(/^dati non validi \(body\): /);
    const tax = await f.inject({ method: 'GET', url: '/tax', headers: { 'x-admin-language': 'it' } });
    expect(tax.json()).toMatchObject({ code: 'invalid_tax_code', title: 'Codice fiscale non valido', errors: [{ field: 'taxCode', message: 'il carattere di controllo di questo codice fiscale è errato' }] });
    await f.close();
  });

  it('words each field of a many-field refusal (an e-invoice not ready) for the reader, English as before', async () => {
    const f = await app();
    const it = await f.inject({ method: 'GET', url: '/einvoice', headers: { 'x-admin-language': 'it' } });
    expect(it.json()).toMatchObject({ code: 'einvoice_not_ready', title: 'Dati mancanti per la fattura elettronica', detail: 'postalCode: manca il CAP', errors: [{ field: 'postalCode', message: 'manca il CAP' }] });
    const en = await f.inject({ method: 'GET', url: '/einvoice' });
    expect(en.json()).toEqual({
      type: 'https://tollgate.dev/problems/einvoice-not-ready', title: 'Not ready for e-invoicing', status: 422, code: 'einvoice_not_ready',
      detail: 'postalCode: the postal code is missing', errors: [{ field: 'postalCode', message: 'the postal code is missing' }],
    });
    await f.close();
  });

  it('follows Accept-Language for a reader without a language of their own, then the installation’s', async () => {
    const f = await app('it');
    const es = await f.inject({ method: 'POST', url: '/form', payload: { price: 1.5 }, headers: { 'accept-language': 'es-AR,es;q=0.9,en;q=0.5' } });
    expect(es.headers['content-language']).toBe('es');
    expect(es.json().errors).toEqual([{ field: 'name', message: 'es obligatorio' }, { field: 'price', message: 'debe ser un número entero' }]);
    const none = await f.inject({ method: 'POST', url: '/form', payload: { price: 1 } });
    expect(none.headers['content-language']).toBe('it');
    expect(none.json()).toMatchObject({ title: 'Dati non validi', errors: [{ field: 'name', message: 'è obbligatorio' }] });
    await f.close();
  });

  it('answers an English reader exactly as before', async () => {
    const f = await app();
    const res = await f.inject({ method: 'POST', url: '/form', payload: { name: '', price: -1 } });
    expect(res.headers['content-language']).toBe('en');
    expect(res.json()).toEqual({
      type: 'https://tollgate.dev/problems/invalid-input', title: 'Invalid input', status: 422, code: 'invalid_input',
      detail: 'invalid body: name must NOT have fewer than 1 characters; price must be >= 0',
      errors: [{ field: 'name', message: 'must NOT have fewer than 1 characters' }, { field: 'price', message: 'must be >= 0' }],
    });
    const tax = await f.inject({ method: 'GET', url: '/tax' });
    expect(tax.json()).toMatchObject({ title: 'Invalid tax code', detail: 'taxCode: the check letter of this codice fiscale is wrong' });
    await f.close();
  });

  it('words a framework refusal for the reader, English as it always read', async () => {
    const f = await app();
    const en = await f.inject({ method: 'GET', url: '/refused' });
    expect(en.statusCode).toBe(406);
    expect(en.json()).toEqual({ type: 'about:blank', title: 'NotAcceptable', status: 406, detail: 'the framework says no', code: 'bad_request' });
    const it = await f.inject({ method: 'GET', url: '/refused', headers: { 'x-admin-language': 'it' } });
    expect(it.statusCode).toBe(406);
    expect(it.headers['content-language']).toBe('it');
    expect(it.json()).toMatchObject({ status: 406, code: 'bad_request', detail: 'la richiesta è stata rifiutata (406)' });
    expect(it.json().title).not.toBe('NotAcceptable');
    await f.close();
  });
});

/** Every key of the thrown-message prefixes written in src/ (outside the catalogues). */
function keysThrown(): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const found = new Set<string>();
  for (const f of files(join(ROOT, 'src')).filter((f) => !f.includes(join('i18n', 'catalogues')))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/'((?:fault|reason|validation|actionError|jobError)\.[A-Za-z0-9.-]+)'/g)) found.add(m[1]!);
  }
  return [...found];
}

describe('the keys thrown', () => {
  it('are all in the catalogue', () => {
    const keys = keysThrown();
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter((k) => !isMessageKey(k))).toEqual([]);
  });

  it('word in the English catalogue exactly what the code throws, where the text is a plain literal', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const differ: string[] = [];
    let checked = 0;
    for (const f of files(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:said|bad)\('((?:fault|reason)\.[A-Za-z0-9.]+)', '([^'\\]*)'\)/g)) {
        checked++;
        if (isMessageKey(m[1]!) && translate('en', m[1]!) !== m[2]) differ.push(`${m[1]}: "${m[2]}"`);
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(differ).toEqual([]);
  });

  it('word the same English as the thrown text (tax identifiers)', () => {
    const cases: Array<[string, 'tax' | 'vat', string]> = [
      ['IT', 'tax', 'RSSMRA85T10A562X'], ['IT', 'tax', 'RSSMRA85Z10A562S'], ['IT', 'tax', 'RSSMRA85T99A562S'], ['IT', 'tax', 'RSS'],
      ['IT', 'tax', '1234567890'], ['IT', 'tax', 'RSSMRA8XT10A562S'], ['IT', 'vat', '12345678901'], ['IT', 'vat', '00000000000'], ['IT', 'vat', '123'],
      ['ES', 'tax', '12345678A'], ['ES', 'tax', 'X1234567A'], ['ES', 'tax', 'A2801586X'], ['ES', 'tax', '1234'],
      ['AR', 'tax', '20123456780'], ['AR', 'tax', '99123456786'], ['AR', 'tax', '123'], ['DE', 'tax', '!'], ['DE', 'vat', 'DE!'],
    ];
    for (const [country, kind, input] of cases) {
      const r = kind === 'tax' ? taxCodeFor(country, input) : vatNumberFor(country, input);
      expect(r.ok, `${country} ${input}`).toBe(false);
      if (r.ok) continue;
      expect(isMessageKey(r.local.key), r.local.key).toBe(true);
      if (isMessageKey(r.local.key)) expect(translate('en', r.local.key, r.local.values), input).toBe(r.reason);
      expect(say(r.local, 'it'), input).not.toBe(r.reason);
    }
  });

  it('carry the English text as the error message (logs and CLI stay English)', () => {
    const e = new TollgateError('invalid_input', said('fault.mac', '"x" is not a MAC address', { value: 'x' }), 'macAddress');
    expect(e.message).toBe('"x" is not a MAC address');
    expect(e.local?.key).toBe('fault.mac');
  });
});
