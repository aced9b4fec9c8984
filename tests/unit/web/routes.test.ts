// The admin UI's screen table (web/src/routes.ts): every screen has a title in every language and a
// case in the shell that renders it, and every screen's own URL reaches it (no earlier pattern takes it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../../src/i18n/messages.js';
import { LOCALES } from '../../../src/i18n/locales.js';
import { compileRoutes, matchPath } from '../../../web/src/router.js';
import { NOT_FOUND_TITLE, SIGN_IN_TITLE, documentTitle, patterns, screens, titleKey } from '../../../web/src/routes.js';

const shell = readFileSync(join(import.meta.dirname, '../../../web/src/main.ts'), 'utf8');
/** The screen names the shell's page() switch renders. */
const cases = [...shell.matchAll(/case '([^']+)':/g)].map((m) => m[1]);

describe('the screen table', () => {
  it('gives every screen a title that every language has', () => {
    const titles: Record<string, string> = Object.fromEntries(Object.entries(screens).map(([name, s]) => [name, s.title]));
    for (const [name, key] of Object.entries({ ...titles, 'sign-in': SIGN_IN_TITLE, 'not-found': NOT_FOUND_TITLE })) {
      expect(key, `${name} has no title`).toMatch(/\S/);
      for (const l of LOCALES) expect(CATALOGUES[l], `${name}: ${key} in ${l}`).toHaveProperty([key]);
    }
  });

  it('has a case in the shell for every screen, and no case for a screen it lacks', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect([...cases].sort()).toEqual(Object.keys(screens).sort());
  });

  it("reaches every screen from its own URL (an earlier pattern does not take it)", () => {
    const routes = compileRoutes(patterns());
    for (const [name, s] of Object.entries(screens)) {
      const path = s.path.replace(/:\w+/g, '7');
      expect(matchPath(routes, path).name, path).toBe(name);
      expect(matchPath(routes, `${path === '/' ? '' : path}/`).name, `${path}/`).toBe(name);
    }
    expect(matchPath(routes, '/customers/7/services/new').params).toEqual({ id: '7' });
    expect(matchPath(routes, '/nowhere').name).toBe('not-found');
  });

  it('names the screen first in the document title, and an unknown screen as not found', () => {
    expect(documentTitle('Customers', 'Tollgate')).toBe('Customers · Tollgate');
    expect(titleKey('customers')).toBe('nav.customers');
    expect(titleKey('not-found')).toBe(NOT_FOUND_TITLE);
  });
});
