// The RFC 5176 client against a NAS simulator on 127.0.0.1 whose authenticator checks and reply
// signing are written independently of the codec (tests/helpers/nas-sim.ts).
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/lib/clock.js';
import { decodePacket, get, type Packet } from '../../../src/radius/codec/index.js';
import {
  CoaClient,
  CoaRequestError,
  buildRequest,
  mikrotikRateChange,
  mikrotikWalledGarden,
  retransmitDelay,
  DEFAULT_RETRY,
  type CoaSession,
  type CoaTarget,
} from '../../../src/radius/coa/index.js';
import { A, loadDictionary } from '../../../src/radius/dict/index.js';
import { NasSim, SIM_CODES, simMessageAuthenticator, simRequestAuthenticator, signSimReply, type SimRequest } from '../../helpers/nas-sim.js';

const SECRET = 'coa-secret-1';
const dictionary = loadDictionary();
const session: CoaSession = { userName: 'alice', acctSessionId: '81a00003', framedIpAddress: '100.64.0.17', nasIpAddress: '10.1.1.1' };
/** Short waits so retries happen within a test; the real default is 1 s, 2 s, 4 s. */
const FAST = { initialTimeoutMs: 60, backoffFactor: 2, maxTimeoutMs: 1000, maxTries: 3 };

function decode(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

/** Resolves once `ready()` holds (polled; the policies await it to hold their answers). */
function barrier(ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => (ready() ? resolve() : void setTimeout(poll, 2));
    poll();
  });
}

let sim: NasSim;
let client: CoaClient;
let target: CoaTarget;

beforeEach(async () => {
  sim = await NasSim.start({ secret: SECRET });
  client = new CoaClient({ dictionary, retry: FAST });
  target = { host: '127.0.0.1', port: sim.port, secret: SECRET };
});

afterEach(async () => {
  await client.close();
  await sim.close();
});

