/**
 * The catalogues are complete and used, and user-facing text goes through them:
 * - every language has exactly the English keys, each message parses as ICU MessageFormat and takes
 *   the same arguments as the English one;
 * - the Italian and Spanish catalogues hold no English left over (a short, explicit list of words
 *   that are the same in that language: product names, units, loanwords);
 * - every key is used somewhere in src/ or web/src/ (keys built from data name their prefix below);
 * - a scanner over web/src finds no literal text in Lit templates (text, titles, labels,
 *   placeholders, aria-labels), field definitions, toasts, confirmations and error messages, and
 *   one over the PDF builders finds no literal label: all of it comes from the catalogue;
 * - the notification templates exist in every language with the same variables as English.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { INTL_TAGS, LOCALES } from '../../../src/i18n/locales.js';
import { CATALOGUES, placeholders } from '../../../src/i18n/messages.js';
import { BUILT_IN, variablesOf } from '../../../src/notify/templates.js';

const root = join(import.meta.dirname, '../../..');
const en = CATALOGUES.en;
const keys = Object.keys(en).sort();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Words that are the same in that language: product names, units, codes and loanwords the trade uses. */
const SAME_IN: Record<'it' | 'es', readonly string[]> = {
  it: ['app.title', 'nav.menu', 'nav.dashboard', 'nav.nas', 'customer.field.email', 'status.ok', 'login.password', 'channel.email', 'channel.sms',
    'customer.confirmAction', 'area.nas', 'audit.entityPlaceholder',
    'einvoice.alert.line', // placeholders and a dash only
    'date.monthLetters', // "mm": mese
    'plans.form.burst', // MikroTik's own word
    'auditEntity.nas', 'auditEntity.voucher'], // the trade's own words
  es: ['app.title', 'nav.nas', 'status.ok', 'col.total', 'channel.sms', 'customer.planN', 'customer.plan', 'promos.field.plan', 'plans.title',
    'profile.daysShort', 'area.nas', 'admins.roles', 'audit.entityPlaceholder', 'settings.variables', 'settings.error', 'pdf.total',
    'method.cheque', // "cheque" is the Spanish word too (Spain and Latin America alike)
    'title.plan', // "plan" is the Spanish word too
    'auditEntity.plan', 'auditEntity.nas',
    'einvoice.alert.line', // placeholders and a dash only
    'date.dayLetters', 'date.monthLetters'], // "dd/mm": día, mes
};

/**
 * Keys built from data rather than written out: the prefix, and where it is built. Each is checked
 * to have keys at all, so a renamed prefix fails here.
 */
const DYNAMIC_PREFIXES = [
  'status.', // web/src/ui.ts statusName(): service, invoice, message, NAS and action states
  'method.', // web/src/names.ts methodName(): payment methods
  'channel.', // web/src/names.ts channelName(): notification channels
  'area.', // web/src/pages/admins.ts areaName(): the access areas of roles
  'role.', // web/src/pages/admins.ts roleDescription(): the built-in roles' descriptions
  'job.', // web/src/pages/settings.ts jobName(): the daily jobs
  'problem.', // src/http/errors.ts problemTitle(): the title of each error code
  'validation.', // src/http/errors.ts validationText(): ajv's keywords, narrowed by type and format
  'errorCause.', // web/src/names.ts errorCauseText(): RFC 5176 Error-Cause values
  'actor.system.', // web/src/names.ts actorName(): the daemon's own actors (system:dunning…)
  'auditAction.', // web/src/names.ts auditActionName(): the audit log's actions
  'auditEntity.', // web/src/names.ts auditEntityName(): what an audit record is about
  'templateName.', // web/src/names.ts templateName(): the notification templates
  'actionOutcome.', // web/src/names.ts actionOutcome(): a network action's outcome, agreeing with it
  'terminateCause.', // web/src/names.ts terminateCauseText(): why a session ended (Acct-Terminate-Cause)
];

