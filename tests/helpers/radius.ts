// RADIUS clients for tests that talk to a running daemon over real UDP: FreeRADIUS's radclient and
// radtest (the reference NAS-side tools), and a small client over our own codec for what those tools
// cannot do (send the very same datagram twice from one source port, inspect a reply's raw bytes).
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  ATTR_MESSAGE_AUTHENTICATOR,
  checkMessageAuthenticator,
  Code,
  decodePacket,
  encodePacket,
  findAttr,
  verifyResponseAuthenticator,
  type AttributeInput,
  type Packet,
} from '../../src/radius/codec/index.js';
import type { AttrValue } from '../../src/radius/codec/values.js';
import { loadDictionary } from '../../src/radius/dict/load.js';

export const RADCLIENT = '/usr/bin/radclient';
export const RADTEST = '/usr/bin/radtest';
export const haveRadclient = existsSync(RADCLIENT) && existsSync(RADTEST);

export interface RadReply {
  /** Access-Accept, Access-Reject, Accounting-Response... */
  code: string;
  /** Attributes of the reply as radclient prints them (strings quoted, octets as 0x hex). */
  attrs: Map<string, string>;
  stdout: string;
}

/** Parses `radclient -x` output: undefined when no reply came back. */
export function parseRadclient(stdout: string): RadReply | undefined {
  const m = /Received ([\w-]+) Id \d+/.exec(stdout);
  if (!m) return undefined;
  const attrs = new Map<string, string>();
  for (const line of stdout.slice(m.index).split('\n').slice(1)) {
    const a = /^\s+([\w-]+) = (.*?)(?:\(\d+\) -: Expected.*)?$/.exec(line);
    if (a) attrs.set(a[1]!, a[2]!);
    else if (!/^\s/.test(line)) break;
  }
  return { code: m[1]!, attrs, stdout };
}

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve) => {
    // A reject or a timeout exits non-zero; the output is what the test looks at.
    const child = execFile(file, args, { timeout: 20_000 }, (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

export interface RadclientOptions {
  /** Seconds to wait for each try; keep it short where no reply is the expected outcome. */
  timeout?: number;
  retries?: number;
}

/**
 * Sends one request with radclient. `attrs` values are in radclient's input syntax: strings quoted,
 * octets as 0x hex, enumerations by name. radclient adds a Message-Authenticator only when the input
 * has `Message-Authenticator = 0x00`.
 */
export async function radclient(
  server: string,
  kind: 'auth' | 'acct' | 'status',
  secret: string,
  attrs: Record<string, string>,
  opts: RadclientOptions = {},
): Promise<RadReply | undefined> {
  const input = Object.entries(attrs).map(([k, v]) => `${k} = ${v}\n`).join('');
  const out = await run(RADCLIENT, ['-x', '-r', String(opts.retries ?? 1), '-t', String(opts.timeout ?? 3), server, kind, secret], input);
  return parseRadclient(out);
}

/**
 * radtest as an operator runs it. It always sends a Message-Authenticator and retries three times
 * three seconds apart, so use it only where a reply is expected.
 */
export async function radtest(
  type: 'pap' | 'chap' | 'mschap',
  user: string,
  password: string,
  server: string,
  secret: string,
): Promise<RadReply | undefined> {
  // The last argument is the NAS-IP-Address; without it radtest resolves the host name.
  const out = await run(RADTEST, ['-t', type, user, password, server, '0', secret, '0', '127.0.0.1']);
  return parseRadclient(out);
}

export const hex = (b: Buffer): string => `0x${b.toString('hex')}`;
export const fromHex = (s: string | undefined): Buffer => Buffer.from((s ?? '').replace(/^0x/, ''), 'hex');
export const quoted = (s: string): string => JSON.stringify(s);

/** radclient prints a string attribute quoted, a non-printable byte as \ooo or a C escape. */
export function unquote(s: string | undefined): string {
  return JSON.parse((s ?? '""').replace(/\\(\d{3})/g, (_m, o: string) => `\\u00${parseInt(o, 8).toString(16).padStart(2, '0')}`)) as string;
}

// ---- our own client, over the codec

export const dictionary = loadDictionary();

/** Typed attributes by dictionary name. */
export function attrs(list: Record<string, AttrValue>): AttributeInput[] {
  return Object.entries(list).map(([name, value]) => {
    const def = dictionary.attr(name);
    if (!def) throw new Error(`no attribute ${name} in the dictionary`);
    return { def, value };
  });
}

/** Reads one attribute of a decoded packet by dictionary name (raw value bytes). */
export function rawAttr(p: Packet, name: string): Buffer | undefined {
  return findAttr(p, dictionary.attr(name)!)?.value;
}

let nextId = 0;

export function accessRequest(secret: string, list: Record<string, AttrValue>, withMessageAuthenticator = true): Buffer {
  return encodePacket({
    code: Code.AccessRequest, identifier: nextId++ & 0xff, attributes: attrs(list), secret,
    ...(withMessageAuthenticator ? { messageAuthenticator: 'first' as const } : {}), dictionary,
  });
}

/** Status-Server (RFC 5997), which must carry a Message-Authenticator. */
export function statusServer(secret: string): Buffer {
  return encodePacket({ code: Code.StatusServer, identifier: nextId++ & 0xff, attributes: [], secret, messageAuthenticator: 'first' });
}

export function accountingRequest(secret: string, list: Record<string, AttrValue>): Buffer {
  return encodePacket({ code: Code.AccountingRequest, identifier: nextId++ & 0xff, attributes: attrs(list), secret, dictionary });
}

/**
 * One UDP socket, so a resend leaves from the same source port as the original: that is what makes
 * it a retransmission in the server's eyes.
 */
export class UdpClient {
  private constructor(private readonly socket: dgram.Socket) {}

  static async open(family: 'udp4' | 'udp6' = 'udp4'): Promise<UdpClient> {
    const socket = dgram.createSocket(family);
    await new Promise<void>((resolve) => socket.bind(0, family === 'udp4' ? '127.0.0.1' : '::1', () => resolve()));
    return new UdpClient(socket);
  }

  /** Sends `request` and resolves with the first datagram answering its identifier, or undefined. */
  exchange(request: Buffer, port: number, host = '127.0.0.1', timeoutMs = 1500): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const onMessage = (msg: Buffer) => {
        if (msg.length < 20 || msg[1] !== request[1]) return;
        done(msg);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (msg: Buffer | undefined) => {
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(msg);
      };
      this.socket.on('message', onMessage);
      this.socket.send(request, port, host);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export interface CheckedReply {
  packet: Packet;
  /** Response Authenticator valid for the request and secret. */
  authentic: boolean;
  /** The Message-Authenticator: where it is among the attributes (-1: absent) and whether it verifies. */
  messageAuthenticatorIndex: number;
  messageAuthenticator: 'absent' | 'valid' | 'invalid';
}

/** Decodes a reply and checks both authenticators against the request it answers. */
export function checkReply(reply: Buffer, request: Buffer, secret: string): CheckedReply {
  const decoded = decodePacket(reply);
  if (!decoded.ok) throw new Error(`undecodable reply: ${decoded.reason}`);
  const requestAuth = request.subarray(4, 20);
  return {
    packet: decoded.packet,
    authentic: verifyResponseAuthenticator(reply, requestAuth, secret),
    messageAuthenticatorIndex: decoded.packet.attributes.findIndex((a) => a.vendorId === 0 && a.type === ATTR_MESSAGE_AUTHENTICATOR),
    messageAuthenticator: checkMessageAuthenticator(reply, secret, requestAuth),
  };
}
