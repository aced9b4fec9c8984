// The error catalogue (src/lib/error-codes.ts) against what src/ really throws and what the README
// tells API users: a code thrown but not catalogued, catalogued but thrown nowhere, or missing from
// the README fails here, naming the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Fastify from 'fastify';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/errors.js';
import { errorCodes, isErrorCode, type ErrorCode } from '../../../src/lib/error-codes.js';
import { ConfigError, TollgateError } from '../../../src/lib/errors.js';
import { ROOT } from '../../helpers/daemon.js';

const SRC = join(ROOT, 'src');
const catalogued: ErrorCode[] = Object.keys(errorCodes).filter(isErrorCode);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Use {
  code: string;
  where: string;
}

/** The position of the parameter typed with the catalogue's type (ErrorCode, or a subset such as RouterOsErrorCode). */
function codeParameter(params: ts.NodeArray<ts.ParameterDeclaration>): number {
  return params.findIndex((p) => p.type !== undefined && ts.isTypeReferenceNode(p.type) && /ErrorCode$/.test(p.type.typeName.getText()));
}

/** Names declared in a file with the position of their code parameter (-1: the name takes no code). */
function declarations(file: ts.SourceFile): { callables: Map<string, number>; parents: Map<string, string> } {
  const callables = new Map<string, number>();
  const parents = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
      callables.set(node.name.getText(file), codeParameter(node.parameters));
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      callables.set(node.name.text, codeParameter(node.initializer.parameters));
    } else if (ts.isClassDeclaration(node) && node.name) {
      const ctor = node.members.find(ts.isConstructorDeclaration);
      callables.set(node.name.text, ctor ? codeParameter(ctor.parameters) : -1);
      const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (base) parents.set(node.name.text, base.expression.getText(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { callables, parents };
}

function literalsIn(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  const found: string[] = [];
  ts.forEachChild(node, (child) => void found.push(...literalsIn(child)));
  return found;
}

/**
 * Every code written where src/ constructs an error: the argument in the code position of
 * `new TollgateError(…)`, of its subclasses, of `super(…)` in a subclass that fixes its code, and of
 * any helper whose parameter is typed ErrorCode (`problem`, `fail`, `invalid`, `deny`…). A literal in
 * a conditional counts too (`isTls ? 'routeros_tls' : 'routeros_connect'`).
 */
function thrownCodes(): Use[] {
  const files = tsFiles(SRC).map((path) => ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true));
  const local = new Map(files.map((f) => [f, declarations(f)]));
  // Names taking a code anywhere (imported helpers and classes); a file's own declaration of the same
  // name wins, so the unrelated `fail(reason)` helpers of the RADIUS codec do not count.
  const global = new Map<string, number>();
  const parents = new Map<string, string>();
  for (const d of local.values()) {
    for (const [name, at] of d.callables) if (at >= 0) global.set(name, at);
    for (const [child, parent] of d.parents) parents.set(child, parent);
  }
  const uses: Use[] = [];
  for (const file of files) {
    const mine = local.get(file)!.callables;
    const position = (name: string) => mine.get(name) ?? global.get(name) ?? -1;
    const record = (arg: ts.Expression | undefined) => {
      if (!arg) return;
      const { line } = file.getLineAndCharacterOfPosition(arg.getStart(file));
      for (const code of literalsIn(arg)) uses.push({ code, where: `${relative(ROOT, file.fileName)}:${line + 1}` });
    };
    const visit = (node: ts.Node, inClass: string | undefined): void => {
      const cls = ts.isClassDeclaration(node) && node.name ? node.name.text : inClass;
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const callee = node.expression;
        if (callee.kind === ts.SyntaxKind.SuperKeyword && cls) {
          const parent = parents.get(cls);
          if (parent && position(parent) >= 0) record(node.arguments?.[position(parent)]);
        } else {
          const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
          if (name && position(name) >= 0) record(node.arguments?.[position(name)]);
        }
      }
      ts.forEachChild(node, (child) => visit(child, cls));
    };
    visit(file, undefined);
  }
  return uses;
}

/** The README's list (API section, "Error codes"): items `- **status** what it means: \`code\`, ...`. */
function readmeCodes(): Map<string, number> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^### Error codes\n([\s\S]*?)(?=^#)/m.exec(readme)?.[1] ?? '';
  const codes = new Map<string, number>();
  for (const item of section.split(/^- /m).slice(1)) {
    const status = /^\*\*(\d{3})\*\*/.exec(item)?.[1];
    const list = item.slice(item.indexOf(':') + 1);
    for (const m of list.matchAll(/`([a-z0-9_]+)`/g)) codes.set(m[1]!, Number(status));
  }
  return codes;
}

