import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RouterOsClient, type RouterOsOptions } from '../../../src/nas/routeros/client.js';
import {
  addAddressListEntry,
  findAddressListEntries,
  listHotspotActive,
  listPppActive,
  removeAddressListEntry,
  removeHotspotActive,
  removePppActive,
  removeRouterSession,
} from '../../../src/nas/routeros/commands.js';
import { resolveEndpoint } from '../../../src/nas/routeros/connect.js';
import { RouterOsError } from '../../../src/nas/routeros/errors.js';
import { reconcileSessions } from '../../../src/nas/routeros/reconcile.js';
import { queryWord } from '../../../src/nas/routeros/wire.js';
import { RouterOsSim, selfSignedCert, type RouterOsSimOptions } from '../../helpers/routeros-sim.js';

const sims: RouterOsSim[] = [];
const clients: RouterOsClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function startSim(opts: RouterOsSimOptions = {}): Promise<RouterOsSim> {
  const sim = await RouterOsSim.start(opts);
  sims.push(sim);
  return sim;
}

async function connect(sim: RouterOsSim, opts: Partial<RouterOsOptions> = {}): Promise<RouterOsClient> {
  const client = await RouterOsClient.connect({ host: '127.0.0.1', port: sim.port, username: 'api', password: 'secret', ...opts });
  clients.push(client);
  return client;
}

/** The RouterOsError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<RouterOsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RouterOsError)) throw new Error(`expected a RouterOsError, got ${String(err)}`);
  return err;
}

/** A fresh sim with two PPPoE sessions. */
async function simWithSessions(opts: RouterOsSimOptions = {}): Promise<RouterOsSim> {
  const sim = await startSim(opts);
  sim.addPpp({ name: 'alice', address: '10.0.0.1', 'caller-id': 'AA:BB:CC:00:00:01', 'session-id': '0x81000001' });
  sim.addPpp({ name: 'bob', address: '10.0.0.2', 'caller-id': 'AA:BB:CC:00:00:02' });
  return sim;
}

describe('login', () => {
  it('logs in with /login name and password (the 6.43+ method)', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    expect(sim.commands('/login')[0]?.attributes).toEqual({ name: 'api', password: 'secret' });
    expect(client.isClosed).toBe(false);
  });

  it('turns a !trap on login into an authentication error and closes', async () => {
    const sim = await startSim();
    const err = await failure(RouterOsClient.connect({ host: '127.0.0.1', port: sim.port, username: 'api', password: 'wrong' }));
    expect(err.code).toBe('routeros_auth');
    expect(err.message).toMatch(/refused login as "api": .*invalid user name or password/);
    expect(err.message).not.toContain('wrong');
    await expect.poll(() => sim.connections).toBe(0);
  });

  it('reports a refused TCP connection as routeros_connect', async () => {
    const sim = await startSim();
    const port = sim.port;
    await sim.close();
    sims.length = 0;
    const err = await failure(RouterOsClient.connect({ host: '127.0.0.1', port, username: 'api', password: 'secret' }));
    expect(err.code).toBe('routeros_connect');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });
});

