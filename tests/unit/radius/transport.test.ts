import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics.js';
import { parseCidr } from '../../../src/lib/net.js';
import { Code } from '../../../src/radius/codec/index.js';
import { A } from '../../../src/radius/dict/attrs.js';
import { NasTable, type NasClient } from '../../../src/radius/server/clients.js';
import type { AccessAnswer, AccountingSettled } from '../../../src/radius/server/handlers.js';
import { RadiusTransport } from '../../../src/radius/server/transport.js';
import { accessRequest, accountingRequest, checkReply, dictionary, statusServer, UdpClient } from '../../helpers/radius.js';

const SECRET = 'transport-secret';
const drops = (JSON.parse(readFileSync(new URL('../../vectors/vendor-quirks.json', import.meta.url), 'utf8')) as { drops: { name: string; hex: string; drop: string }[] }).drops;
const range = parseCidr('127.0.0.1/32');
if (!range) throw new Error('bad test range');
const nas: NasClient = {
  id: 1, name: 'local', range, nasIdentifier: null, secret: Buffer.from(SECRET), vendor: 'generic', coaPort: 3799, requireMessageAuthenticator: false,
};

type Settled = AccountingSettled;

/** The transport alone, over 127.0.0.1, with handlers whose answers each test chooses. */
const WELCOME: AccessAnswer = { outcome: 'accept', attributes: [{ def: A.ReplyMessage, value: 'welcome' }] };

