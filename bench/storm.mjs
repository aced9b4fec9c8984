#!/usr/bin/env node
// NAS-reboot storm: a router comes back and all its subscribers dial in at once. Each of N
// subscribers sends an Access-Request (PAP) and, once accepted, an Accounting-Start, the way a NAS
// does: a request that gets no answer is retransmitted unchanged after --timeout, up to --tries
// transmissions in all, then given up (unanswered). Before the storm the NAS sends Accounting-On,
// which closes the sessions a previous run left open (so simultaneous-use does not reject them).
//
// Subscriber i starts at (i-1) * spread / N seconds: --spread 30 puts 10,000 logins in 30 s; 0
// sends them all at once. Outstanding requests are limited by RADIUS ids: --sockets x 256.
//
// Output: one JSON line on stdout (human summary on stderr): time to complete, unanswered counts,
// retransmissions, and latency percentiles (from a request's first transmission to its answer,
// retransmission waits included) for auth, accounting and the whole login.
//
//   node bench/storm.mjs --auth-port 18121 --acct-port 18131 --subscribers 10000 --spread 30
import dgram from 'node:dgram';
import { ATTR, CODE, Hist, PacketWriter, RandPool, checkReply, hidePassword, hmacKeys, hmacMd5, ipToInt, isLoopback, md5, parseArgv, round } from './lib/wire.mjs';

const HELP = `storm.mjs — NAS-reboot storm (Access-Request then Accounting-Start per subscriber)

  --host ADDR          server address; must be loopback (default 127.0.0.1)
  --auth-port N        default 18120
  --acct-port N        default 18130
  --secret S           default testing123
  --subscribers N      default 10000 (user1..userN, passwords pw1..pwN)
  --user-offset K      use user(K+1)..user(K+N) (default 0)
  --spread S           seconds over which the logins start (default 30; 0 = all at once)
  --timeout MS         retransmission timeout (default 3000)
  --tries N            transmissions per request, first one included (default 3)
  --sockets N          UDP sockets, 256 ids each (default 40)
  --no-accounting-on   do not send Accounting-On first
  --max-time S         hard cap (default spread + 4 * tries * timeout + 10)
  --label TEXT         copied into the JSON output
  --quiet              no human summary on stderr
`;

