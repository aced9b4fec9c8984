import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseListen } from '../../config/schema.js';
import type { Db } from '../../db/client.js';
import { radiusQueries, type AcctKind, type AcctWriter, type ServiceAuthRow } from '../../db/radius.js';
import { dateInZone } from '../../lib/calendar.js';
import { normalizeMac, parseCidr } from '../../lib/net.js';
import type { SecretBox } from '../../lib/secretbox.js';
import type { Clock } from '../../lib/clock.js';
import type { CachedEntity, Topic } from '../../lib/topic.js';
import type { Metrics } from '../../metrics.js';
import { loginCapChecker } from '../../billing/caps.js';
import { looksLikeVoucher } from '../../domain/billing/vouchers.js';
import { decide, type AuthMethod, type Decision, type Policy } from '../../aaa/decide.js';
import { ntHash, verifyChap, verifyMsChapV1, verifyMsChapV2 } from '../auth/index.js';
import {
  checkMessageAuthenticator,
  Code,
  decodePacket,
  encodePacket,
  findAll,
  get,
  getDecrypted,
  has,
  RadiusPacketTooLargeError,
  safeEqual,
  verifyRequestAuthenticator,
  type AttributeInput,
  type Packet,
} from '../codec/index.js';
import type { Dictionary } from '../dict/dictionary.js';
import { loadDictionary } from '../dict/load.js';
import { resolveServerAttrs, type ServerAttrs } from './attrs.js';
import { policyFromConfig } from '../../aaa/policy.js';
import { NasTable, type NasClient } from './clients.js';
import { DuplicateCache } from './dedup.js';

export interface RadiusServerOptions {
  config: Config;
  db: Db;
  box: SecretBox;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /**
   * The accounting and auth-log writer, built by the composition root (network actions close
   * sessions through it too). The server closes it when it stops: its last Accounting-Responses must
   * leave through the server's sockets.
   */
  writer: AcctWriter;
  /** Changes to what the server caches (NAS list, services, plans), published by whoever made them. */
  changes: Topic<CachedEntity>;
  /** Hotspot vouchers: an unknown username that is an unredeemed voucher code becomes a service at its first login. */
  vouchers?: { redeemAtLogin(username: string, password: string | undefined): unknown } | undefined;
}

export interface RadiusServer {
  /** Bound addresses as `ip:port`, after start. */
  addresses(): { auth: string[]; acct: string[] };
  /** Stops receiving, flushes pending accounting writes. */
  close(): Promise<void>;
  readonly dictionary: Dictionary;
}

/**
 * A service as the login path needs it, password decrypted. A class, not an object literal with a
 * getter: V8 keeps such a literal as a hash table, and every `svc.x` on the hot path was then a
 * dictionary lookup.
 */
class CachedService {
  /** The cleartext's UTF-8 bytes, for the constant-time PAP comparison. */
  readonly cleartextBytes: Buffer;
  private nt: Buffer | undefined;

  constructor(readonly row: ServiceAuthRow, readonly cleartext: string) {
    this.cleartextBytes = Buffer.from(cleartext, 'utf8');
  }

  /** The NT hash (a pure-TypeScript MD4) is only for MS-CHAP: PAP and CHAP logins never pay for it. */
  get ntHash(): Buffer {
    return (this.nt ??= ntHash(this.cleartext));
  }
}

/** Why a datagram got no answer; each is a metric label. */
type DropReason =
  | 'malformed' | 'unknown_client' | 'unexpected_code' | 'bad_authenticator' | 'bad_message_authenticator'
  | 'missing_message_authenticator' | 'duplicate_in_progress' | 'store_failed' | 'reply_too_large' | 'internal';

const STATUS: Record<number, AcctKind | undefined> = { 1: 'start', 2: 'stop', 3: 'interim', 7: 'on', 8: 'off' };

/**
 * Where a reply goes: every reply is addressed to the IP literal a request came from, so the default
 * (dns.lookup, which answers a literal on the next tick) would only add a tick and a callback per
 * reply; a literal is passed through at once and anything else still goes to dns.lookup.
 */
function literalLookup(hostname: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const f = isIP(hostname);
  if (f !== 0) return callback(null, hostname, f);
  dns.lookup(hostname, family as number, callback);
}

