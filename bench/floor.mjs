#!/usr/bin/env node
// The runtime's floor for RADIUS on this machine: a dgram server that does only what every
// Access-Request costs at the least (check the request's Message-Authenticator, sign the reply's,
// compute the Response Authenticator, one recv and one send) and answers Access-Accept to anything.
// No decoding, no decision, no log: what is left of Tollgate's time per request beyond this is ours.
//
//   taskset -c 0 node bench/floor.mjs 18199 &
//   taskset -c 1 node ../shared/tools/radload/radload.mjs --mode auth --port 18199 --users 1-100000 --window 64 --duration 8
import crypto from 'node:crypto';
import dgram from 'node:dgram';

const port = Number(process.argv[2] ?? 18199);
const secret = Buffer.from(process.argv[3] ?? 'testing123');
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  crypto.createHmac('md5', secret).update(msg).digest(); // the request's Message-Authenticator (not compared)
  const out = Buffer.allocUnsafe(38);
  out[0] = 2; // Access-Accept
  out[1] = msg[1];
  out.writeUInt16BE(38, 2);
  msg.copy(out, 4, 4, 20); // the Request Authenticator, for the two hashes below
  out[20] = 80; // Message-Authenticator, first
  out[21] = 18;
  out.fill(0, 22, 38);
  crypto.createHmac('md5', secret).update(out).digest().copy(out, 22);
  crypto.hash('md5', Buffer.concat([out, secret]), 'buffer').copy(out, 4);
  socket.send(out, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => console.error(`floor server on 127.0.0.1:${port}`));