async function main() {
  const raw = parseArgv(process.argv.slice(2), new Set(['quiet', 'help', 'no-accounting-on']));
  if (raw.help) {
    process.stdout.write(HELP);
    return;
  }
  const num = (k, d) => (raw[k] === undefined ? d : Number(raw[k]));
  const c = {
    host: raw.host ?? '127.0.0.1', authPort: num('auth-port', 18120), acctPort: num('acct-port', 18130),
    secret: Buffer.from(raw.secret ?? 'testing123', 'utf8'), n: num('subscribers', 10000), offset: num('user-offset', 0),
    spread: num('spread', 30), timeout: num('timeout', 3000), tries: num('tries', 3), sockets: num('sockets', 40),
    accountingOn: !raw['no-accounting-on'], label: raw.label ?? null, quiet: !!raw.quiet,
  };
  c.maxTime = num('max-time', c.spread + (4 * c.tries * c.timeout) / 1000 + 10);
  if (!isLoopback(c.host)) throw new Error(`refusing non-loopback target ${c.host}`);

  const rp = new RandPool();
  const hk = hmacKeys(c.secret);
  const pw = new PacketWriter();
  const nasIp = ipToInt('127.0.0.1');
  const zero = Buffer.alloc(16);
  const sessPrefix = `storm-${process.pid.toString(16)}-${Date.now().toString(16)}`;

  // Per request: ids are per socket and per port; the NAS uses one socket set for both ports.
  const maxSlots = c.sockets * 256;
  const slotReq = new Array(maxSlots);
  const freeIds = Array.from({ length: c.sockets }, () => Array.from({ length: 256 }, (_, i) => i));
  let nextSock = 0;
  const waiting = []; // requests waiting for a free id
  const sockets = [];
  const t0 = performance.now();

  const cnt = {
    subscribers: c.n, logins_started: 0, auth_sent: 0, auth_retransmits: 0, accept: 0, reject: 0, auth_unanswered: 0,
    acct_sent: 0, acct_retransmits: 0, acct_response: 0, acct_unanswered: 0, late_replies: 0, waited_for_id: 0,
    accounting_on_answered: 0, accounting_on_unanswered: 0,
  };
  const err = { bad_response_auth: 0, bad_msg_auth: 0, unexpected_code: 0, unknown_id: 0, malformed: 0, socket_error: 0 };
  const authHist = new Hist();
  const acctHist = new Hist();
  const loginHist = new Hist();
  let firstSend = 0;
  let lastAnswer = 0;
  let pendingLogins = c.n;
  let finished = false;
  let done;
  const result = new Promise((r) => (done = r));

  const allocSlot = () => {
    for (let k = 0; k < c.sockets; k++) {
      const s = (nextSock + k) % c.sockets;
      if (freeIds[s].length) {
        nextSock = (s + 1) % c.sockets;
        return s * 256 + freeIds[s].shift();
      }
    }
    return -1;
  };
  const releaseSlot = (slot) => {
    slotReq[slot] = undefined;
    freeIds[slot >> 8].push(slot & 255);
    while (waiting.length) {
      const next = allocSlot();
      if (next < 0) break;
      transmitNew(waiting.shift(), next);
    }
  };

  function buildAuth(sub, id) {
    const ra = rp.take(16);
    pw.reset();
    const maAt = pw.msgAuth();
    pw.str(ATTR.UserName, sub.user)
      .raw(ATTR.UserPassword, hidePassword(sub.pass, c.secret, ra))
      .u32(ATTR.NASIPAddress, nasIp)
      .u32(ATTR.NASPort, sub.port)
      .u32(ATTR.NASPortType, 5)
      .u32(ATTR.ServiceType, 2)
      .u32(ATTR.FramedProtocol, 1)
      .str(ATTR.CallingStationId, sub.mac)
      .str(ATTR.CalledStationId, 'storm-nas')
      .str(ATTR.NASIdentifier, 'storm-nas');
    const pkt = pw.finish(CODE.AccessRequest, id, ra);
    hmacMd5(hk, pkt).copy(pkt, maAt);
    return { pkt, ra };
  }

  function buildAcct(sub, id, status) {
    pw.reset();
    pw.u32(ATTR.AcctStatusType, status)
      .u32(ATTR.NASIPAddress, nasIp)
      .str(ATTR.NASIdentifier, 'storm-nas')
      .u32(ATTR.AcctDelayTime, 0)
      .u32(ATTR.EventTimestamp, Math.floor(Date.now() / 1000));
    if (sub) {
      pw.str(ATTR.UserName, sub.user)
        .str(ATTR.AcctSessionId, sub.sid)
        .u32(ATTR.NASPort, sub.port)
        .u32(ATTR.NASPortType, 5)
        .u32(ATTR.ServiceType, 2)
        .u32(ATTR.FramedProtocol, 1)
        .u32(ATTR.FramedIPAddress, (0x64400000 | sub.i) >>> 0)
        .str(ATTR.CallingStationId, sub.mac)
        .str(ATTR.CalledStationId, 'storm-nas')
        .u32(ATTR.AcctAuthentic, 1);
    } else pw.str(ATTR.AcctSessionId, `${sessPrefix}-on`);
    const pkt = pw.finish(CODE.AccountingRequest, id, zero);
    const ra = md5(pkt, c.secret);
    ra.copy(pkt, 4);
    return { pkt, ra };
  }

  /** A request: kind 'auth' | 'acct' | 'on'; sent up to c.tries times with the same bytes. */
  function request(kind, sub, onAnswer, onGiveUp) {
    const req = { kind, sub, onAnswer, onGiveUp, tries: 0, first: 0, pkt: null, ra: null, sock: 0, timer: null };
    const slot = allocSlot();
    if (slot < 0) {
      cnt.waited_for_id++;
      waiting.push(req);
    } else transmitNew(req, slot);
  }

  function transmitNew(req, slot) {
    const id = slot & 255;
    const built = req.kind === 'auth' ? buildAuth(req.sub, id) : buildAcct(req.sub, id, req.kind === 'on' ? 7 : 1);
    req.pkt = built.pkt;
    req.ra = built.ra;
    req.slot = slot;
    req.first = performance.now();
    if (!firstSend && req.kind === 'auth') firstSend = req.first;
    slotReq[slot] = req;
    transmit(req);
  }

  function transmit(req) {
    req.tries++;
    if (req.kind === 'auth') {
      cnt.auth_sent++;
      if (req.tries > 1) cnt.auth_retransmits++;
    } else if (req.kind === 'acct') {
      cnt.acct_sent++;
      if (req.tries > 1) cnt.acct_retransmits++;
    }
    sockets[req.slot >> 8].send(req.pkt, req.kind === 'auth' ? c.authPort : c.acctPort, c.host);
    req.timer = setTimeout(() => {
      if (req.tries < c.tries) return transmit(req);
      // Given up. The id stays out of use for a while so a late answer is not taken for another request's.
      slotReq[req.slot] = { late: true };
      setTimeout(() => releaseSlot(req.slot), c.timeout).unref();
      req.onGiveUp();
    }, c.timeout);
  }

  function onMessage(sockIdx, msg) {
    const t = performance.now();
    if (msg.length < 20) return void err.malformed++;
    const slot = sockIdx * 256 + msg[1];
    const req = slotReq[slot];
    if (req === undefined) return void err.unknown_id++;
    if (req.late) return void cnt.late_replies++;
    const r = checkReply(msg, c.secret, hk, req.ra);
    if (!r.ok) return void err[r.reason]++;
    clearTimeout(req.timer);
    lastAnswer = t;
    releaseSlot(slot);
    req.onAnswer(r.code, t - req.first, t);
  }

  function login(i) {
    const u = c.offset + i;
    const sub = {
      i, user: `user${u}`, pass: `pw${u}`, port: u & 0xffff, sid: `${sessPrefix}-${i.toString(16)}`,
      mac: (0x020000000000 + i).toString(16).padStart(12, '0').replace(/(..)(?=.)/g, '$1:').toUpperCase(), start: performance.now(),
    };
    cnt.logins_started++;
    request(
      'auth',
      sub,
      (code, ms) => {
        authHist.add(ms * 1000);
        if (code === CODE.AccessAccept) {
          cnt.accept++;
          request(
            'acct',
            sub,
            (code2, ms2, t2) => {
              if (code2 === CODE.AccountingResponse) {
                cnt.acct_response++;
                acctHist.add(ms2 * 1000);
                loginHist.add((t2 - sub.start) * 1000);
              } else err.unexpected_code++;
              loginDone();
            },
            () => {
              cnt.acct_unanswered++;
              loginDone();
            },
          );
        } else {
          if (code === CODE.AccessReject) cnt.reject++;
          else err.unexpected_code++;
          loginDone();
        }
      },
      () => {
        cnt.auth_unanswered++;
        loginDone();
      },
    );
  }

  function loginDone() {
    if (--pendingLogins === 0) finish(false);
  }

  let hardTimer;
  function finish(hard) {
    if (finished) return;
    finished = true;
    clearTimeout(hardTimer);
    for (const s of sockets) s.close();
    const span = lastAnswer && firstSend ? (lastAnswer - firstSend) / 1000 : null;
    done({
      tool: 'storm', version: 1, label: c.label, target: `${c.host}:${c.authPort}/${c.acctPort}`, subscribers: c.n,
      spread_s: c.spread, timeout_ms: c.timeout, tries: c.tries, sockets: c.sockets, accounting_on: c.accountingOn,
      completed_in_s: span === null ? null : round(span, 3),
      // Subscribers' requests given up after every retransmission (the Accounting-On is counted apart).
      unanswered: cnt.auth_unanswered + cnt.acct_unanswered,
      counts: cnt, errors: err, errors_total: Object.values(err).reduce((a, b) => a + b, 0),
      latency_ms: { auth: authHist.summary(), acct: acctHist.summary(), login: loginHist.summary() },
      hard_stop: hard, wall_s: round((performance.now() - t0) / 1000, 3),
    });
  }

  await Promise.all(
    Array.from({ length: c.sockets }, (_, s) => {
      const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      sock.on('error', () => err.socket_error++);
      sock.on('message', (msg) => onMessage(s, msg));
      sockets.push(sock);
      return new Promise((r) => sock.bind(0, '127.0.0.1', r));
    }),
  );
  hardTimer = setTimeout(() => finish(true), c.maxTime * 1000);

  const startStorm = () => {
    const tStart = performance.now();
    if (c.spread <= 0) {
      for (let i = 1; i <= c.n; i++) login(i);
      return;
    }
    // Paced from a 1 ms timer: every tick starts the logins whose start time has come.
    let next = 1;
    const pacer = setInterval(() => {
      const due = Math.min(c.n, Math.floor(((performance.now() - tStart) / 1000 / c.spread) * c.n) + 1);
      while (next <= due) login(next++);
      if (next > c.n) clearInterval(pacer);
    }, 1);
  };
  if (c.accountingOn) {
    request('on', null, () => {
      cnt.accounting_on_answered++;
      startStorm();
    }, () => {
      cnt.accounting_on_unanswered++;
      startStorm();
    });
  } else startStorm();

  const out = await result;
  if (!c.quiet) {
    const l = out.latency_ms;
    process.stderr.write(
      `storm -> ${out.target}  ${c.n} subscribers over ${c.spread}s, timeout ${c.timeout} ms x ${c.tries} tries\n` +
        `  completed in ${out.completed_in_s}s  unanswered=${out.unanswered}  accept=${cnt.accept} reject=${cnt.reject} acct=${cnt.acct_response}\n` +
        `  retransmits auth=${cnt.auth_retransmits} acct=${cnt.acct_retransmits}  late=${cnt.late_replies}\n` +
        `  auth p50=${l.auth.p50} p99=${l.auth.p99} max=${l.auth.max} ms   acct p50=${l.acct.p50} p99=${l.acct.p99} max=${l.acct.max} ms   login p99=${l.login.p99} ms\n` +
        `  errors=${JSON.stringify(out.errors)}\n`,
    );
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`storm: ${e.stack}\n`);
  process.exit(2);
});