async function bind(listen: string, rcvbuf: number): Promise<dgram.Socket> {
  const { host, port } = parseListen(listen)!;
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6', lookup: literalLookup as unknown as typeof dns.lookup });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A NAS reboot sends thousands of requests at once: a roomy buffer keeps the kernel from dropping them.
  try {
    socket.setRecvBufferSize(rcvbuf);
  } catch {
    /* capped by net.core.rmem_max; the default still works */
  }
  return socket;
}

const show = (s: dgram.Socket) => {
  const a = s.address();
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
};

/**
 * The RADIUS server: authentication (PAP, CHAP, MS-CHAPv1, MS-CHAPv2) and accounting over UDP.
 * Every reply carries a Message-Authenticator first. Every request that gets no reply is counted
 * by reason. Accounting is acknowledged only after its group commit.
 */
export async function startRadiusServer(opts: RadiusServerOptions): Promise<RadiusServer> {
  const { config, db, box, log, metrics, writer } = opts;
  const now = () => opts.clock.now();
  const dict = loadDictionary(config.radius.dictionaries);
  const A: ServerAttrs = resolveServerAttrs(dict);
  const q = radiusQueries(db);
  const caps = loginCapChecker(db);
  const dedup = new DuplicateCache();
  // The billing-zone date of an instant, remembered for the current second: every accounting record
  // needs it, and computing it goes through Intl (several microseconds). Zone offsets are whole
  // seconds, so an instant in the same second always has the same date.
  let dayOfSecond = -1;
  let dayCached = '';
  const billingDay = (at: Date): string => {
    const sec = Math.floor(at.getTime() / 1000);
    if (sec !== dayOfSecond) {
      dayCached = dateInZone(at, config.billing.timezone);
      dayOfSecond = sec;
    }
    return dayCached;
  };
  // Labelled children resolved once: resolving labels hashes them on every call, per request.
  const accessAccepted = metrics.radiusRequests.labels({ type: 'access', outcome: 'accept' });
  const accessRejected = metrics.radiusRequests.labels({ type: 'access', outcome: 'reject' });
  const accessLatency = metrics.radiusLatency.labels({ type: 'access' });
  const accountingLatency = metrics.radiusLatency.labels({ type: 'accounting' });
  const accountingOutcomes = new Map<string, ReturnType<typeof metrics.radiusRequests.labels>>();
  const accountingAnswered = (outcome: string) => {
    let c = accountingOutcomes.get(outcome);
    if (!c) accountingOutcomes.set(outcome, (c = metrics.radiusRequests.labels({ type: 'accounting', outcome })));
    return c;
  };
  // The same policy the network actions apply to live sessions (src/nas/actions.ts).
  const policy: Policy = policyFromConfig(config);

  // ---- NAS clients and the service cache (the hot path reads memory, not SQLite)
  let nasTable = new NasTable([]);
  const loadNas = () => {
    const clients: NasClient[] = [];
    for (const r of q.nasClients()) {
      const range = parseCidr(r.ipAddress);
      if (!range) {
        log.error({ nas: r.name, ipAddress: r.ipAddress }, 'NAS entry has an invalid address; skipped');
        continue;
      }
      clients.push({
        id: r.id, name: r.name, range, nasIdentifier: r.nasIdentifier, secret: box.openBuffer(r.secretEnc), vendor: r.vendor,
        coaPort: r.coaPort, requireMessageAuthenticator: r.requireMessageAuthenticator === 1,
      });
    }
    nasTable = new NasTable(clients);
    log.info({ clients: clients.length }, 'NAS clients loaded');
  };
  loadNas();
  // Every service, its password already decrypted, is loaded in chunks between datagrams at start
  // and again shortly after each change: a NAS-reboot storm or a day's first logins then read
  // memory, not SQLite pages and AES-GCM (a first login would cost several times a warm one).
  const services = new Map<string, CachedService | null>();
  const entryOf = (row: ServiceAuthRow): CachedService => new CachedService(row, box.open(row.passwordEnc));
  const service = (username: string): CachedService | undefined => {
    const hit = services.get(username);
    if (hit !== undefined) return hit ?? undefined;
    const row = q.service(username);
    if (services.size > 500_000) services.clear();
    if (!row) {
      services.set(username, null);
      return undefined;
    }
    const entry = entryOf(row);
    services.set(username, entry);
    return entry;
  };
  const cachedServiceId = (username: string): number | null | undefined => {
    const hit = services.get(username);
    return hit === undefined ? undefined : hit === null ? null : hit.row.id;
  };
  const WARM_CHUNK = 1000;
  let warmGeneration = 0;
  let warmDelay: NodeJS.Timeout | undefined;
  let warmStep: NodeJS.Immediate | undefined;
  const warm = () => {
    const generation = ++warmGeneration;
    let after = 0;
    const step = () => {
      warmStep = undefined;
      // A change since this warm-up started cleared the cache and scheduled a fresh one.
      if (generation !== warmGeneration || services.size > 400_000) return;
      try {
        const rows = q.servicesAfter(after, WARM_CHUNK);
        for (const row of rows) if (!services.has(row.username)) services.set(row.username, entryOf(row));
        if (rows.length === WARM_CHUNK) {
          after = rows[rows.length - 1]!.id;
          warmStep = setImmediate(step);
        }
      } catch (e) {
        // A password sealed with another key, say: logins look such a service up one by one.
        log.error({ err: (e as Error).message, afterServiceId: after }, 'service cache warm-up stopped');
      }
    };
    warmStep = setImmediate(step);
  };
  const dropServices = () => {
    services.clear();
    warmGeneration++;
    // Bulk changes through the API come one request at a time: warm up once they pause.
    clearTimeout(warmDelay);
    warmDelay = setTimeout(warm, 1000);
    warmDelay.unref();
  };
  warm();

  // ---- drops and logging
  const lastLogged = new Map<string, number>();
  const drop = (reason: DropReason, address: string, detail?: Record<string, unknown>) => {
    metrics.radiusDrops.inc({ reason });
    const key = `${reason}|${address}`;
    const t = Date.now();
    // Rate-limited: a misconfigured router retrying every second must not flood the journal.
    if ((lastLogged.get(key) ?? 0) + 60_000 > t) return;
    if (lastLogged.size > 10_000) lastLogged.clear();
    lastLogged.set(key, t);
    log.warn({ reason, source: address, ...detail }, 'RADIUS request dropped (logged once a minute per source and reason)');
  };

  // Replies leave together at the end of each event-loop turn (setImmediate runs right after the
  // poll phase that delivered the turn's datagrams), not one by one between requests. A NAS waiting
  // for several answers is then woken once per turn rather than once per answer, which on a busy
  // server is a large share of the cost of a reply, and the turn's requests are not held up by it.
  let outbox: { socket: dgram.Socket; reply: Buffer; address: string; port: number }[] = [];
  const flushReplies = () => {
    const replies = outbox;
    outbox = [];
    for (const r of replies) {
      try {
        r.socket.send(r.reply, r.port, r.address);
      } catch {
        /* the socket closed during shutdown: the NAS retransmits and the duplicate cache is gone with us */
      }
    }
  };
  const transmit = (socket: dgram.Socket, reply: Buffer, address: string, port: number) => {
    if (outbox.length === 0) setImmediate(flushReplies);
    outbox.push({ socket, reply, address, port });
  };
  const send = (socket: dgram.Socket, reply: Buffer, address: string, port: number, dup: number) => {
    dedup.answered(dup, reply, Date.now());
    transmit(socket, reply, address, port);
  };

  const proxyState = (p: Packet): AttributeInput[] => findAll(p, A.ProxyState);

  // ---- authentication

  function authenticate(p: Packet, nas: NasClient, username: string, svc: CachedService | undefined) {
    const extra: AttributeInput[] = [];
    const rejectExtra: AttributeInput[] = [];
    let method: AuthMethod;
    let passwordOk = false;
    const msChallenge = get(p, A.MsChapChallenge) as Buffer | undefined;
    if (has(p, A.UserPassword)) {
      method = 'pap';
      const given = getDecrypted(p, A.UserPassword, nas.secret) as string | undefined;
      passwordOk = svc !== undefined && given !== undefined && (safeEqual(Buffer.from(given, 'utf8'), svc.cleartextBytes) || (given === '' && svc.row.voucherLogin === 1));
    } else if (get(p, A.ChapPassword) !== undefined) {
      method = 'chap';
      const r = svc && verifyChap({ chapPassword: get(p, A.ChapPassword) as Buffer, chapChallenge: get(p, A.ChapChallenge) as Buffer | undefined, requestAuthenticator: p.authenticator, credential: { cleartext: svc.cleartext } });
      passwordOk = r?.ok === true;
    } else if (msChallenge && get(p, A.MsChap2Response) !== undefined) {
      method = 'mschapv2';
      const r = verifyMsChapV2({ userName: username, challenge: msChallenge, response: get(p, A.MsChap2Response) as Buffer, credential: svc ? { ntHash: svc.ntHash } : {} });
      if (r.ok) {
        passwordOk = true;
        extra.push(
          { def: A.MsChap2Success, value: r.success },
          { def: A.MsMppeRecvKey, value: r.recvKey },
          { def: A.MsMppeSendKey, value: r.sendKey },
          { def: A.MsMppeEncryptionPolicy, value: 1 },
          { def: A.MsMppeEncryptionTypes, value: 6 },
        );
      } else rejectExtra.push({ def: A.MsChapError, value: r.error });
    } else if (msChallenge && get(p, A.MsChapResponse) !== undefined) {
      method = 'mschap';
      const r = verifyMsChapV1({ challenge: msChallenge, response: get(p, A.MsChapResponse) as Buffer, credential: svc ? { ntHash: svc.ntHash } : {} });
      if (r.ok) {
        passwordOk = true;
        extra.push({ def: A.MsChapMppeKeys, value: r.msChapMppeKeys }, { def: A.MsMppeEncryptionPolicy, value: 1 }, { def: A.MsMppeEncryptionTypes, value: 6 });
      } else rejectExtra.push({ def: A.MsChapError, value: r.error });
    } else {
      return { method: 'none', passwordOk: false, extra, rejectExtra, unsupported: true };
    }
    return { method, passwordOk, extra, rejectExtra, unsupported: false };
  }

  function handleAccess(p: Packet, nas: NasClient, socket: dgram.Socket, address: string, port: number, dup: number, started: number) {
    const ma = checkMessageAuthenticator(p.raw, nas.secret);
    if (ma === 'invalid') return fail('bad_message_authenticator', { nas: nas.name, hint: 'wrong shared secret?' });
    if (ma === 'absent' && nas.requireMessageAuthenticator) return fail('missing_message_authenticator', { nas: nas.name });
    const username = (get(p, A.UserName) as string | undefined) ?? '';
    let svc = username ? service(username) : undefined;
    if (!svc && opts.vouchers && looksLikeVoucher(username)) {
      // A voucher's first hotspot login (rare: a cheap format check first, a write only on a real code).
      // Only a login that proves the code (PAP with an empty password or the code, CHAP or MS-CHAP
      // with the code as password) redeems it: a request without credentials never spends a voucher.
      const emptyPap = has(p, A.UserPassword) && ((getDecrypted(p, A.UserPassword, nas.secret) as string | undefined) ?? '') === '';
      const asCode = new CachedService({ voucherLogin: 0 } as ServiceAuthRow, username);
      if ((emptyPap || authenticate(p, nas, username, asCode).passwordOk) && opts.vouchers.redeemAtLogin(username, '')) {
        services.delete(username);
        svc = service(username);
      }
    }
    const auth = authenticate(p, nas, username, svc);
    const at = now();
    const rawMac = get(p, A.CallingStationId) as string | undefined;
    const callingStationId = rawMac === undefined ? null : (normalizeMac(rawMac) ?? rawMac);
    let decision: Decision;
    if (auth.unsupported) decision = { accept: false, reason: 'no supported authentication method (PAP, CHAP, MS-CHAP, MS-CHAPv2)' };
    else if (!svc) decision = { accept: false, reason: 'unknown user' };
    else {
      const row = svc.row;
      const cap = caps.check(row, billingDay(at));
      decision = decide(row, { passwordOk: auth.passwordOk, callingStationId, nasId: nas.id, vendor: nas.vendor }, {
        now: at, openSessions: writer.openSessions(row.id), policy, cap,
      });
    }
    const attributes: AttributeInput[] = [];
    if (decision.accept) {
      for (const [name, value] of decision.attributes) attributes.push({ def: dict.attr(name)!, value });
      for (const a of auth.extra) attributes.push(a);
    } else {
      attributes.push({ def: A.ReplyMessage, value: decision.reason });
      for (const a of auth.rejectExtra) attributes.push(a);
    }
    attributes.push(...proxyState(p));
    let reply: Buffer;
    try {
      reply = encodePacket({
        code: decision.accept ? Code.AccessAccept : Code.AccessReject, identifier: p.identifier, attributes, secret: nas.secret,
        requestAuthenticator: p.authenticator, messageAuthenticator: 'first', dictionary: dict,
      });
    } catch (e) {
      // Proxy-State must be echoed whole (RFC 2865 5.33): a request that fills 4096 bytes with it
      // leaves no room for our attributes, and no valid reply exists. That is the request's fault.
      if (e instanceof RadiusPacketTooLargeError) return fail('reply_too_large', { nas: nas.name, length: e.length });
      throw e;
    }
    send(socket, reply, address, port, dup);
    (decision.accept ? accessAccepted : accessRejected).inc();
    accessLatency.observe((performance.now() - started) / 1000);
    writer.authLog({
      at: at.getTime(), nasId: nas.id, serviceId: svc?.row.id ?? null, username, outcome: decision.accept ? 'accept' : 'reject',
      reason: decision.accept ? (decision.note ?? null) : decision.reason, method: auth.method, callingStationId,
    });
    return undefined;

    function fail(reason: DropReason, detail: Record<string, unknown>) {
      dedup.forget(dup);
      drop(reason, address, detail);
    }
  }

  // ---- accounting

  const octets = (p: Packet, low: typeof A.AcctInputOctets, high: typeof A.AcctInputGigawords): number | null => {
    const lo = get(p, low) as number | undefined;
    if (lo === undefined) return null;
    const hi = (get(p, high) as number | undefined) ?? 0;
    return hi * 4294967296 + lo;
  };

  function handleAccounting(p: Packet, nas: NasClient, socket: dgram.Socket, address: string, port: number, dup: number, started: number) {
    if (!verifyRequestAuthenticator(p.raw, nas.secret)) {
      dedup.forget(dup);
      return drop('bad_authenticator', address, { nas: nas.name, hint: 'wrong shared secret?' });
    }
    if (checkMessageAuthenticator(p.raw, nas.secret) === 'invalid') {
      dedup.forget(dup);
      return drop('bad_message_authenticator', address, { nas: nas.name });
    }
    const status = get(p, A.AcctStatusType) as number | undefined;
    const kind = status === undefined ? undefined : STATUS[status];
    const answer = () => {
      // No Message-Authenticator here: RFC 3579 defines it for Access-* only, and the two reference
      // peers disagree on how to compute it for an Accounting-Response (FreeRADIUS over 16 zero octets,
      // others over the request's authenticator), so any choice makes one of them drop our answer.
      // The Response Authenticator already authenticates it; BlastRADIUS concerns Access-* packets.
      const reply = encodePacket({ code: Code.AccountingResponse, identifier: p.identifier, attributes: proxyState(p), secret: nas.secret, requestAuthenticator: p.authenticator });
      send(socket, reply, address, port, dup);
      accountingAnswered(kind ?? 'ignored').inc();
      accountingLatency.observe((performance.now() - started) / 1000);
    };
    const sessionId = get(p, A.AcctSessionId) as string | undefined;
    // Status types we do not keep (e.g. Failed) are acknowledged so the NAS stops retrying them.
    if (kind === undefined || ((kind === 'start' || kind === 'interim' || kind === 'stop') && !sessionId)) return answer();
    const at = now();
    const nasPort = (get(p, A.NasPortId) as string | undefined) ?? (get(p, A.NasPort) as number | undefined)?.toString() ?? null;
    const rawMac = get(p, A.CallingStationId) as string | undefined;
    const cause = get(p, A.AcctTerminateCause) as number | undefined;
    const username = (get(p, A.UserName) as string | undefined) ?? '';
    writer
      .accounting({
        kind, nasId: nas.id, acctSessionId: sessionId ?? '', username,
        // From the cache only (no SQLite read here): a miss leaves the lookup to the writer.
        serviceId: username === '' ? null : cachedServiceId(username),
        at: at.toISOString(), day: billingDay(at),
        nasIpAddress: (get(p, A.NasIpAddress) as string | undefined) ?? null, nasPort,
        framedIpAddress: (get(p, A.FramedIpAddress) as string | undefined) ?? null,
        callingStationId: rawMac === undefined ? null : (normalizeMac(rawMac) ?? rawMac),
        calledStationId: (get(p, A.CalledStationId) as string | undefined) ?? null,
        sessionTime: (get(p, A.AcctSessionTime) as number | undefined) ?? null,
        inputOctets: octets(p, A.AcctInputOctets, A.AcctInputGigawords),
        outputOctets: octets(p, A.AcctOutputOctets, A.AcctOutputGigawords),
        terminateCause: cause === undefined ? null : (dict.valueName(A.AcctTerminateCause, cause) ?? String(cause)),
        interimInterval: (get(p, A.AcctInterimInterval) as number | undefined) ?? null,
      })
      .then(answer, () => {
        dedup.forget(dup);
        drop('store_failed', address, { nas: nas.name });
      });
    metrics.accountingQueue.set(writer.pending);
    return undefined;
  }

  // ---- Status-Server (RFC 5997): lets a NAS or a monitor check that we are alive.
  function handleStatus(p: Packet, nas: NasClient, socket: dgram.Socket, address: string, port: number, dup: number, acct: boolean) {
    if (checkMessageAuthenticator(p.raw, nas.secret) !== 'valid') {
      dedup.forget(dup);
      return drop('bad_message_authenticator', address, { nas: nas.name });
    }
    // requestCode: an Accounting-Response to a Status-Server signs its Message-Authenticator with the
    // request's authenticator (RFC 5997), not the zeros used when answering an Accounting-Request.
    const reply = encodePacket({
      code: acct ? Code.AccountingResponse : Code.AccessAccept, identifier: p.identifier, attributes: [], secret: nas.secret,
      requestAuthenticator: p.authenticator, requestCode: Code.StatusServer, messageAuthenticator: 'first',
    });
    send(socket, reply, address, port, dup);
    return undefined;
  }

  function onMessage(socket: dgram.Socket, acct: boolean, msg: Buffer, rinfo: dgram.RemoteInfo) {
    const started = performance.now();
    const decoded = decodePacket(msg);
    if (!decoded.ok) return drop('malformed', rinfo.address, { why: decoded.reason });
    const p = decoded.packet;
    const expected = acct ? Code.AccountingRequest : Code.AccessRequest;
    if (p.code !== expected && p.code !== Code.StatusServer) return drop('unexpected_code', rinfo.address, { code: p.code });
    const nas = nasTable.resolve(rinfo.address, () => get(p, A.NasIdentifier) as string | undefined);
    if (!nas) return drop('unknown_client', rinfo.address);
    const dup = dedup.check(rinfo.address, rinfo.port, p.identifier, p.authenticator, Date.now());
    if (typeof dup !== 'number') {
      metrics.radiusDuplicates.inc();
      if (dup !== null) transmit(socket, dup, rinfo.address, rinfo.port);
      return undefined;
    }
    try {
      if (p.code === Code.StatusServer) return handleStatus(p, nas, socket, rinfo.address, rinfo.port, dup, acct);
      if (acct) return handleAccounting(p, nas, socket, rinfo.address, rinfo.port, dup, started);
      return handleAccess(p, nas, socket, rinfo.address, rinfo.port, dup, started);
    } catch (e) {
      // Bad input that got past the decoder (an attribute of the wrong size, say) costs one request, never the server.
      dedup.forget(dup);
      drop('internal', rinfo.address, { err: (e as Error).message });
      return undefined;
    }
  }

  const auth = await Promise.all(config.radius.auth_listen.map((l) => bind(l, config.radius.receive_buffer_bytes)));
  const acct = await Promise.all(config.radius.acct_listen.map((l) => bind(l, config.radius.receive_buffer_bytes)));
  for (const s of auth) s.on('message', (m, r) => onMessage(s, false, m, r));
  for (const s of acct) s.on('message', (m, r) => onMessage(s, true, m, r));
  for (const s of [...auth, ...acct]) s.on('error', (e) => log.error({ err: e.message }, 'RADIUS socket error'));

  const staleTimer = setInterval(() => {
    // Through the writer, which keeps its in-memory index of open sessions in step.
    writer.closeStale(now(), config.radius.interim_interval, config.radius.stale_after_intervals).then(
      (closed) => {
        if (closed > 0) {
          metrics.staleSessionsClosed.inc(closed);
          log.info({ closed }, 'closed stale sessions (no accounting for several interim intervals)');
        }
      },
      (e) => log.error({ err: (e as Error).message }, 'closing stale sessions failed'),
    );
  }, 60_000);
  staleTimer.unref();

  const unsubscribe = opts.changes.subscribe((what) => {
    if (what === 'nas') return loadNas();
    dropServices();
    if (what === 'plan') caps.clear();
  });

  return {
    dictionary: dict,
    addresses: () => ({ auth: auth.map(show), acct: acct.map(show) }),
    close: async () => {
      unsubscribe();
      clearInterval(staleTimer);
      clearTimeout(warmDelay);
      if (warmStep) clearImmediate(warmStep);
      warmGeneration++;
      for (const s of [...auth, ...acct]) s.removeAllListeners('message');
      // Commit what is queued and let its Accounting-Responses go out before the sockets close.
      await writer.close();
      await new Promise((r) => setImmediate(r));
      await Promise.all([...auth, ...acct].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