describe('the catalogues', () => {
  it('have exactly the English keys in every language', () => {
    for (const l of LOCALES) expect(Object.keys(CATALOGUES[l]).sort(), l).toEqual(keys);
  });

  it('hold messages that parse, with the same arguments as the English ones', () => {
    for (const l of LOCALES) {
      for (const k of keys) {
        const msg = CATALOGUES[l][k as keyof typeof en];
        expect(() => new IntlMessageFormat(msg, INTL_TAGS[l]), `${l} ${k}`).not.toThrow();
        expect(msg.trim(), `${l} ${k} is empty`).not.toBe('');
        expect(placeholders(msg).sort(), `${l} ${k}`).toEqual(placeholders(en[k as keyof typeof en]).sort());
      }
    }
  });

  it('have no English left in Italian and Spanish but the listed words', () => {
    for (const l of ['it', 'es'] as const) {
      const same = keys.filter((k) => CATALOGUES[l][k as keyof typeof en] === en[k as keyof typeof en]);
      expect(same, `${l}: translate these, or list them in SAME_IN with the reason`).toEqual([...SAME_IN[l]].sort());
    }
  });

  it('use every key (keys built from data by a listed prefix)', () => {
    const sources = [...files(join(root, 'src')), ...files(join(root, 'web/src'))]
      .filter((f) => !f.includes(`${join('src', 'i18n', 'catalogues')}`))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = keys.filter((k) => !sources.includes(`'${k}'`) && !DYNAMIC_PREFIXES.some((p) => k.startsWith(p)));
    expect(unused, 'keys no code uses').toEqual([]);
    for (const p of DYNAMIC_PREFIXES) expect(keys.some((k) => k.startsWith(p)), p).toBe(true);
  });

  it('name every notification template, and nothing else', () => {
    const named = keys.filter((k) => k.startsWith('templateName.')).map((k) => k.slice('templateName.'.length)).sort();
    expect(named).toEqual(Object.keys(BUILT_IN.en).sort());
  });
});

// ---- The scanner of user-facing literals

/** Text that is the same in every language: names, protocol words, units, symbols. */
const ALLOWED_TEXT = new Set([
  'Tollgate', 'NAS', 'IP', 'MAC', 'PDF', 'CSV', 'XML', 'SNMP', 'TOTP', 'CoA', 'RouterOS', 'MikroTik', 'NAS-Identifier', 'admin:1', 'ACK', 'NAK', 'HH:MM',
  'min', 'kbit', 'Mbit',
]);

/** A literal is user-facing text when it has a word in it (two letters or more) that is not allowed as is. */
function isText(s: string): boolean {
  const rest = s.replace(/&[a-z]+;/g, ' ');
  const words = rest.match(/[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+/g) ?? [];
  return words.some((w) => !ALLOWED_TEXT.has(w)) && !ALLOWED_TEXT.has(rest.trim());
}

/** The bodies of every html`…` / svg`…` template in a file, with their ${…} expressions blanked. */
function templates(src: string): string[] {
  const out: string[] = [];
  const re = /\b(?:html|svg)`/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    let i = m.index + m[0].length;
    let body = '';
    while (i < src.length && src[i] !== '`') {
      if (src[i] === '\\') {
        body += src.slice(i, i + 2);
        i += 2;
      } else if (src[i] === '$' && src[i + 1] === '{') {
        // Skip the expression, nested templates and braces included (they are scanned on their own).
        let depth = 0;
        let inTpl = 0;
        for (; i < src.length; i++) {
          const c = src[i];
          if (c === '`') inTpl ^= 1;
          else if (!inTpl && c === '{') depth++;
          else if (!inTpl && c === '}' && --depth === 0) break;
        }
        body += '${}';
        i++;
      } else body += src[i++];
    }
    out.push(body);
  }
  return out;
}

/** Literal text in a template body: between tags, and in attributes a reader sees. */
function templateLiterals(body: string): string[] {
  const found: string[] = [];
  const noComments = body.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of noComments.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const a of tag[0].matchAll(/\s(title|placeholder|aria-label|alt|label|submitLabel|empty)=(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/g)) {
      const v = a[2] ?? a[3] ?? a[4] ?? '';
      if (!v.includes('${}') && isText(v)) found.push(`${a[1]}="${v}"`);
    }
  }
  for (const text of noComments.replace(/<[^>]*>/g, '\n').split('\n')) {
    const t = text.replace(/\$\{\}/g, ' ').trim();
    if (t && isText(t)) found.push(t);
  }
  return found;
}