describe('Disconnect-Request', () => {
  it('is ACKed, carrying the identifying attributes, Event-Timestamp and a valid Message-Authenticator', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await client.disconnect(target, session);
    expect(r).toMatchObject({ outcome: 'ack', sessionNotFound: false, attempts: 1 });
    expect(r.errorCause).toBeUndefined();
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
    expect(r.reply?.code).toBe(SIM_CODES.DisconnectACK);

    expect(sim.drops).toEqual({ malformed: 0, unexpected_code: 0, bad_request_authenticator: 0, bad_message_authenticator: 0, missing_message_authenticator: 0 });
    expect(sim.received).toHaveLength(1);
    const req = sim.received[0]!;
    expect(req.code).toBe(SIM_CODES.DisconnectRequest);
    expect(req).toMatchObject({ userName: 'alice', acctSessionId: '81a00003', framedIpAddress: '100.64.0.17', nasIpAddress: '10.1.1.1' });
    expect(req.identifier).toBe(r.identifier);
    // RFC 5176 3.2: no Service-Type in a Disconnect-Request.
    expect(req.serviceType).toBeUndefined();
    expect(req.hasMessageAuthenticator).toBe(true);
    // Placed first (BlastRADIUS).
    expect(req.attrs[0]!.type).toBe(80);
    expect(req.eventTimestamp).toBeGreaterThanOrEqual(before);
    expect(req.eventTimestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('leaves out Framed-IP-Address and NAS-IP-Address when they are not known', async () => {
    const r = await client.disconnect(target, { userName: 'bob', acctSessionId: 'x1' });
    expect(r.outcome).toBe('ack');
    const req = sim.received[0]!;
    expect(req.framedIpAddress).toBeUndefined();
    expect(req.nasIpAddress).toBeUndefined();
    expect(req.attrs.map((a) => a.type)).toEqual([80, 1, 44, 55]);
  });

  it('takes Event-Timestamp from the clock it is given', async () => {
    const c = new CoaClient({ dictionary, retry: FAST, clock: fixedClock('2025-03-01T10:00:00Z') });
    try {
      expect((await c.disconnect(target, session)).outcome).toBe('ack');
      expect(sim.received[0]!.eventTimestamp).toBe(Date.parse('2025-03-01T10:00:00Z') / 1000);
    } finally {
      await c.close();
    }
  });
});

describe('CoA-Request', () => {
  it('carries the new Mikrotik-Rate-Limit and is ACKed', async () => {
    const attrs = mikrotikRateChange({ rate: { downloadKbps: 10000, uploadKbps: 2000 } });
    const r = await client.coa(target, session, attrs);
    expect(r).toMatchObject({ outcome: 'ack', attempts: 1, sessionNotFound: false });
    expect(r.reply?.code).toBe(SIM_CODES.CoAACK);
    const req = sim.received[0]!;
    expect(req.code).toBe(SIM_CODES.CoARequest);
    expect(req.mikrotikRateLimit).toBe('2000k/10000k');
    expect(req.mikrotikAddressList).toBeUndefined();
    expect(req).toMatchObject({ userName: 'alice', acctSessionId: '81a00003', framedIpAddress: '100.64.0.17' });
    expect(req.eventTimestamp).toBeTypeOf('number');
    expect(req.hasMessageAuthenticator).toBe(true);
  });

  it('moves a session into the walled garden: low rate and the address list', async () => {
    const attrs = mikrotikWalledGarden({ walledGardenList: 'unpaid', walledGardenDownloadKbps: 512, walledGardenUploadKbps: 256 });
    expect((await client.coa(target, session, attrs)).outcome).toBe('ack');
    expect(sim.received[0]).toMatchObject({ mikrotikRateLimit: '256k/512k', mikrotikAddressList: 'unpaid' });
  });
});

describe('NAK', () => {
  it('with Error-Cause 503 reports the session as not found', async () => {
    sim.policy = () => ({ kind: 'nak', errorCause: 503 });
    const r = await client.disconnect(target, session);
    expect(r).toMatchObject({ outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', sessionNotFound: true, attempts: 1 });
    expect(r.reply?.code).toBe(SIM_CODES.DisconnectNAK);
  });

  it('with another Error-Cause names it and does not flag the session', async () => {
    sim.policy = () => ({ kind: 'nak', errorCause: 401 });
    const r = await client.coa(target, session, mikrotikRateChange({ rate: { downloadKbps: 1, uploadKbps: 1 } }));
    expect(r).toMatchObject({ outcome: 'nak', errorCause: 401, errorCauseName: 'Unsupported-Attribute', sessionNotFound: false });
  });

  it('without Error-Cause is still a NAK', async () => {
    sim.policy = () => ({ kind: 'nak' });
    const r = await client.disconnect(target, session);
    expect(r.outcome).toBe('nak');
    expect(r.errorCause).toBeUndefined();
    expect(r.errorCauseName).toBeUndefined();
  });
});

describe('retransmission', () => {
  it('retries a silent NAS with exponential backoff, the same bytes each time, until it ACKs', async () => {
    sim.policy = (req) => (req.transmission < 3 ? undefined : { kind: 'ack' });
    // Waits long enough that a loaded machine cannot blur them: 200 ms then 400 ms.
    const retry = { initialTimeoutMs: 200, maxTries: 3 };
    const r = await client.disconnect(target, session, { retry });
    expect(r).toMatchObject({ outcome: 'ack', attempts: 3 });
    const [a, b, c] = sim.received as [SimRequest, SimRequest, SimRequest];
    expect(sim.received).toHaveLength(3);
    expect(b.raw.equals(a.raw) && c.raw.equals(a.raw)).toBe(true);
    expect([a.transmission, b.transmission, c.transmission]).toEqual([1, 2, 3]);
    // Arrival times at the simulator: each can be late by however long the loaded event loop took to
    // read the datagram (tens of ms on a busy CI machine), so a gap can look that much shorter. 80 ms
    // of slack still tells a doubled wait (400 ms) from a repeated one (200 ms).
    const gap1 = b.at - a.at;
    const gap2 = c.at - b.at;
    expect(gap1).toBeGreaterThanOrEqual(retry.initialTimeoutMs - 80);
    expect(gap2).toBeGreaterThanOrEqual(retry.initialTimeoutMs * 2 - 80);
    expect(r.rttMs).toBeGreaterThanOrEqual(retry.initialTimeoutMs * 3 - 10);
    expect(client.stats()).toMatchObject({ transmissions: 3, retransmissions: 2, acks: 1 });
  });

  it('gives up with timeout after the configured tries', async () => {
    sim.policy = () => undefined;
    const r = await client.disconnect(target, session, { retry: { maxTries: 4, initialTimeoutMs: 40 } });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 4, sessionNotFound: false });
    expect(r.error).toBeUndefined();
    expect(r.reply).toBeUndefined();
    expect(sim.received).toHaveLength(4);
    // 40 + 80 + 160 + 320 ms of waiting.
    expect(r.rttMs).toBeGreaterThanOrEqual(600 - 10);
    expect(client.stats()).toMatchObject({ timeouts: 1, transmissions: 4 });
  });

  it('computes the backoff: 1 s, 2 s, 4 s by default, capped', () => {
    expect([1, 2, 3].map((n) => retransmitDelay(DEFAULT_RETRY, n))).toEqual([1000, 2000, 4000]);
    expect(retransmitDelay({ ...DEFAULT_RETRY, maxTimeoutMs: 3000 }, 3)).toBe(3000);
    expect(() => new CoaClient({ dictionary, retry: { maxTries: 0 } })).toThrow(RangeError);
  });
});

describe('replies that must not be believed', () => {
  it('ignores a reply signed with the wrong secret and times out', async () => {
    sim.policy = () => ({ kind: 'ack', secret: 'not-the-secret' });
    const r = await client.disconnect(target, session, { retry: { maxTries: 2, initialTimeoutMs: 40 } });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 2 });
    expect(client.stats().dropped.bad_authenticator).toBe(2);
    expect(client.stats().acks).toBe(0);
  });

  it('ignores a forged NAK and takes the genuine ACK that follows', async () => {
    sim.policy = () => [
      { kind: 'nak', errorCause: 503, secret: 'forger' },
      { kind: 'ack', delayMs: 10 },
    ];
    const r = await client.disconnect(target, session);
    expect(r).toMatchObject({ outcome: 'ack', attempts: 1, sessionNotFound: false });
    expect(client.stats().dropped.bad_authenticator).toBe(1);
  });

  it('ignores a reply whose Message-Authenticator is wrong even though its Response Authenticator is right', async () => {
    sim.policy = () => ({ kind: 'ack', corruptMessageAuthenticator: true });
    const r = await client.disconnect(target, session, { retry: { maxTries: 1, initialTimeoutMs: 80 } });
    expect(r.outcome).toBe('timeout');
    expect(client.stats().dropped.bad_message_authenticator).toBe(1);
  });

  it('accepts a Message-Authenticator computed over zeros, as FreeRADIUS 3.2 signs its ACKs and NAKs, but not a corrupted one', async () => {
    const strict = new CoaClient({ dictionary, retry: { ...FAST, maxTries: 1 }, requireMessageAuthenticator: true });
    try {
      sim.policy = () => ({ kind: 'ack', maOverZeros: true });
      expect((await strict.disconnect(target, session)).outcome).toBe('ack');
      sim.policy = () => ({ kind: 'nak', errorCause: 503, maOverZeros: true });
      expect((await strict.disconnect(target, session)).sessionNotFound).toBe(true);
      sim.policy = () => ({ kind: 'ack', maOverZeros: true, corruptMessageAuthenticator: true });
      expect((await strict.disconnect(target, session)).outcome).toBe('timeout');
      expect(strict.stats().dropped.bad_message_authenticator).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('accepts a reply without Message-Authenticator unless told to require one', async () => {
    sim.policy = () => ({ kind: 'ack', messageAuthenticator: false });
    expect((await client.disconnect(target, session)).outcome).toBe('ack');
    const strict = new CoaClient({ dictionary, retry: { ...FAST, maxTries: 1 }, requireMessageAuthenticator: true });
    try {
      expect((await strict.disconnect(target, session)).outcome).toBe('timeout');
      expect(strict.stats().dropped.missing_message_authenticator).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('ignores a correctly signed reply from another port, and a reply of the wrong kind', async () => {
    sim.policy = () => [
      { kind: 'nak', errorCause: 503, fromOtherPort: true },
      { kind: 'ack', code: SIM_CODES.CoAACK },
      { kind: 'ack', delayMs: 15 },
    ];
    const r = await client.disconnect(target, session);
    expect(r.outcome).toBe('ack');
    expect(client.stats().dropped).toMatchObject({ unmatched: 1, unexpected_code: 1 });
  });

  it('ignores a reply that answers no outstanding request', async () => {
    sim.policy = () => [{ kind: 'ack' }, { kind: 'ack', delayMs: 10 }];
    expect((await client.disconnect(target, session)).outcome).toBe('ack');
    await new Promise((r) => setTimeout(r, 40));
    expect(client.stats().dropped.unmatched).toBe(1);
    expect(client.stats().acks).toBe(1);
  });

  it('counts garbage as malformed', async () => {
    // The client's socket exists after a first request; learn its port from what the NAS saw.
    await client.disconnect(target, session);
    const from = sim.received[0]!.from;
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => s.send(Buffer.from([1, 2, 3]), from.port, '127.0.0.1', () => resolve()));
    s.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(client.stats().dropped.malformed).toBe(1);
  });
});

describe('the NAS side checks', () => {
  it('drops a request signed with the wrong secret (the simulator is not a pushover)', async () => {
    const r = await client.disconnect({ ...target, secret: 'wrong' }, session, { retry: { maxTries: 2, initialTimeoutMs: 40 } });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 2 });
    expect(sim.received).toHaveLength(0);
    expect(sim.drops.bad_request_authenticator).toBe(2);
  });

  it('agrees with the codec on both authenticators of a built request, and a reply it signs verifies', () => {
    const pkt = buildRequest({ kind: 'coa', identifier: 9, secret: SECRET, session, attributes: mikrotikRateChange({ rate: { downloadKbps: 5, uploadKbps: 5 } }), eventTimestamp: new Date(0) });
    expect(simRequestAuthenticator(pkt, SECRET).equals(pkt.subarray(4, 20))).toBe(true);
    expect(simMessageAuthenticator(pkt, 22, Buffer.alloc(16), SECRET).equals(pkt.subarray(22, 38))).toBe(true);
    const p = decode(pkt);
    expect(get(p, A.MikrotikRateLimit)).toBe('5k/5k');
    const reply = signSimReply({ code: SIM_CODES.CoANAK, identifier: 9, requestAuthenticator: pkt.subarray(4, 20), secret: SECRET, errorCause: 503 });
    expect(get(decode(reply), A.ErrorCause)).toBe(503);
  });
});

describe('identifiers and concurrency', () => {
  it('gives concurrent requests to one NAS distinct identifiers, and routes each reply to its request', async () => {
    // NAK every other user, once all have arrived, so that all are outstanding together.
    const n = 40;
    const all = barrier(() => sim.received.length >= n);
    sim.policy = async (req) => {
      await all;
      return { kind: Number(req.userName!.slice(1)) % 2 === 0 ? 'ack' : 'nak' };
    };
    const slow = { retry: { initialTimeoutMs: 5000, maxTimeoutMs: 5000 } };
    const results = await Promise.all(Array.from({ length: n }, (_, i) => client.disconnect(target, { userName: `u${i}`, acctSessionId: `s${i}` }, slow)));
    results.forEach((r, i) => expect(r.outcome).toBe(i % 2 === 0 ? 'ack' : 'nak'));
    const ids = sim.received.map((r) => r.identifier);
    expect(new Set(ids).size).toBe(n);
    expect(new Set(results.map((r) => r.identifier)).size).toBe(n);
    expect(sim.duplicateIdentifiers).toBe(0);
    expect(sim.maxOutstanding).toBe(n);
    expect(client.pending).toBe(0);
  });

  it('queues past 256 outstanding requests to one NAS instead of reusing an identifier', async () => {
    sim.policy = () => ({ kind: 'ack', delayMs: 30 });
    const n = 300;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => client.disconnect(target, { userName: `u${i}`, acctSessionId: `s${i}` }, { retry: { initialTimeoutMs: 5000, maxTimeoutMs: 5000 } })),
    );
    expect(results.every((r) => r.outcome === 'ack' && r.attempts === 1)).toBe(true);
    expect(sim.received).toHaveLength(n);
    expect(sim.duplicateIdentifiers).toBe(0);
    expect(sim.maxOutstanding).toBeLessThanOrEqual(256);
  });

  it('keeps identifiers per NAS: two NAS can see the same identifier at once', async () => {
    const sim2 = await NasSim.start({ secret: 'other-nas' });
    try {
      // Each NAS answers once it holds 256 requests: all identifiers in use at once on both.
      const full1 = barrier(() => sim.received.length >= 256);
      const full2 = barrier(() => sim2.received.length >= 256);
      sim.policy = async () => {
        await full1;
        return { kind: 'ack' };
      };
      sim2.policy = async () => {
        await full2;
        return { kind: 'nak', errorCause: 503 };
      };
      const slow = { retry: { initialTimeoutMs: 5000, maxTimeoutMs: 5000 } };
      const t2: CoaTarget = { host: '127.0.0.1', port: sim2.port, secret: 'other-nas' };
      const all = await Promise.all([
        ...Array.from({ length: 256 }, (_, i) => client.disconnect(target, { userName: `a${i}`, acctSessionId: 'x' }, slow)),
        ...Array.from({ length: 256 }, (_, i) => client.disconnect(t2, { userName: `b${i}`, acctSessionId: 'y' }, slow)),
      ]);
      expect(all.slice(0, 256).every((r) => r.outcome === 'ack')).toBe(true);
      expect(all.slice(256).every((r) => r.outcome === 'nak' && r.sessionNotFound)).toBe(true);
      // Both NAS had all 256 identifiers in use at once, over one client socket.
      expect(sim.maxOutstanding).toBe(256);
      expect(sim2.maxOutstanding).toBe(256);
      expect(new Set(sim.received.map((r) => r.from.port))).toEqual(new Set(sim2.received.map((r) => r.from.port)));
    } finally {
      await sim2.close();
    }
  });
});

describe('lifecycle and bad input', () => {
  it('close() ends outstanding requests as timeouts and later requests send nothing', async () => {
    sim.policy = () => undefined;
    const pending = client.disconnect(target, session, { retry: { initialTimeoutMs: 5000, maxTimeoutMs: 5000 } });
    await new Promise((r) => setTimeout(r, 30));
    await client.close();
    expect(await pending).toMatchObject({ outcome: 'timeout', attempts: 1, error: 'client closed' });
    expect(await client.disconnect(target, session)).toMatchObject({ outcome: 'timeout', attempts: 0, error: 'client closed' });
    expect(sim.received).toHaveLength(1);
    await client.close();
  });

  it('rejects a request it cannot build, sending nothing', async () => {
    await expect(client.disconnect({ ...target, host: 'nas.example.net' }, session)).rejects.toBeInstanceOf(CoaRequestError);
    await expect(client.disconnect({ ...target, port: 70000 }, session)).rejects.toBeInstanceOf(CoaRequestError);
    await expect(client.disconnect(target, { ...session, framedIpAddress: '100.64.0' })).rejects.toThrow(/Framed-IP-Address/);
    await expect(client.coa(target, session, [{ def: A.UserName, value: 'mallory' }])).rejects.toThrow(/added by the CoA client/);
    await expect(client.disconnect(target, { ...session, userName: '' })).rejects.toThrow(/User-Name/);
    expect(sim.received).toHaveLength(0);
    expect(client.stats().requests).toBe(0);
  });

});

describe('mikrotikRateChange', () => {
  it('builds Mikrotik-Rate-Limit with the plan rate, upload first, and bursts', () => {
    const [rate] = mikrotikRateChange({ rate: { downloadKbps: 10000, uploadKbps: 2000 } });
    expect(rate).toEqual({ def: A.MikrotikRateLimit, value: '2000k/10000k' });
    const burst = mikrotikRateChange({
      rate: { downloadKbps: 10000, uploadKbps: 2000, burst: { downloadKbps: 20000, uploadKbps: 4000, thresholdDownloadKbps: 8000, thresholdUploadKbps: 1500, seconds: 16 } },
      addressList: 'garden',
    });
    expect(burst).toEqual([
      { def: A.MikrotikRateLimit, value: '2000k/10000k 4000k/20000k 1500k/8000k 16/16' },
      { def: A.MikrotikAddressList, value: 'garden' },
    ]);
    expect(() => mikrotikRateChange({ rate: { downloadKbps: 1, uploadKbps: 1 }, addressList: '' })).toThrow();
  });
});
