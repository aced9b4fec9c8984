/**
 * The admin web UI: the static bundle web/build.mjs writes to dist/web, served at `/` (with the
 * .br/.gz files next to each asset), and index.html for any other GET outside /api so the
 * client-side router can take deep links (/customers/12). /api, /healthz and /metrics are untouched.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Locale } from '../../i18n/locales.js';
import fastifyStatic from '@fastify/static';
import { noRoute, problem, sendProblem } from '../errors.js';

/** dist/web from both src/http/routes (tests on sources) and dist/http/routes (the build). */
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/web');

export interface WebRoutesOptions {
  root?: string;
  /** The language of a 404's reader (a signed-in admin's choice); absent: the request's. */
  language?: (req: FastifyRequest) => Promise<Locale>;
}

export async function webRoutes(app: FastifyInstance, opts: WebRoutesOptions = {}): Promise<void> {
  const root = opts.root ?? WEB_ROOT;
  if (!existsSync(resolve(root, 'index.html'))) {
    app.log.warn({ root }, 'the admin UI bundle is missing (npm run build): / serves nothing');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    preCompressed: true,
    index: ['index.html'],
    schemaHide: true,
    setHeaders: (res, path) => {
      // index.html names the bundle; the bundle names are fixed, so neither may be cached for long.
      res.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=300');
      res.header('x-content-type-options', 'nosniff');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path === '/api' || path.startsWith('/api/') || path === '/healthz' || path === '/metrics' || /\.[a-z0-9]+$/i.test(path)) {
      return sendProblem(reply, problem('not_found', noRoute(req.method, path)), opts.language ? await opts.language(req) : undefined);
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });
}
