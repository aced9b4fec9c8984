/**
 * Interoperability with FreeRADIUS's radclient: it sends to a UDP socket opened here, the codec
 * decodes and checks what arrives, and radclient must accept the replies the codec builds (it checks
 * the Response Authenticator and the Message-Authenticator, and decodes our VSAs and encrypted
 * attributes with its own dictionaries).
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Code,
  checkMessageAuthenticator,
  decodePacket,
  encodePacket,
  get,
  getDecrypted,
  verifyRequestAuthenticator,
  type AttributeInput,
  type Packet,
} from '../../../src/radius/codec/index.js';
import { A, V, loadDictionary } from '../../../src/radius/dict/index.js';

const RADCLIENT = '/usr/bin/radclient';
const secret = 'testing123';
const dict = loadDictionary();

interface Exchange {
  request: Packet;
  stdout: string;
  code: number | null;
}

let socket: Socket | undefined;
afterEach(() => {
  socket?.close();
  socket = undefined;
});

/** Runs radclient against a socket that answers each request with `reply(request)`. */
async function exchange(kind: string, input: string, reply: (req: Packet, raw: Buffer) => Buffer): Promise<Exchange> {
  const s = createSocket('udp4');
  socket = s;
  let request: Packet | undefined;
  s.on('message', (msg, rinfo) => {
    const r = decodePacket(msg);
    if (!r.ok) return;
    request = r.packet;
    s.send(reply(r.packet, Buffer.from(r.packet.raw)), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  const child = spawn(RADCLIENT, ['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, kind, secret]);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (request === undefined) throw new Error(`radclient sent nothing:\n${stdout}`);
  return { request, stdout, code };
}

function reply(code: number, req: Packet, attributes: AttributeInput[]): Buffer {
  return encodePacket({
    code,
    identifier: req.identifier,
    requestAuthenticator: req.authenticator,
    requestCode: req.code,
    secret,
    messageAuthenticator: 'first',
    dictionary: dict,
    attributes,
  });
}

describe.skipIf(!existsSync(RADCLIENT))('radclient interop', () => {
  it('Access-Request in, Access-Accept with MA first, VSAs and encrypted attributes out', async () => {
    const sendKey = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    let raw: Buffer = Buffer.alloc(0);
    const ex = await exchange(
      'auth',
      'User-Name = "bob", User-Password = "a-longer-password-of-40-characters-xxxxx", Message-Authenticator = 0x00\n',
      (req, bytes) => {
        raw = bytes;
        return reply(Code.AccessAccept, req, [
          { def: A.ReplyMessage, value: 'welcome' },
          { def: A.MikrotikRateLimit, value: '2000k/10000k' },
          { def: A.MikrotikAddressList, value: 'walled-garden' },
          { def: A.FramedIpAddress, value: '100.64.0.9' },
          { def: A.TunnelPassword, value: 'tunnel-pw', tag: 1 },
          { def: A.MsMppeSendKey, value: sendKey },
        ]);
      },
    );
    expect(ex.request.code).toBe(Code.AccessRequest);
    expect(get(ex.request, A.UserName)).toBe('bob');
    expect(getDecrypted(ex.request, A.UserPassword, secret)).toBe('a-longer-password-of-40-characters-xxxxx');
    expect(checkMessageAuthenticator(raw, secret)).toBe('valid');
    expect(checkMessageAuthenticator(raw, 'wrong')).toBe('invalid');
    expect(ex.stdout).toContain('Received Access-Accept');
    expect(ex.stdout).toMatch(/Mikrotik-Rate-Limit = "2000k\/10000k"/);
    expect(ex.stdout).toMatch(/Mikrotik-Address-List = "walled-garden"/);
    expect(ex.stdout).toMatch(/Tunnel-Password:1 = "tunnel-pw"/);
    expect(ex.stdout).toMatch(/MS-MPPE-Send-Key = 0x000102030405060708090a0b0c0d0e0f/);
    expect(ex.code).toBe(0);
  });

  it('radclient rejects a reply whose authenticator is wrong', async () => {
    const ex = await exchange('auth', 'User-Name = "bob", User-Password = "x", Message-Authenticator = 0x00\n', (req) =>
      encodePacket({ code: Code.AccessAccept, identifier: req.identifier, requestAuthenticator: Buffer.alloc(16), secret, messageAuthenticator: 'first', attributes: [] }),
    );
    expect(ex.stdout).not.toContain('Received Access-Accept');
    expect(ex.code).not.toBe(0);
  });

  it('Accounting-Request with Message-Authenticator in, Accounting-Response out', async () => {
    let raw: Buffer = Buffer.alloc(0);
    const ex = await exchange(
      'acct',
      'User-Name = "bob", Acct-Status-Type = Start, Acct-Session-Id = "81200001", Framed-IP-Address = 100.64.0.9, Event-Timestamp = 1800000000, Message-Authenticator = 0x00\n',
      (req, bytes) => {
        raw = bytes;
        return reply(Code.AccountingResponse, req, []);
      },
    );
    expect(verifyRequestAuthenticator(raw, secret)).toBe(true);
    expect(verifyRequestAuthenticator(raw, 'wrong')).toBe(false);
    expect(checkMessageAuthenticator(raw, secret)).toBe('valid');
    expect(get(ex.request, A.AcctStatusType)).toBe(V.AcctStatusType.Start);
    expect(get(ex.request, A.AcctSessionId)).toBe('81200001');
    expect(get(ex.request, A.EventTimestamp)?.getTime()).toBe(1_800_000_000_000);
    expect(ex.stdout).toContain('Received Accounting-Response');
  });

  it('CoA-Request and Disconnect-Request with Message-Authenticator in, ACK and NAK out', async () => {
    let raw: Buffer = Buffer.alloc(0);
    const coa = await exchange(
      'coa',
      'User-Name = "bob", Acct-Session-Id = "81200001", Mikrotik-Rate-Limit = "1k/1k", Message-Authenticator = 0x00\n',
      (req, bytes) => {
        raw = bytes;
        return reply(Code.CoAACK, req, []);
      },
    );
    expect(coa.request.code).toBe(Code.CoARequest);
    expect(verifyRequestAuthenticator(raw, secret)).toBe(true);
    expect(checkMessageAuthenticator(raw, secret)).toBe('valid');
    expect(get(coa.request, A.MikrotikRateLimit)).toBe('1k/1k');
    expect(coa.stdout).toContain('Received CoA-ACK');

    const dm = await exchange('disconnect', 'User-Name = "bob", Acct-Session-Id = "81200001", Message-Authenticator = 0x00\n', (req, bytes) => {
      raw = bytes;
      return reply(Code.DisconnectNAK, req, [{ def: A.ErrorCause, value: 'Session-Context-Not-Found' }]);
    });
    expect(dm.request.code).toBe(Code.DisconnectRequest);
    expect(verifyRequestAuthenticator(raw, secret)).toBe(true);
    expect(checkMessageAuthenticator(raw, secret)).toBe('valid');
    expect(dm.stdout).toContain('Received Disconnect-NAK');
    expect(dm.stdout).toMatch(/Error-Cause = Session-Context-Not-Found/);
  });
});