async function start(accounting: () => Settled, access: () => AccessAnswer | Promise<AccessAnswer> = () => ({ ...WELCOME, attributes: [...WELCOME.attributes] })) {
  const metrics = createMetrics();
  const calls = { access: 0, answered: 0, accounting: 0 };
  const transport = new RadiusTransport<AccessAnswer>({
    access: {
      handle: () => {
        calls.access++;
        return access();
      },
      answered: () => void calls.answered++,
    },
    accounting: {
      handle: (_request, _nas, settled) => {
        calls.accounting++;
        // Settled later, as a store's commit is.
        setImmediate(() => settled(accounting()));
      },
    },
    dictionary, metrics, log: pino({ level: 'silent' }),
  });
  transport.clients = new NasTable([nas]);
  await transport.listen(['127.0.0.1:0'], ['127.0.0.1:0'], 1 << 20);
  const port = (s: string | undefined): number => Number(s?.split(':').pop());
  const { auth, acct } = transport.addresses();
  const dropped = async (reason: string): Promise<number> => {
    const m = (await metrics.radiusDrops.get()).values.find((v) => v.labels.reason === reason);
    return m?.value ?? 0;
  };
  return { transport, calls, metrics, authPort: port(auth[0]), acctPort: port(acct[0]), dropped };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('the RADIUS transport', () => {
  it('answers an Access-Request with the handler\'s attributes, then lets the handler record it', async () => {
    const t = await start(() => 'start');
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    const request = accessRequest(SECRET, { 'User-Name': 'alice', 'User-Password': 'x', 'Proxy-State': Buffer.from('ps') });
    const reply = await client.exchange(request, t.authPort);
    if (!reply) throw new Error('no reply');
    const r = checkReply(reply, request, SECRET);
    expect(r.packet.code).toBe(Code.AccessAccept);
    expect(r.authentic).toBe(true);
    expect(r.messageAuthenticatorIndex).toBe(0);
    expect(r.packet.attributes.map((a) => a.type)).toEqual([A.MessageAuthenticator.code, A.ReplyMessage.code, A.ProxyState.code]);
    expect(t.calls).toMatchObject({ access: 1, answered: 1 });
    // A retransmission gets the same bytes from the duplicate cache, not a second decision.
    expect(await client.exchange(request, t.authPort)).toEqual(reply);
    expect(t.calls.access).toBe(1);
  });

  it('answers when a handler that waits for the database settles, and drops one that fails, handling its retransmission afresh', async () => {
    let fail = true;
    const t = await start(() => 'start', () => new Promise((resolve, reject) => setTimeout(() => {
      if (fail) reject(new Error('connection lost'));
      else resolve({ ...WELCOME, attributes: [...WELCOME.attributes] });
    }, 20)));
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    const request = accessRequest(SECRET, { 'User-Name': 'alice', 'User-Password': 'x' });
    expect(await client.exchange(request, t.authPort, '127.0.0.1', 300)).toBeUndefined();
    expect(await t.dropped('internal')).toBe(1);
    expect(t.calls).toMatchObject({ access: 1, answered: 0 });
    fail = false;
    const reply = await client.exchange(request, t.authPort);
    if (!reply) throw new Error('no reply');
    expect(checkReply(reply, request, SECRET).packet.code).toBe(Code.AccessAccept);
    expect(t.calls).toMatchObject({ access: 2, answered: 1 });
  });

  it('drops accounting whose store failed and handles the retransmission afresh', async () => {
    let outcome: Settled = 'store_failed';
    const t = await start(() => outcome);
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    const request = accountingRequest(SECRET, { 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's1', 'User-Name': 'alice' });
    expect(await client.exchange(request, t.acctPort, '127.0.0.1', 300)).toBeUndefined();
    expect(await t.dropped('store_failed')).toBe(1);
    outcome = 'start';
    const reply = await client.exchange(request, t.acctPort);
    expect(reply && checkReply(reply, request, SECRET).packet.code).toBe(Code.AccountingResponse);
    expect(t.calls.accounting).toBe(2);
  });

  it('drops what does not prove the shared secret, before any handler sees it', async () => {
    const t = await start(() => 'start');
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    expect(await client.exchange(accessRequest('not-the-secret', { 'User-Name': 'alice', 'User-Password': 'x' }), t.authPort, '127.0.0.1', 300)).toBeUndefined();
    expect(await client.exchange(accountingRequest('not-the-secret', { 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's1' }), t.acctPort, '127.0.0.1', 300)).toBeUndefined();
    expect(await t.dropped('bad_message_authenticator')).toBe(1);
    expect(await t.dropped('bad_authenticator')).toBe(1);
    expect(t.calls).toMatchObject({ access: 0, accounting: 0 });
  });

  it('RFC 3579 3.3: drops EAP-Message without a Message-Authenticator even where the NAS does not require one', async () => {
    const t = await start(() => 'start');
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    const eap = { 'User-Name': 'alice', 'EAP-Message': Buffer.from('0201000a01616c696365', 'hex') };
    expect(await client.exchange(accessRequest(SECRET, eap, false), t.authPort, '127.0.0.1', 300)).toBeUndefined();
    expect(await t.dropped('eap_without_message_authenticator')).toBe(1);
    // The drop cases of tests/vectors/vendor-quirks.json, as bytes on the wire.
    for (const v of drops) {
      expect(await client.exchange(Buffer.from(v.hex.replace(/\s+/g, ''), 'hex'), t.authPort, '127.0.0.1', 300), v.name).toBeUndefined();
    }
    expect(await t.dropped('eap_without_message_authenticator')).toBe(1 + drops.filter((v) => v.drop === 'eap_without_message_authenticator').length);
    expect(t.calls.access).toBe(0);
    // The same request signed is handed to the authorizer and answered; so is one without EAP.
    expect(await client.exchange(accessRequest(SECRET, eap), t.authPort)).toBeDefined();
    expect(await client.exchange(accessRequest(SECRET, { 'User-Name': 'alice', 'User-Password': 'x' }, false), t.authPort)).toBeDefined();
    expect(t.calls.access).toBe(2);
  });

  it('answers a request carrying another vendor\'s Vendor-Specific layout and counts the opaque attribute', async () => {
    const t = await start(() => 'start');
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    // Vendor 429 (USR): a 4-octet type and no length, not the type/length layout of RFC 2865 5.26.
    const usr = Buffer.from('1a0e000001ad0000bfbe000004d2', 'hex');
    const plain = accessRequest(SECRET, { 'User-Name': 'alice', 'User-Password': 'x' }, false);
    const request = Buffer.concat([plain, usr]);
    request.writeUInt16BE(request.length, 2);
    const reply = await client.exchange(request, t.authPort);
    expect(reply && checkReply(reply, request, SECRET).packet.code).toBe(Code.AccessAccept);
    const counted = (await t.metrics.radiusAttributeAnomalies.get()).values.find((v) => v.labels.reason === 'vsa_opaque');
    expect(counted?.value).toBe(1);
  });

  it('answers Status-Server with the reply of the port it came to', async () => {
    const t = await start(() => 'start');
    const client = await UdpClient.open();
    stop = async () => (await client.close(), await t.transport.close());
    const onAuth = await client.exchange(statusServer(SECRET), t.authPort);
    const onAcct = await client.exchange(statusServer(SECRET), t.acctPort);
    expect(onAuth?.[0]).toBe(Code.AccessAccept);
    expect(onAcct?.[0]).toBe(Code.AccountingResponse);
  });
});
