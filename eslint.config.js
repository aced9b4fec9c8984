// Lint at zero warnings (`npm run lint`, part of `npm test`). Besides typescript-eslint's
// recommended rules, this file writes the architecture down: which folder may import which
// (a lower layer never imports a higher one) and no import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

/**
 * The layers of src/, lowest first. A folder may import its own layer's folders and the layers
 * below; never a layer above. src/lib, src/domain and src/radius/codec have stricter rules below.
 */
const layers = [
  ['src/lib'],
  ['src/i18n'],
  ['src/config', 'src/domain', 'src/radius/codec'],
  ['src/radius/dict', 'src/radius/auth', 'src/logger.ts', 'src/metrics.ts', 'src/keys.ts'],
  ['src/db'],
  ['src/radius/server', 'src/radius/coa', 'src/notify'],
  ['src/aaa'],
  ['src/nas'],
  ['src/billing', 'src/einvoice'],
  ['src/scheduler'],
  ['src/http'],
  ['src/bootstrap.ts', 'src/daemon.ts', 'src/main.ts', 'src/cli'],
];

const layerZones = layers.slice(0, -1).flatMap((layer, i) => {
  const above = layers.slice(i + 1).flat();
  return layer.map((target) => ({ target: `./${target}`, from: above.map((f) => `./${f}`), message: `${target} sits below these: import downward only` }));
});

const everythingBut = (...allowed) =>
  ['src/i18n', 'src/config', 'src/domain', 'src/radius', 'src/db', 'src/aaa', 'src/notify', 'src/nas', 'src/billing', 'src/einvoice', 'src/scheduler', 'src/http', 'src/cli',
    'src/bootstrap.ts', 'src/daemon.ts', 'src/main.ts', 'src/logger.ts', 'src/metrics.ts', 'src/keys.ts']
    .filter((f) => !allowed.some((a) => f === a || a.startsWith(`${f}/`)))
    .map((f) => `./${f}`);

const strictZones = [
  // The codec is pure wire format: bytes in, values out (node:* and src/lib only).
  { target: './src/radius/codec', from: [...everythingBut('src/radius/codec'), './src/radius/dict', './src/radius/auth', './src/radius/coa', './src/radius/server'], message: 'the RADIUS codec imports only node:* and src/lib' },
  // The catalogues and the formatter serve the server and the browser alike: src/lib only, no Node APIs.
  { target: './src/i18n', from: everythingBut('src/i18n'), message: 'src/i18n imports only src/lib (the web bundles it)' },
  // The billing domain is pure: no database, HTTP, RADIUS or network control.
  { target: './src/domain', from: everythingBut('src/domain'), message: 'the pure domain imports only src/lib' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/var/**', 'reports/**', 'data/**', 'migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'web/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/dist/*'], message: 'import the sources, not the build' }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...strictZones] }],
    },
  },
  {
    // Tests read JSON answers and fake peers loosely typed on purpose: what they assert is the value.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // src/lib is the floor: it imports nothing else in src.
    files: ['src/lib/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../lib/*'], message: 'src/lib imports nothing else in src' }] }] },
  },
  {
    files: ['web/**/*.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      // The UI shares the API's types (its typebox schemas), never server code: type-only imports; the
      // one exception is src/i18n (catalogues and formatting), which is pure and made to be bundled.
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)src/(?!i18n/)', allowTypeImports: true, message: 'the web imports only types from src/ (the API schemas) and src/i18n' }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
