#!/usr/bin/env node
// Closed-loop MS-CHAPv2 load generator: the MS-CHAPv2 counterpart of radload's PAP mode, with the
// same options where they apply and the same JSON line on stdout (req_per_s, latency_ms.{p50,...},
// counts, errors, generator_cpu), so bench/radius.sh and bench/summarize.mjs treat both alike.
//
// Each Access-Request carries MS-CHAP-Challenge and MS-CHAP2-Response (RFC 2548, RFC 2759) built by
// the peer-side functions of the compiled daemon (dist/radius/auth/client.js, which the unit tests
// check against the RFC 2759 and RFC 3079 vectors and FreeRADIUS's rlm_mschap). Every Access-Accept
// is checked like a peer would: the MS-CHAP2-Success authenticator response must be the one
// computed with the request (RFC 2759 section 8.7), and with
// --verify-keys (default) the salt-decrypted MS-MPPE-Send-Key and -Recv-Key must be the RFC 3079 keys.
// The packet encoding and reply checks are bench/lib/wire.mjs, independent of src/radius/codec.
//
//   node bench/mschapv2-load.mjs --port 18120 --users 1-100000 --window 64 --duration 15 --warmup 2
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distRoot } from './lib/dist.mjs';
import {
  ATTR, CODE, Hist, MS, PacketWriter, RandPool, checkReply, hmacKeys, hmacMd5, ipToInt, isLoopback, parseArgv, round, saltDecrypt,
} from './lib/wire.mjs';

const HELP = `mschapv2-load.mjs — MS-CHAPv2 Access-Request load generator (output shaped like radload's)

  --host ADDR            server address; must be loopback (default 127.0.0.1)
  --port N               default 18120
  --secret S             shared secret (default testing123)
  --window N             requests kept in flight (default 64)
  --duration S           measured seconds (default 10 unless --count is given)
  --warmup S             seconds run before measuring (default 1; 0 with --count)
  --count N              stop after N requests
  --max-time S           hard cap on the whole run (default duration+warmup+timeout+10, or 600 with --count)
  --timeout MS           per-request timeout, no retransmission (default 2000)
  --users A-B | N        user range (default 1-10000)
  --user-prefix P        default user
  --pass-prefix P        default pw
  --bad-pass-ratio F     fraction sent with a wrong password (default 0)
  --challenges fresh|per-user
                         fresh: new random challenges for every request, as a NAS does (default);
                         per-user: one challenge pair per user, computed for every user before the
                         run starts and reused, which keeps the generator's own MD4/DES/SHA-1 work
                         (~100 us a request) out of the way; servers keep no per-challenge state
  --no-verify-keys       do not decrypt and compare the MPPE keys of each Accept
  --require-reply-msg-auth
                         count an Access-Accept/Reject without Message-Authenticator as an error
                         (FreeRADIUS 3.2.1 sends none, so this is off by default, as in radload)
  --sockets N            UDP sockets (default max(2, ceil(window/32)))
  --label TEXT           copied into the JSON output
  --quiet                no human summary on stderr
`;

// BENCH_DIST lets bench/radius.sh point at its own build, safe from a concurrent `npm run build`.
const distClient = fileURLToPath(new URL('radius/auth/client.js', distRoot()));