/** Literal text outside templates: field labels and help, toasts, confirmations, error messages. */
function codeLiterals(src: string): string[] {
  const found: string[] = [];
  const str = `(?:'((?:[^'\\\\]|\\\\.)*)'|"((?:[^"\\\\]|\\\\.)*)"|\`((?:[^\`\\\\]|\\\\.)*)\`)`;
  const patterns = [
    new RegExp(`\\b(?:label|help|patternMessage|placeholder|headline|empty|submitLabel)\\s*:\\s*${str}`, 'g'),
    new RegExp(`\\b(?:toast|confirm|alert)\\(\\s*${str}`, 'g'),
    new RegExp(`\\bthis\\.(?:error|message|testError|note)\\s*=\\s*${str}`, 'g'),
    new RegExp(`\\berror:\\s*${str}`, 'g'),
  ];
  for (const re of patterns) {
    for (const m of src.matchAll(re)) {
      const v = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, ' ');
      if (isText(v)) found.push(m[0]);
    }
  }
  // A returned or thrown string is a message when it reads like one (words with spaces), not a path or a code.
  for (const m of [...src.matchAll(new RegExp(`\\breturn\\s+${str}\\s*;`, 'g')), ...src.matchAll(new RegExp(`\\bnew \\w*Error\\((?:[^'"\`)]|'[^']*',\\s*)*${str}`, 'g'))]) {
    const v = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, ' ');
    if (/[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(v) && isText(v)) found.push(m[0]);
  }
  return found;
}

describe('user-facing text in web/src', () => {
  const web = files(join(root, 'web/src'));

  it('goes through the catalogue: no literal text in templates, fields, toasts or messages', () => {
    const problems: string[] = [];
    for (const f of web) {
      const rel = relative(root, f);
      const src = readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const s of [...templates(src).flatMap(templateLiterals), ...codeLiterals(src)]) problems.push(`${rel}: ${s}`);
    }
    expect(problems).toEqual([]);
  });

  it('has no local table of strings standing in for the catalogue (a `const t = {…}` the scanner cannot read)', () => {
    const local = web.filter((f) => /^\s*const\s+(?:t|T|labels|LABELS|strings|STRINGS)\s*=\s*\{/m.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(local).toEqual([]);
  });

  it('the scanner finds literal text where it is (a self-check on samples)', () => {
    const sample = 'const a = html`<h1>Invoices</h1><input placeholder="name or phone"><p>${t(\'x\')}</p>`; toast(\'Saved\'); const f = { label: \'Name\' };';
    expect(templates(sample).flatMap(templateLiterals)).toEqual(['placeholder="name or phone"', 'Invoices']);
    expect(codeLiterals(sample)).toEqual(["label: 'Name'", "toast('Saved'"]);
    expect(codeLiterals("throw new ApiError(0, 'network', `the server did not answer (${e})`);")).toHaveLength(1);
    expect(templateLiterals(templates('html`<b>${x}</b> · <span>NAS</span>`')[0]!)).toEqual([]);
  });
});

describe('documents and messages', () => {
  it('the PDF builders print no literal label: every word comes from the catalogue', () => {
    const problems: string[] = [];
    for (const f of ['src/http/routes/billing-pdf.ts', 'src/http/routes/receipt-pdf.ts', 'src/billing/vouchers.ts']) {
      const src = readFileSync(join(root, f), 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const m of src.matchAll(/\b(?:text|title)\s*:\s*(?:'([^']*)'|"([^"]*)"|`((?:[^`\\]|\\.)*)`)/g)) {
        const v = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, ' ');
        if (isText(v.replace(/\bIBAN\b/g, ''))) problems.push(`${f}: ${m[0]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every notification template exists in every language with the English variables, and is translated', () => {
    const keysOf = (l: (typeof LOCALES)[number]) => Object.keys(BUILT_IN[l]).sort();
    for (const l of LOCALES) {
      expect(keysOf(l), l).toEqual(keysOf('en'));
      for (const k of keysOf('en') as Array<keyof typeof BUILT_IN.en>) {
        for (const ch of ['email', 'sms'] as const) {
          const ours = BUILT_IN[l][k][ch];
          const eng = BUILT_IN.en[k][ch];
          const vars = (x: { subject: string; body: string }) => [...new Set([...variablesOf(x.subject), ...variablesOf(x.body)])].sort();
          expect(vars(ours), `${l} ${k} ${ch}`).toEqual(vars(eng));
          if (l !== 'en') expect(ours.body, `${l} ${k} ${ch} is still English`).not.toBe(eng.body);
        }
      }
    }
  });
});
