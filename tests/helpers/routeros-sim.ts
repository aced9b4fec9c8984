// A RouterOS API simulator on 127.0.0.1 that speaks the real wire format, plain or TLS (api-ssl with
// a self-signed certificate made by openssl at test time). It knows the handful of commands the
// client's helpers use, answers an empty print the RouterOS 7.18+ way (`!empty` then `!done`), and
// can be scripted to misbehave once per command: `!fatal`, a connection dropped mid-reply, a slow
// reply, or bytes that are not the wire format at all.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { encodeSentence, parseSentence, SentenceDecoder, type Sentence } from '../../src/nas/routeros/wire.js';

export type SimRow = Record<string, string>;

export type SimAction =
  | { kind: 'fatal'; reason?: string }
  /** Sends the first half of the reply's bytes, then resets the connection. */
  | { kind: 'drop' }
  | { kind: 'slow'; delayMs: number }
  /** Sends bytes that cannot start a word (0xF8 is a control byte). */
  | { kind: 'garbage' };

export interface SimCert {
  key: string;
  cert: string;
  /** `AB:CD:...`, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
}

let cachedCert: SimCert | undefined;

/** A self-signed EC certificate for CN=routeros-sim with 127.0.0.1 as its IP SAN; made once per process. */
export function selfSignedCert(): SimCert {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(join(tmpdir(), 'routeros-sim-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=routeros-sim', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    cachedCert = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
    return cachedCert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RouterOsSimOptions {
  username?: string;
  password?: string;
  tls?: boolean;
  /** 0 (any free port) by default. */
  port?: number;
  /** Write every reply in pieces of this many bytes, one piece per event-loop turn. */
  writeChunkBytes?: number;
}

interface Conn {
  socket: net.Socket;
  loggedIn: boolean;
  /** Slow replies not sent yet, by tag, so `/cancel` can stop them. */
  delayed: Map<string, NodeJS.Timeout>;
  /** Keeps piecewise writes of different sentences from interleaving. */
  out: Promise<void>;
}

const TABLES = { '/ppp/active': 'ppp', '/ip/hotspot/active': 'hotspot', '/ip/firewall/address-list': 'addressList' } as const;

export class RouterOsSim {
  readonly ppp: SimRow[] = [];
  readonly hotspot: SimRow[] = [];
  readonly addressList: SimRow[] = [];
  /** Every sentence received, as parsed, in order. */
  readonly received: Sentence[] = [];
  /** TLS handshakes the client aborted (for instance over a certificate it refused). */
  tlsClientErrors = 0;
  port = 0;

  private readonly scripted = new Map<string, SimAction>();
  private readonly conns = new Set<Conn>();
  private nextId = 1;
  private server!: net.Server;

  private constructor(private readonly opts: RouterOsSimOptions & { username: string; password: string }) {}

  static async start(options: RouterOsSimOptions = {}): Promise<RouterOsSim> {
    const sim = new RouterOsSim({ username: 'api', password: 'secret', ...options });
    const onConn = (socket: net.Socket): void => sim.serve(socket);
    if (sim.opts.tls) {
      const { key, cert } = selfSignedCert();
      const server = tls.createServer({ key, cert }, onConn);
      server.on('tlsClientError', () => sim.tlsClientErrors++);
      sim.server = server;
    } else {
      sim.server = net.createServer(onConn);
    }
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(sim.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    sim.port = (sim.server.address() as net.AddressInfo).port;
    return sim;
  }

  get fingerprint256(): string {
    return selfSignedCert().fingerprint256;
  }

  get connections(): number {
    return this.conns.size;
  }

  /** The next time `command` arrives, misbehave as told (once). */
  script(command: string, action: SimAction): void {
    this.scripted.set(command, action);
  }

  addPpp(row: { name: string; address: string; 'caller-id'?: string; service?: string; 'session-id'?: string }): string {
    return this.insert(this.ppp, { service: 'pppoe', uptime: '1h2m3s', ...row });
  }

  addHotspot(row: { user: string; address: string; 'mac-address'?: string; server?: string }): string {
    return this.insert(this.hotspot, { server: 'hotspot1', uptime: '5m', ...row });
  }

  /** Sentences received with this command word. */
  commands(head: string): Sentence[] {
    return this.received.filter((s) => s.head === head);
  }

  async close(): Promise<void> {
    for (const c of this.conns) {
      for (const t of c.delayed.values()) clearTimeout(t);
      c.socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private insert(table: SimRow[], row: SimRow): string {
    const id = `*${(this.nextId++).toString(16).toUpperCase()}`;
    table.push({ '.id': id, ...row });
    return id;
  }

  private serve(socket: net.Socket): void {
    const conn: Conn = { socket, loggedIn: false, delayed: new Map(), out: Promise.resolve() };
    this.conns.add(conn);
    const decoder = new SentenceDecoder();
    socket.on('error', () => {}); // a client reset is part of what we test
    socket.on('close', () => {
      for (const t of conn.delayed.values()) clearTimeout(t);
      this.conns.delete(conn);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const words of decoder.push(chunk)) this.handle(conn, parseSentence(words));
      } catch {
        socket.destroy();
      }
    });
  }

  private handle(conn: Conn, s: Sentence): void {
    this.received.push(s);
    const tagged = (sentences: string[][]): string[][] => sentences.map((w) => (s.tag === undefined ? w : [...w, `.tag=${s.tag}`]));

    if (s.head === '/login') {
      const ok = s.attributes.name === this.opts.username && s.attributes.password === this.opts.password;
      conn.loggedIn = ok;
      this.send(conn, tagged(ok ? [['!done']] : [trap('invalid user name or password (6)'), ['!done']]));
      return;
    }
    if (!conn.loggedIn) {
      this.fatal(conn, 'not logged in');
      return;
    }
    const action = this.scripted.get(s.head);
    this.scripted.delete(s.head);
    if (action?.kind === 'fatal' || s.head === '/quit') {
      this.fatal(conn, action?.kind === 'fatal' ? (action.reason ?? 'session terminated by test') : 'session terminated on request');
      return;
    }
    if (action?.kind === 'garbage') {
      this.enqueue(conn, () => void conn.socket.write(Buffer.from([0xf8, 0xff, 0x00])));
      return;
    }
    if (s.head === '/cancel') {
      this.cancel(conn, s, tagged);
      return;
    }

    const reply = tagged(this.respond(s));
    if (action?.kind === 'drop') {
      const bytes = Buffer.concat(reply.map(encodeSentence));
      this.enqueue(conn, () => void conn.socket.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => conn.socket.destroy()));
    } else if (action?.kind === 'slow' && s.tag !== undefined) {
      const tag = s.tag;
      conn.delayed.set(tag, setTimeout(() => {
        conn.delayed.delete(tag);
        this.send(conn, reply);
      }, action.delayMs));
    } else {
      this.send(conn, reply);
    }
  }

  private respond(s: Sentence): string[][] {
    const slash = s.head.lastIndexOf('/');
    const path = s.head.slice(0, slash) as keyof typeof TABLES;
    const verb = s.head.slice(slash + 1);
    const name = TABLES[path];
    if (!name) return [trap('no such command prefix', 0), ['!done']];
    const table = this[name];

    if (verb === 'print') {
      const props = s.attributes['.proplist']?.split(',');
      const rows = table.filter((r) => s.queries.every((q) => matches(r, q)));
      if (rows.length === 0) return [['!empty'], ['!done']];
      return [...rows.map((r) => ['!re', ...Object.entries(r).filter(([k]) => !props || props.includes(k)).map(([k, v]) => `=${k}=${v}`)]), ['!done']];
    }
    if (verb === 'remove') {
      const at = table.findIndex((r) => r['.id'] === (s.attributes['.id'] ?? s.attributes.numbers));
      if (at < 0) return [trap('no such item', 0), ['!done']];
      table.splice(at, 1);
      return [['!done']];
    }
    if (verb === 'add' && name === 'addressList') {
      const { list, address } = s.attributes;
      if (!list || !address) return [trap('missing list or address', 1), ['!done']];
      if (table.some((r) => r.list === list && r.address === address)) return [trap('failure: already have such entry', 1), ['!done']];
      const extra: SimRow = s.attributes.timeout ? { timeout: s.attributes.timeout, dynamic: 'true' } : { dynamic: 'false' };
      const id = this.insert(table, { list, address, ...(s.attributes.comment ? { comment: s.attributes.comment } : {}), disabled: 'false', ...extra });
      return [['!done', `=ret=${id}`]];
    }
    return [trap('no such command', 0), ['!done']];
  }

  private cancel(conn: Conn, s: Sentence, tagged: (x: string[][]) => string[][]): void {
    const target = s.attributes.tag;
    const timer = target === undefined ? undefined : conn.delayed.get(target);
    if (timer) {
      clearTimeout(timer);
      conn.delayed.delete(target!);
      this.send(conn, [[...trap('interrupted', 2), `.tag=${target}`], ['!done', `.tag=${target}`]]);
    }
    this.send(conn, tagged([['!done']]));
  }

  private fatal(conn: Conn, reason: string): void {
    this.send(conn, [['!fatal', reason]]);
    this.enqueue(conn, () => void conn.socket.end());
  }

  private send(conn: Conn, sentences: string[][]): void {
    const bytes = Buffer.concat(sentences.map(encodeSentence));
    const size = this.opts.writeChunkBytes ?? bytes.length;
    this.enqueue(conn, async () => {
      for (let i = 0; i < bytes.length && !conn.socket.destroyed; i += size) {
        conn.socket.write(bytes.subarray(i, i + size));
        if (i + size < bytes.length) await new Promise((r) => setImmediate(r));
      }
    });
  }

  private enqueue(conn: Conn, step: () => void | Promise<void>): void {
    conn.out = conn.out.then(step);
  }
}

function trap(message: string, category?: number): string[] {
  return ['!trap', ...(category === undefined ? [] : [`=category=${category}`]), `=message=${message}`];
}

/** Simple `?key=value` queries only; RouterOS ANDs the ones left on its stack. */
function matches(row: SimRow, query: string): boolean {
  const eq = query.indexOf('=');
  return eq > 0 && row[query.slice(0, eq)] === query.slice(eq + 1);
}