async function main() {
  const raw = parseArgv(process.argv.slice(2), new Set(['quiet', 'help', 'no-verify-keys', 'require-reply-msg-auth']));
  if (raw.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!existsSync(distClient)) throw new Error('dist/ is missing: run `npm run build` first');
  const { buildMsChapV2Request } = await import(distClient);

  const num = (k, d) => (raw[k] === undefined ? d : Number(raw[k]));
  const host = raw.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`refusing non-loopback target ${host}`);
  const m = String(raw.users ?? '1-10000').match(/^(\d+)(?:-(\d+))?$/);
  if (!m) throw new Error('--users must be N or A-B');
  const userA = m[2] === undefined ? 1 : Number(m[1]);
  const userB = m[2] === undefined ? Number(m[1]) : Number(m[2]);
  const count = num('count', 0);
  const duration = raw.duration !== undefined ? Number(raw.duration) : count ? 0 : 10;
  const warmup = num('warmup', count && raw.duration === undefined ? 0 : 1);
  const timeout = num('timeout', 2000);
  const c = {
    host, port: num('port', 18120), secret: Buffer.from(raw.secret ?? 'testing123', 'utf8'), window: num('window', 64),
    duration, warmup, count, timeout, maxTime: raw['max-time'] !== undefined ? Number(raw['max-time']) : duration > 0 ? duration + warmup + timeout / 1000 + 10 : 600,
    userA, userB, userPrefix: raw['user-prefix'] ?? 'user', passPrefix: raw['pass-prefix'] ?? 'pw',
    badPassRatio: num('bad-pass-ratio', 0), challenges: raw.challenges ?? 'fresh', verifyKeys: !raw['no-verify-keys'],
    requireReplyMsgAuth: !!raw['require-reply-msg-auth'], sockets: num('sockets', 0), label: raw.label ?? null, quiet: !!raw.quiet,
  };
  if (c.challenges !== 'fresh' && c.challenges !== 'per-user') throw new Error('--challenges must be fresh or per-user');
  if (!(c.duration > 0) && !(c.count > 0)) throw new Error('give --duration S or --count N');

  const rp = new RandPool();
  const hk = hmacKeys(c.secret);
  const pw = new PacketWriter();
  const hist = new Hist();
  const nSock = c.sockets > 0 ? c.sockets : Math.max(2, Math.ceil(c.window / 32));
  const maxSlots = nSock * 256;
  if (c.window > maxSlots) throw new Error(`window ${c.window} needs more sockets`);
  const nasIpInt = ipToInt('127.0.0.1');
  const cnt = {
    sent: 0, received: 0, accept: 0, reject: 0, challenge: 0, acct_response: 0, timeouts: 0, late_replies: 0,
    reply_with_msg_auth: 0, mschap2_success_ok: 0, mppe_keys_ok: 0,
  };
  const err = {
    bad_response_auth: 0, bad_msg_auth: 0, missing_msg_auth: 0, unexpected_code: 0, unknown_id: 0, malformed: 0,
    bad_mschap2_success: 0, bad_mppe_keys: 0, send_error: 0, socket_error: 0,
  };
  const perUser = new Map();
  const slotState = new Uint8Array(maxSlots); // 0 free, 1 in flight, 2 timed out (quarantined)
  const slotSent = new Float64Array(maxSlots);
  const slotDeadline = new Float64Array(maxSlots);
  const slotMeasured = new Uint8Array(maxSlots);
  const slotReq = new Array(maxSlots);
  const freeIds = Array.from({ length: nSock }, () => Array.from({ length: 256 }, (_, i) => i));
  const quarantine = [];
  const sockets = [];
  let nextSock = 0;
  let inflight = 0;
  let measuring = c.warmup <= 0;
  let stopping = false;
  let finished = false;
  let measReceived = 0;
  let measStart = 0n;
  let measEnd = 0n;
  let cpuStart = process.cpuUsage();
  let cpuEnd = null;

  const allocSlot = () => {
    for (let k = 0; k < nSock; k++) {
      const s = (nextSock + k) % nSock;
      if (freeIds[s].length) {
        nextSock = (s + 1) % nSock;
        return s * 256 + freeIds[s].shift();
      }
    }
    return -1;
  };

  function credentials(u, bad) {
    const userName = c.userPrefix + u;
    const password = bad ? `wrong-${c.passPrefix}${u}` : c.passPrefix + u;
    if (c.challenges === 'per-user' && !bad) {
      let v = perUser.get(u);
      if (!v) perUser.set(u, (v = { userName, password, ...buildMsChapV2Request({ userName, password }) }));
      return v;
    }
    return { userName, password, ...buildMsChapV2Request({ userName, password, authenticatorChallenge: rp.take(16), peerChallenge: rp.take(16), ident: rp.take(1)[0] }) };
  }

  function buildRequest(id) {
    const u = c.userA + (rp.u32() % (c.userB - c.userA + 1));
    const bad = c.badPassRatio > 0 && rp.u32() / 4294967296 < c.badPassRatio;
    const cred = credentials(u, bad);
    const ra = rp.take(16);
    pw.reset();
    const maAt = pw.msgAuth();
    pw.str(ATTR.UserName, cred.userName)
      .vsa(MS.vendor, MS.ChapChallenge, cred.challenge)
      .vsa(MS.vendor, MS.Chap2Response, cred.response)
      .u32(ATTR.NASIPAddress, nasIpInt)
      .u32(ATTR.NASPort, u & 0xffff)
      .u32(ATTR.NASPortType, 5)
      .u32(ATTR.ServiceType, 2)
      .u32(ATTR.FramedProtocol, 1)
      .str(ATTR.NASIdentifier, 'mschapv2-load');
    const pkt = pw.finish(CODE.AccessRequest, id, ra);
    hmacMd5(hk, pkt).copy(pkt, maAt);
    return { pkt, ra, cred, bad };
  }

  function pump() {
    if (stopping) return maybeFinish();
    while (inflight < c.window) {
      if (c.count && cnt.sent >= c.count) break;
      const slot = allocSlot();
      if (slot < 0) break;
      const req = buildRequest(slot & 255);
      slotState[slot] = 1;
      slotReq[slot] = req;
      const t = performance.now();
      slotSent[slot] = t;
      slotDeadline[slot] = t + c.timeout;
      slotMeasured[slot] = measuring ? 1 : 0;
      inflight++;
      cnt.sent++;
      sockets[slot >> 8].send(req.pkt);
    }
    maybeFinish();
  }

  function onMessage(sockIdx, msg) {
    const tRecv = performance.now();
    if (msg.length < 20) return void err.malformed++;
    const slot = sockIdx * 256 + msg[1];
    if (slotState[slot] === 2) return void cnt.late_replies++;
    if (slotState[slot] !== 1) return void err.unknown_id++;
    const req = slotReq[slot];
    const r = checkReply(msg, c.secret, hk, req.ra);
    if (!r.ok) return void err[r.reason]++;
    if (r.hasMa) cnt.reply_with_msg_auth++;
    else if (c.requireReplyMsgAuth) err.missing_msg_auth++;
    const wasMeasured = slotMeasured[slot] === 1;
    slotState[slot] = 0;
    slotReq[slot] = undefined;
    freeIds[slot >> 8].push(slot & 255);
    inflight--;
    cnt.received++;
    if (measuring && !stopping) measReceived++;
    if (wasMeasured) hist.add((tRecv - slotSent[slot]) * 1000);
    if (r.code === CODE.AccessAccept) {
      cnt.accept++;
      const ms = (t) => r.vsas.find(([v, ty]) => v === MS.vendor && ty === t)?.[2];
      const success = ms(MS.Chap2Success);
      const { cred } = req;
      // The expected MS-CHAP2-Success was computed with the request (RFC 2759 GenerateAuthenticatorResponse);
      // comparing bytes keeps the generator's own cost per reply low. A trailing " M=..." is allowed.
      const want = cred.expected.success;
      const okSuccess = success && success.length >= want.length && success.subarray(0, want.length).equals(want) &&
        (success.length === want.length || success.subarray(want.length, want.length + 3).toString('latin1') === ' M=');
      if (okSuccess) cnt.mschap2_success_ok++;
      else err.bad_mschap2_success++;
      if (c.verifyKeys) {
        const send = ms(MS.MppeSendKey);
        const recv = ms(MS.MppeRecvKey);
        const s = send && saltDecrypt(send, c.secret, req.ra);
        const v = recv && saltDecrypt(recv, c.secret, req.ra);
        if (s && v && s.equals(cred.expected.serverSendKey) && v.equals(cred.expected.serverRecvKey)) cnt.mppe_keys_ok++;
        else err.bad_mppe_keys++;
      }
    } else if (r.code === CODE.AccessReject) cnt.reject++;
    else if (r.code === CODE.AccessChallenge) cnt.challenge++;
    else err.unexpected_code++;
    pump();
  }

  function tick() {
    const t = performance.now();
    if (inflight > 0) {
      for (let slot = 0; slot < maxSlots; slot++) {
        if (slotState[slot] === 1 && slotDeadline[slot] <= t) {
          slotState[slot] = 2;
          slotReq[slot] = undefined;
          inflight--;
          cnt.timeouts++;
          // The id is not reused until a late reply can no longer be mistaken for a new request's.
          quarantine.push([slot, t + 2 * c.timeout]);
        }
      }
    }
    while (quarantine.length && quarantine[0][1] <= t) {
      const [slot] = quarantine.shift();
      slotState[slot] = 0;
      freeIds[slot >> 8].push(slot & 255);
    }
    const el = (t - t0) / 1000;
    if (!measuring && el >= c.warmup) {
      measuring = true;
      measStart = process.hrtime.bigint();
      cpuStart = process.cpuUsage();
      measReceived = 0;
      for (const k of Object.keys(cnt)) cnt[k] = 0;
      for (const k of Object.keys(err)) err[k] = 0;
    }
    if (c.duration > 0 && measuring && !stopping && el >= c.warmup + c.duration) stop();
    if (el >= c.maxTime) {
      stop();
      finish(true);
      return;
    }
    pump();
  }

  function stop() {
    if (stopping) return;
    stopping = true;
    measEnd = process.hrtime.bigint();
    cpuEnd = process.cpuUsage(cpuStart);
    maybeFinish();
  }
  function maybeFinish() {
    if (!stopping && c.count && cnt.sent >= c.count && inflight === 0) stop();
    if (stopping && inflight === 0) finish(false);
  }

  let ticker;
  let done;
  const result = new Promise((r) => (done = r));
  function finish(hardStop) {
    if (finished) return;
    finished = true;
    clearInterval(ticker);
    for (const s of sockets) s.close();
    const secs = Number(measEnd - measStart) / 1e9;
    const cpu = cpuEnd ? (cpuEnd.user + cpuEnd.system) / 1e6 : 0;
    const errorsTotal = Object.values(err).reduce((a, b) => a + b, 0);
    done({
      tool: 'mschapv2-load', version: 1, label: c.label, mode: 'mschapv2', target: `${c.host}:${c.port}`, procs: 1, window: c.window,
      sockets_per_proc: nSock, users: `${c.userA}-${c.userB}`, msg_auth: true, rate_cap: null, challenges: c.challenges,
      warmup_s: c.warmup, measured_s: round(secs, 3), wall_s: round((performance.now() - t0) / 1000, 3),
      req_per_s: round(secs > 0 ? measReceived / secs : 0, 1), latency_ms: hist.summary(), latency_samples: hist.n,
      counts: { ...cnt, in_flight_at_end: inflight }, errors: err, errors_total: errorsTotal, timeouts: cnt.timeouts,
      generator_cpu: { cpu_s: round(cpu, 3), user_s: round(cpuEnd ? cpuEnd.user / 1e6 : 0, 3), sys_s: round(cpuEnd ? cpuEnd.system / 1e6 : 0, 3), pct_of_one_core: secs > 0 ? round((100 * cpu) / secs, 1) : null },
      hard_stop: hardStop,
    });
  }

  if (c.challenges === 'per-user') {
    const tp = performance.now();
    for (let u = c.userA; u <= c.userB; u++) credentials(u, false);
    if (!c.quiet) process.stderr.write(`mschapv2-load: ${perUser.size} users' challenges and responses computed in ${((performance.now() - tp) / 1000).toFixed(1)} s\n`);
  }
  const t0 = performance.now();
  let bound = 0;
  for (let s = 0; s < nSock; s++) {
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    sock.on('error', () => err.socket_error++);
    sock.on('message', (msg) => onMessage(s, msg));
    sockets.push(sock);
    sock.bind(0, '127.0.0.1', () => {
      sock.connect(c.port, c.host, (e) => {
        if (e) err.socket_error++;
        if (++bound === nSock) {
          if (measuring) {
            measStart = process.hrtime.bigint();
            cpuStart = process.cpuUsage();
          }
          ticker = setInterval(tick, 10);
          pump();
        }
      });
    });
  }
  const out = await result;
  if (!c.quiet) {
    const l = out.latency_ms;
    process.stderr.write(
      `mschapv2-load -> ${out.target} window=${out.window} measured=${out.measured_s}s\n` +
        `  req/s=${out.req_per_s}  p50=${l.p50}ms p95=${l.p95}ms p99=${l.p99}ms max=${l.max}ms\n` +
        `  counts=${JSON.stringify(out.counts)}\n  errors=${JSON.stringify(out.errors)}\n` +
        `  generator cpu=${out.generator_cpu.pct_of_one_core}% of one core\n`,
    );
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`mschapv2-load: ${e.message}\n`);
  process.exit(2);
});