describe('the error catalogue', () => {
  const uses = thrownCodes();

  it('finds the codes where src/ constructs errors, however they are written', () => {
    const codes = [...new Set(uses.map((u) => u.code))];
    // One per way of writing a code: directly, a subclass's super(), a multi-line conditional, a
    // domain helper, the HTTP problem() helper, a helper with the code as its second parameter.
    for (const code of ['refund_exceeds_credit', 'config_invalid', 'routeros_tls', 'invalid_period_months', 'payload_too_large', 'unauthorized']) {
      expect(codes, code).toContain(code);
    }
    // The RADIUS decoder's failure reasons are values, not errors.
    expect(codes).not.toContain('bad_length');
  });

  it('catalogues every code that src/ throws', () => {
    const missing = uses.filter((u) => !isErrorCode(u.code)).map((u) => `${u.code} (${u.where})`);
    expect(missing, 'add these codes to src/lib/error-codes.ts').toEqual([]);
  });

  it('catalogues no code that nothing throws', () => {
    const thrown = new Set(uses.map((u) => u.code));
    expect(catalogued.filter((c) => !thrown.has(c)), 'remove these codes from src/lib/error-codes.ts').toEqual([]);
  });

  it('answers 500 only for the unanticipated error', () => {
    expect(catalogued.filter((c) => errorCodes[c].status === 500)).toEqual(['internal']);
    expect(catalogued.filter((c) => errorCodes[c].status < 400 || errorCodes[c].status > 599), 'not an error status').toEqual([]);
  });

  it('is the list the README gives, with the same statuses', () => {
    const readme = readmeCodes();
    expect(catalogued.filter((c) => !readme.has(c)), 'add these codes to the README (API section)').toEqual([]);
    expect([...readme.keys()].filter((c) => !isErrorCode(c)), 'not in the catalogue').toEqual([]);
    expect(catalogued.filter((c) => readme.get(c) !== errorCodes[c].status), 'the README gives another status').toEqual([]);
  });
});

describe('the error handler', () => {
  // As build() composes the API: the handler set once on the root, routes in encapsulated plugins.
  async function app() {
    const f = Fastify({ logger: false });
    f.setErrorHandler(errorHandler);
    await f.register(async (api) => {
      api.get('/throw/:code', async (req) => {
        const { code } = req.params as { code: string };
        if (!isErrorCode(code)) throw new Error(`not a code: ${code}`);
        throw new TollgateError(code, 'refused');
      });
      api.get('/field', async () => {
        throw new TollgateError('invalid_amount', 'must be positive', 'lines.0.amount');
      });
      api.get('/config', async () => {
        throw new ConfigError('unknown key', 'radius.nope');
      });
      api.get('/bug', async () => {
        throw new TypeError('undefined is not a function');
      });
    });
    return f;
  }

  it('answers every catalogued code with its status, title and default field, on any route', async () => {
    const f = await app();
    const answers = [];
    const expected = [];
    for (const code of catalogued) {
      const res = await f.inject({ method: 'GET', url: `/throw/${code}` });
      answers.push({ status: res.statusCode, type: res.headers['content-type'], body: res.json<unknown>() });
      const spec = errorCodes[code];
      expected.push({
        status: spec.status,
        type: expect.stringMatching(/^application\/problem\+json/),
        body: {
          type: `https://tollgate.dev/problems/${code.replace(/_/g, '-')}`, title: spec.title, status: spec.status, code,
          detail: spec.field ? `${spec.field}: refused` : 'refused',
          ...(spec.field ? { errors: [{ field: spec.field, message: 'refused' }] } : {}),
        },
      });
    }
    await f.close();
    expect(answers).toEqual(expected);
  });

  it('keeps the field the thrower names over the default', async () => {
    const f = await app();
    const res = await f.inject({ method: 'GET', url: '/field' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'invalid_amount', errors: [{ field: 'lines.0.amount', message: 'must be positive' }] });
    const config = await f.inject({ method: 'GET', url: '/config' });
    expect(config.statusCode).toBe(422);
    expect(config.json()).toMatchObject({ code: 'config_invalid', errors: [{ field: 'radius.nope' }] });
    await f.close();
  });

  it('answers 500 to anything that is not a TollgateError, without its message', async () => {
    const f = await app();
    const res = await f.inject({ method: 'GET', url: '/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'internal', status: 500 });
    expect(res.body).not.toContain('undefined is not a function');
    await f.close();
  });
});
