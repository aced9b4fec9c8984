import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/daemon.js';

// package.json `overrides` give @fastify/static content-disposition 2 (instead of 3) and
// light-my-request cookie 1 (instead of 2): the newer majors require Node 22 and warn at install on
// Node 20. The older majors export the same functions these two call; these tests drive exactly those
// calls through the dependents, so an override that broke them fails here on every runtime CI runs.
describe('dependency overrides for Node 20', () => {
  it('@fastify/static still writes the attachment header (content-disposition `create`)', async () => {
    const root = join(tempDir(), 'static');
    mkdirSync(root);
    const app = Fastify();
    writeFileSync(join(root, 'fattura ü.txt'), 'x');
    await app.register(fastifyStatic, { root, serve: false });
    app.get('/file', (_req, reply) => reply.download('fattura ü.txt'));
    const res = await app.inject({ method: 'GET', url: '/file' });
    expect(res.statusCode).toBe(200);
    // The non-ASCII name needs both forms: a plain fallback and the RFC 8187 extended parameter.
    expect(res.headers['content-disposition']).toBe(`attachment; filename="fattura ?.txt"; filename*=UTF-8''fattura%20%C3%BC.txt`);
    await app.close();
  });

  it("inject() still sends the request's cookies (cookie `stringifySetCookie`)", async () => {
    const app = Fastify();
    app.get('/cookie', (req) => ({ cookie: req.headers.cookie }));
    const res = await app.inject({ method: 'GET', url: '/cookie', cookies: { tg_session: 'abc.DEF-123_x', lang: 'it' } });
    expect(res.json()).toEqual({ cookie: 'tg_session=abc.DEF-123_x; lang=it' });
    await app.close();
  });
});