describe('commands', () => {
  it('returns !re rows as records', async () => {
    const client = await connect(await simWithSessions());
    const rows = await client.run('/ppp/active/print');
    expect(rows).toEqual([
      { '.id': '*1', service: 'pppoe', uptime: '1h2m3s', name: 'alice', address: '10.0.0.1', 'caller-id': 'AA:BB:CC:00:00:01', 'session-id': '0x81000001' },
      { '.id': '*2', service: 'pppoe', uptime: '1h2m3s', name: 'bob', address: '10.0.0.2', 'caller-id': 'AA:BB:CC:00:00:02' },
    ]);
  });

  it('settles an !empty reply (RouterOS 7.18+) with an empty array', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    expect(await client.run('/ppp/active/print', [], { timeoutMs: 2000 })).toEqual([]);
    // The sim really answered the 7.18 way: this is the case that used to hang.
    expect(sim.commands('/ppp/active/print')).toHaveLength(1);
  });

  it('rejects a !trap with its message and category, and the connection stays usable', async () => {
    const client = await connect(await simWithSessions());
    const err = await failure(client.run('/system/nonsense/print'));
    expect(err).toMatchObject({ code: 'routeros_trap', command: '/system/nonsense/print', category: 0 });
    expect(err.message).toBe('/system/nonsense/print: no such command prefix');
    expect(await client.run('/ppp/active/print')).toHaveLength(2);
  });

  it('runs several commands at once, each reply reaching its own caller by tag', async () => {
    const sim = await simWithSessions();
    sim.addHotspot({ user: 'guest', address: '10.5.0.9', 'mac-address': 'AA:BB:CC:00:00:09' });
    sim.script('/ppp/active/print', { kind: 'slow', delayMs: 300 });
    const client = await connect(sim);
    const order: string[] = [];
    const slow = client.run('/ppp/active/print').then((r) => (order.push('ppp'), r));
    const fast = client.run('/ip/hotspot/active/print').then((r) => (order.push('hotspot'), r));
    const trap = failure(client.run('/nope'));
    const [ppp, hotspot, err] = await Promise.all([slow, fast, trap]);
    expect(order).toEqual(['hotspot', 'ppp']);
    expect(ppp.map((r) => r.name)).toEqual(['alice', 'bob']);
    expect(hotspot.map((r) => r.user)).toEqual(['guest']);
    expect(err.code).toBe('routeros_trap');
    const tags = sim.received.slice(1).map((s) => s.tag);
    expect(new Set(tags).size).toBe(3);
  });

  it('survives replies cut into 3-byte TCP writes', async () => {
    const client = await connect(await simWithSessions({ writeChunkBytes: 3 }));
    const [a, b] = await Promise.all([client.run('/ppp/active/print'), client.run('/ppp/active/print', [queryWord('name', 'bob')])]);
    expect(a.map((r) => r.name)).toEqual(['alice', 'bob']);
    expect(b.map((r) => r.name)).toEqual(['bob']);
  });

  it('times out a slow command alone, cancels it on the router, and keeps going', async () => {
    const sim = await simWithSessions();
    sim.script('/ppp/active/print', { kind: 'slow', delayMs: 5000 });
    const client = await connect(sim);
    const slow = failure(client.run('/ppp/active/print', [], { timeoutMs: 150 }));
    const other = client.run('/ip/hotspot/active/print');
    const err = await slow;
    expect(err).toMatchObject({ code: 'routeros_timeout', command: '/ppp/active/print' });
    expect(err.message).toMatch(/within 150 ms/);
    expect(await other).toEqual([]);
    await expect.poll(() => sim.commands('/cancel').length).toBe(1);
    expect(sim.commands('/cancel')[0]!.attributes.tag).toBe(sim.commands('/ppp/active/print')[0]!.tag);
    // The cancelled command's late `!trap`/`!done` are ignored; the connection still works.
    expect(await client.run('/ppp/active/print')).toHaveLength(2);
    expect(client.isClosed).toBe(false);
  });

  it('refuses a command without a leading slash or with its own .tag', async () => {
    const client = await connect(await startSim());
    expect((await failure(client.run('ppp/active/print'))).code).toBe('routeros_usage');
    expect((await failure(client.run('/ppp/active/print', ['.tag=99']))).code).toBe('routeros_usage');
  });
});

