// The CPU cost of Tollgate's own RADIUS code per request, without the kernel's UDP path and
// without a load generator competing for the machine: preloaded into the daemon, it replaces the
// sockets' send with a counter, feeds prebuilt Access-Requests (or accounting sessions) to the
// listeners' 'message' handlers 64 per event-loop turn, and prints the wall time per request. With
// the daemon pinned to one core that is the CPU time per request of every thread of the daemon
// (event loop, accounting writer, GC), the figure that decides throughput on one core.
//
//   taskset -c 0 node --import ./bench/handler-cost.mjs bench/lib/serve.mjs serve --config FILE
//
// The database must hold the subscribers of bench/seed.mjs (user1..userN, pwN, NAS 127.0.0.1 with
// secret testing123). Knobs (env): HC_MODE=auth|acct HC_USERS=100000 HC_SECONDS=5 HC_ROUNDS=3
// HC_SETTLE=8 (seconds for the service cache to warm up) HC_TURN=64 (requests per event-loop turn).
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';

const MODE = process.env.HC_MODE ?? 'auth';
const USERS = Number(process.env.HC_USERS ?? 100000);
const SECONDS = Number(process.env.HC_SECONDS ?? 5);
const ROUNDS = Number(process.env.HC_ROUNDS ?? 3);
const SETTLE = Number(process.env.HC_SETTLE ?? 8);
const TURN = Number(process.env.HC_TURN ?? 64);
const SECRET = Buffer.from('testing123');

const sockets = [];
const createSocket = dgram.createSocket;
dgram.createSocket = function (...args) {
  const s = createSocket.apply(this, args);
  sockets.push(s);
  return s;
};
let sent = 0;
let answered = () => {};

const md5 = (...parts) => crypto.createHash('md5').update(Buffer.concat(parts)).digest();

function attr(type, value) {
  const b = Buffer.alloc(2 + value.length);
  b[0] = type;
  b[1] = b.length;
  value.copy(b, 2);
  return b;
}
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function packet(code, id, authenticator, attrs) {
  const body = Buffer.concat(attrs);
  const p = Buffer.concat([Buffer.from([code, id, 0, 0]), authenticator, body]);
  p.writeUInt16BE(p.length, 2);
  return p;
}

function accessRequest(i) {
  const ra = crypto.randomBytes(16);
  const pw = Buffer.alloc(16);
  Buffer.from(`pw${i}`).copy(pw);
  const b = md5(SECRET, ra);
  for (let k = 0; k < 16; k++) pw[k] ^= b[k];
  const p = packet(1, i & 255, ra, [
    attr(80, Buffer.alloc(16)),
    attr(1, Buffer.from(`user${i}`)),
    attr(2, pw),
    attr(4, u32(0x7f000001)),
    attr(5, u32(i & 0xffff)),
    attr(61, u32(5)),
    attr(6, u32(2)),
    attr(32, Buffer.from('handler-cost')),
  ]);
  crypto.createHmac('md5', SECRET).update(p).digest().copy(p, 22);
  return p;
}

let session = 0;
function accountingRequest(i, status, secs) {
  const sid = Buffer.from((session + i).toString(16).padStart(8, '0'));
  const p = packet(4, i & 255, Buffer.alloc(16), [
    attr(40, u32(status)),
    attr(1, Buffer.from(`user${(i % USERS) + 1}`)),
    attr(44, sid),
    attr(4, u32(0x7f000001)),
    attr(5, u32(i & 0xffff)),
    attr(8, u32(0x0a000000 + (i & 0xffffff))),
    attr(31, Buffer.from('AA-BB-CC-00-00-01')),
    ...(status === 1 ? [] : [attr(46, u32(secs)), attr(42, u32(secs * 1000)), attr(43, u32(secs * 5000))]),
  ]);
  md5(p, SECRET).copy(p, 4);
  return p;
}

const ticks = () => {
  const out = {};
  for (const t of readdirSync('/proc/self/task')) {
    const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    out[t] = Number(rest[11]) + Number(rest[12]);
  }
  return out;
};

async function run() {
  await new Promise((r) => setTimeout(r, SETTLE * 1000));
  const auth = sockets[0];
  const acct = sockets[1];
  for (const s of sockets) s.send = () => void (sent++, answered());
  // Prebuilt so that building them costs nothing during the measurement.
  const N = MODE === 'auth' ? USERS : 60000;
  const reqs = [];
  for (let i = 0; i < N; i++) {
    if (MODE === 'auth') reqs.push(accessRequest(i + 1));
    else reqs.push(accountingRequest(i, 1, 0), accountingRequest(i, 3, 60), accountingRequest(i, 2, 120));
  }
  const socket = MODE === 'auth' ? auth : acct;
  const results = [];
  let pass = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = ticks();
    const start = process.hrtime.bigint();
    const until = start + BigInt(SECONDS * 1e9);
    let n = 0;
    let at = 0;
    const sentBefore = sent;
    if (MODE === 'auth') {
      while (process.hrtime.bigint() < until) {
        for (let k = 0; k < TURN; k++) {
          if (at === reqs.length) {
            at = 0;
            pass++;
          }
          // A new source port per pass: the same packet again is a new request, not a duplicate.
          socket.emit('message', reqs[at++], { address: '127.0.0.1', family: 'IPv4', port: 1024 + (pass % 60000), size: 0 });
          n++;
        }
        await turn();
      }
    } else {
      // Accounting is answered after its commit: keep TURN requests outstanding, as a NAS window would.
      let outstanding = 0;
      let wake;
      answered = () => {
        outstanding--;
        if (wake && outstanding < TURN) {
          wake();
          wake = undefined;
        }
      };
      while (process.hrtime.bigint() < until) {
        while (outstanding < TURN) {
          if (at === reqs.length) {
            // Fresh session ids for the next pass.
            session += 1_000_000;
            reqs.length = 0;
            for (let i = 0; i < N; i++) reqs.push(accountingRequest(i, 1, 0), accountingRequest(i, 3, 60), accountingRequest(i, 2, 120));
            at = 0;
          }
          outstanding++;
          socket.emit('message', reqs[at++], { address: '127.0.0.1', family: 'IPv4', port: 1024 + (at % 50000), size: 0 });
          n++;
        }
        await new Promise((r) => (wake = r));
      }
      while (outstanding > 0) await new Promise((r) => (wake = r));
    }
    const wall = Number(process.hrtime.bigint() - start) / 1e3;
    const t1 = ticks();
    const done = sent - sentBefore;
    const cpu = Object.keys(t1).map((t) => ((t1[t] - (t0[t] ?? 0)) * 1e4) / done).filter((x) => x > 0).sort((a, b) => b - a);
    results.push(wall / done);
    console.error(
      `handler-cost ${MODE} round ${round + 1}: ${done} answered of ${n}, ${(wall / done).toFixed(1)} µs/request wall, ` +
        `${Math.round((done / wall) * 1e6)} req/s; CPU µs/request by thread: ${cpu.slice(0, 4).map((x) => x.toFixed(1)).join(' ')}`,
    );
  }
  results.sort((a, b) => a - b);
  console.log(JSON.stringify({ mode: MODE, us_per_request_median: Number(results[Math.floor(results.length / 2)].toFixed(1)), rounds: results.map((x) => Number(x.toFixed(1))) }));
  process.kill(process.pid, 'SIGTERM');
}
// --import preloads this into the accounting writer thread too: only the daemon's main thread drives.
if (isMainThread) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