describe('losing the connection', () => {
  it('rejects every pending command on !fatal and closes', async () => {
    const sim = await simWithSessions();
    sim.script('/ppp/active/print', { kind: 'slow', delayMs: 5000 });
    sim.script('/ip/hotspot/active/print', { kind: 'fatal', reason: 'out of memory' });
    const client = await connect(sim);
    const pending = failure(client.run('/ppp/active/print'));
    const trigger = failure(client.run('/ip/hotspot/active/print'));
    for (const err of await Promise.all([pending, trigger])) {
      expect(err.code).toBe('routeros_fatal');
      expect(err.message).toMatch(/ended the session: out of memory/);
    }
    expect(await client.closed).toMatchObject({ code: 'routeros_fatal' });
    expect(client.isClosed).toBe(true);
    expect((await failure(client.run('/ppp/active/print'))).code).toBe('routeros_fatal');
  });

  it('rejects every pending command when the router drops the connection mid-reply', async () => {
    const sim = await simWithSessions();
    sim.script('/ppp/active/print', { kind: 'drop' });
    sim.script('/ip/hotspot/active/print', { kind: 'slow', delayMs: 5000 });
    const client = await connect(sim);
    const other = failure(client.run('/ip/hotspot/active/print'));
    const dropped = failure(client.run('/ppp/active/print'));
    const [a, b] = await Promise.all([dropped, other]);
    expect(a.code).toBe('routeros_closed');
    expect(a.message).toMatch(/closed the connection in the middle of a reply/);
    expect(b.code).toBe('routeros_closed');
    expect(await client.closed).toBe(a);
  });

  it('fails on bytes that are not the wire format, without an uncaught exception', async () => {
    const sim = await startSim();
    sim.script('/ppp/active/print', { kind: 'garbage' });
    const client = await connect(sim);
    const err = await failure(client.run('/ppp/active/print'));
    expect(err.code).toBe('routeros_protocol');
    expect(client.isClosed).toBe(true);
  });

  it('close() rejects pending commands, resolves closed with undefined, and is idempotent', async () => {
    const sim = await simWithSessions();
    sim.script('/ppp/active/print', { kind: 'slow', delayMs: 5000 });
    const client = await connect(sim);
    const pending = failure(client.run('/ppp/active/print'));
    await client.close();
    await client.close();
    expect((await pending).code).toBe('routeros_closed');
    expect(await client.closed).toBeUndefined();
    expect((await failure(client.run('/ppp/active/print'))).message).toMatch(/closed by the client/);
    await expect.poll(() => sim.connections).toBe(0);
  });

  it('times out a login the router never answers', async () => {
    // Reads (and so sees the client's FIN) but never answers.
    const silent = net.createServer((s) => s.on('error', () => {}).resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const err = await failure(RouterOsClient.connect({ host: '127.0.0.1', port, username: 'a', password: 'b', commandTimeoutMs: 200 }));
      expect(err).toMatchObject({ code: 'routeros_timeout', command: '/login' });
    } finally {
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('TLS (api-ssl)', () => {
  it('defaults to 8729 with TLS and 8728 without', () => {
    expect(resolveEndpoint({ host: 'r1', tls: true }).port).toBe(8729);
    expect(resolveEndpoint({ host: 'r1', tls: { fingerprint256: 'ab'.repeat(32) } }).port).toBe(8729);
    expect(resolveEndpoint({ host: 'r1' }).port).toBe(8728);
    expect(resolveEndpoint({ host: 'r1', tls: false }).port).toBe(8728);
    expect(resolveEndpoint({ host: 'r1', tls: true, port: 9000 }).port).toBe(9000);
  });

  it('connects to 127.0.0.1:8729 when TLS is on and no port is given', async (ctx) => {
    let sim: RouterOsSim;
    try {
      sim = await startSim({ tls: true, port: 8729 });
    } catch {
      return ctx.skip(); // the port is taken on this machine
    }
    const client = await RouterOsClient.connect({ host: '127.0.0.1', username: 'api', password: 'secret', tls: { fingerprint256: sim.fingerprint256 } });
    clients.push(client);
    expect(sim.commands('/login')).toHaveLength(1);
  });

  it('accepts a self-signed certificate whose pinned fingerprint matches, in any spelling', async () => {
    const sim = await simWithSessions({ tls: true });
    for (const pin of [sim.fingerprint256, sim.fingerprint256.replace(/:/g, '').toLowerCase()]) {
      const client = await connect(sim, { tls: { fingerprint256: pin } });
      expect(await listPppActive(client)).toHaveLength(2);
    }
  });

  it('refuses a certificate that does not match the pin, before sending the credentials', async () => {
    const sim = await startSim({ tls: true });
    const wrong = '00'.repeat(32);
    const err = await failure(connect(sim, { tls: { fingerprint256: wrong } }));
    expect(err.code).toBe('routeros_tls');
    expect(err.message).toContain('does not match the pinned fingerprint');
    expect(err.message).toContain(`expected ${'00:'.repeat(31)}00, got ${sim.fingerprint256}`);
    expect(sim.received).toEqual([]);
  });

  it('refuses a self-signed certificate without a pin', async () => {
    const sim = await startSim({ tls: true });
    const err = await failure(connect(sim, { tls: true }));
    expect(err.code).toBe('routeros_tls');
    expect(err.message).toMatch(/self[- ]signed/i);
    expect(err.message).toContain('pin the certificate');
    expect(sim.received).toEqual([]);
  });

  it('verifies against a given CA without a pin', async () => {
    const sim = await startSim({ tls: true });
    const client = await connect(sim, { tls: { ca: selfSignedCert().cert } });
    expect(await client.run('/ppp/active/print')).toEqual([]);
  });

  it('rejects a malformed pin before connecting', async () => {
    const err = await failure(RouterOsClient.connect({ host: '127.0.0.1', username: 'a', password: 'b', tls: { fingerprint256: 'abc' } }));
    expect(err.code).toBe('routeros_usage');
  });
});

describe('helpers', () => {
  it('lists PPP sessions and removes one by .id', async () => {
    const sim = await simWithSessions();
    const client = await connect(sim);
    const sessions = await listPppActive(client);
    expect(sessions).toEqual([
      { kind: 'ppp', id: '*1', username: 'alice', address: '10.0.0.1', callerId: 'AA:BB:CC:00:00:01', sessionId: '0x81000001', service: 'pppoe', uptime: '1h2m3s' },
      { kind: 'ppp', id: '*2', username: 'bob', address: '10.0.0.2', callerId: 'AA:BB:CC:00:00:02', sessionId: undefined, service: 'pppoe', uptime: '1h2m3s' },
    ]);
    expect(sim.commands('/ppp/active/print')[0]!.attributes['.proplist']).toContain('caller-id');
    await removePppActive(client, '*1');
    expect(sim.ppp.map((r) => r.name)).toEqual(['bob']);
    const err = await failure(removePppActive(client, '*1'));
    expect(err).toMatchObject({ code: 'routeros_trap', category: 0 });
    expect(err.message).toContain('no such item');
    expect((await failure(removePppActive(client, ''))).code).toBe('routeros_usage');
  });

  it('lists hotspot users and logs one out', async () => {
    const sim = await startSim();
    sim.addHotspot({ user: 'guest', address: '10.5.0.9', 'mac-address': 'AA:BB:CC:00:00:09' });
    const id = sim.addHotspot({ user: 'guest2', address: '10.5.0.10', 'mac-address': 'AA:BB:CC:00:00:0A' });
    const client = await connect(sim);
    const users = await listHotspotActive(client);
    expect(users.map((u) => [u.kind, u.username, u.address, u.callerId, u.service])).toEqual([
      ['hotspot', 'guest', '10.5.0.9', 'AA:BB:CC:00:00:09', 'hotspot1'],
      ['hotspot', 'guest2', '10.5.0.10', 'AA:BB:CC:00:00:0A', 'hotspot1'],
    ]);
    await removeHotspotActive(client, id);
    await removeRouterSession(client, users[0]!);
    expect(sim.hotspot).toEqual([]);
    expect(await listHotspotActive(client)).toEqual([]);
  });

  it('adds, finds by list and address, and removes address-list entries', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    const id = await addAddressListEntry(client, { list: 'suspended', address: '10.0.0.1', comment: 'invoice 42' });
    await addAddressListEntry(client, { list: 'suspended', address: '10.0.0.2', timeout: '1d' });
    await addAddressListEntry(client, { list: 'other', address: '10.0.0.1' });
    expect(id).toMatch(/^\*[0-9A-F]+$/);

    expect((await findAddressListEntries(client, { list: 'suspended' })).map((e) => e.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await findAddressListEntries(client, { list: 'suspended', address: '10.0.0.1' })).toEqual([
      { id, list: 'suspended', address: '10.0.0.1', comment: 'invoice 42', timeout: undefined, disabled: false, dynamic: false },
    ]);
    expect(sim.commands('/ip/firewall/address-list/print').at(-1)!.queries).toEqual(['list=suspended', 'address=10.0.0.1']);
    expect((await findAddressListEntries(client)).length).toBe(3);

    const dup = await failure(addAddressListEntry(client, { list: 'suspended', address: '10.0.0.1' }));
    expect(dup.message).toContain('already have such entry');

    await removeAddressListEntry(client, id);
    expect(await findAddressListEntries(client, { list: 'suspended', address: '10.0.0.1' })).toEqual([]);
  });
});

describe('reconciliation against a router', () => {
  it('finds a session missing on either side', async () => {
    const sim = await simWithSessions();
    const client = await connect(sim);
    const ours = [
      { ref: 'acct-1', username: 'alice', address: '10.0.0.1' },
      { ref: 'acct-3', username: 'carol', address: '10.0.0.3', callerId: 'AA:BB:CC:00:00:03' },
    ];
    const r = reconcileSessions(await listPppActive(client), ours);
    expect(r.matched.map((m) => [m.router.id, m.ours.ref])).toEqual([['*1', 'acct-1']]);
    expect(r.missingHere.map((s) => [s.id, s.username])).toEqual([['*2', 'bob']]);
    expect(r.missingOnRouter.map((s) => s.ref)).toEqual(['acct-3']);

    // Acting on it: the router-only session is disconnected, and a second pass agrees.
    await removeRouterSession(client, r.missingHere[0]!);
    const again = reconcileSessions(await listPppActive(client), ours);
    expect(again.missingHere).toEqual([]);
    expect(again.missingOnRouter.map((s) => s.ref)).toEqual(['acct-3']);
  });
});
