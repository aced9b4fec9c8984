/**
 * A RouterOS API client: one connection, many concurrent commands told apart by `.tag`. Every
 * failure reaches the caller as a rejected promise with a RouterOsError; socket handlers never
 * throw.
 */
import type net from 'node:net';
import { RouterOsError } from './errors.js';
import { openSocket, resolveEndpoint, type Endpoint, type RouterOsTlsOptions } from './connect.js';
import { attributeWord, encodeSentence, parseSentence, SentenceDecoder, type Sentence } from './wire.js';

export interface RouterOsOptions {
  host: string;
  /** Defaults to 8728, or 8729 with `tls`. */
  port?: number;
  username: string;
  password: string;
  /** `true` for api-ssl with ordinary certificate verification; an object to pin or add CAs. */
  tls?: boolean | RouterOsTlsOptions;
  /** TCP connect plus TLS handshake; 10 s by default. Login then runs under `commandTimeoutMs`. */
  connectTimeoutMs?: number;
  /** Default per-command timeout; 30 s by default. */
  commandTimeoutMs?: number;
}

/** One `!re` reply: property name to value, as RouterOS spells both (`caller-id`, `.id`). */
export type RouterOsRecord = Readonly<Record<string, string>>;

export interface RouterOsReply {
  /** The `!re` sentences; empty for `!empty` or no rows. */
  rows: RouterOsRecord[];
  /** Attributes of `!done`, such as `ret` (the new item's id after `add`). */
  done: RouterOsRecord;
}

interface Pending {
  command: string;
  rows: RouterOsRecord[];
  timer: NodeJS.Timeout;
  resolve: (reply: RouterOsReply) => void;
  reject: (err: RouterOsError) => void;
}

export class RouterOsClient {
  /** Resolves once the connection is gone: undefined after `close()`, otherwise the reason. Never rejects. */
  readonly closed: Promise<RouterOsError | undefined>;

  private readonly pending = new Map<string, Pending>();
  private readonly decoder = new SentenceDecoder();
  private nextTag = 1;
  private failure: RouterOsError | undefined;
  private markClosed!: (reason: RouterOsError | undefined) => void;

  private constructor(
    private readonly socket: net.Socket,
    private readonly endpoint: Endpoint,
    private readonly commandTimeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown(new RouterOsError('routeros_closed', `${this.where}: ${err.message}`)));
    socket.on('close', () => {
      const midReply = this.decoder.idle ? '' : ' in the middle of a reply';
      this.shutdown(new RouterOsError('routeros_closed', `${this.where} closed the connection${midReply}`));
    });
  }

  /** Connects and logs in; rejects with `routeros_connect`, `routeros_tls` or `routeros_auth`. */
  static async connect(options: RouterOsOptions): Promise<RouterOsClient> {
    const endpoint = resolveEndpoint(options);
    const socket = await openSocket(endpoint, options.connectTimeoutMs ?? 10_000);
    const client = new RouterOsClient(socket, endpoint, options.commandTimeoutMs ?? 30_000);
    try {
      await client.login(options.username, options.password);
    } catch (err) {
      client.shutdown(err as RouterOsError);
      throw err;
    }
    return client;
  }

  get isClosed(): boolean {
    return this.failure !== undefined;
  }

  /** Runs a command and resolves with its `!re` rows (`[]` for `!empty`). */
  async run(command: string, words: readonly string[] = [], opts: { timeoutMs?: number } = {}): Promise<RouterOsRecord[]> {
    return (await this.request(command, words, opts)).rows;
  }

  /**
   * Runs a command: `words` are attribute (`=k=v`) and query (`?k=v`) words, see `attributeWord`
   * and `queryWord`. Rejects with `routeros_trap` (connection still usable), `routeros_timeout`,
   * `routeros_fatal` or `routeros_closed`.
   */
  request(command: string, words: readonly string[] = [], opts: { timeoutMs?: number } = {}): Promise<RouterOsReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (!command.startsWith('/')) return Promise.reject(new RouterOsError('routeros_usage', `a RouterOS command starts with '/': ${command}`, command));
    // The client owns `.tag`: a caller's tag would steal replies meant for another command.
    if (words.some((w) => w.startsWith('.tag='))) {
      return Promise.reject(new RouterOsError('routeros_usage', 'the client sets .tag itself', command));
    }
    const tag = String(this.nextTag++);
    const sentence = encodeSentence([command, ...words, `.tag=${tag}`]);
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.expire(tag, timeoutMs), timeoutMs);
      this.pending.set(tag, { command, rows: [], timer, resolve, reject });
      this.socket.write(sentence);
    });
  }

  /** Closes the connection; pending commands reject with `routeros_closed`. Idempotent. */
  async close(): Promise<void> {
    this.shutdown(new RouterOsError('routeros_closed', `connection to ${this.where} closed by the client`), true);
    await this.closed;
  }

  private get where(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  private async login(username: string, password: string): Promise<void> {
    let reply: RouterOsReply;
    try {
      reply = await this.request('/login', [attributeWord('name', username), attributeWord('password', password)]);
    } catch (err) {
      if (err instanceof RouterOsError && err.code === 'routeros_trap') {
        throw new RouterOsError('routeros_auth', `${this.where} refused login as "${username}": ${err.message}`, '/login', err.category);
      }
      throw err;
    }
    // Before 6.43 the router ignores name/password here and answers with an MD5 challenge instead.
    if (reply.done.ret !== undefined) {
      throw new RouterOsError('routeros_auth', `${this.where} asked for the challenge login of RouterOS before 6.43, which is not supported`, '/login');
    }
  }

  private onData(chunk: Buffer): void {
    let sentences: string[][];
    try {
      sentences = this.decoder.push(chunk);
    } catch (err) {
      this.shutdown(err instanceof RouterOsError ? err : new RouterOsError('routeros_protocol', String(err)));
      return;
    }
    for (const words of sentences) {
      if (this.failure) return;
      this.dispatch(parseSentence(words));
    }
  }

  private dispatch(s: Sentence): void {
    if (s.head === '!fatal') {
      const reason = s.other.join(' ') || s.attributes.message || 'no reason given';
      this.shutdown(new RouterOsError('routeros_fatal', `${this.where} ended the session: ${reason}`));
      return;
    }
    // Untagged or unknown tags: replies to a command that already timed out, or to a `/cancel`.
    const p = s.tag === undefined ? undefined : this.pending.get(s.tag);
    if (!p) return;
    switch (s.head) {
      case '!re':
        p.rows.push(s.attributes);
        return;
      case '!empty':
        // RouterOS 7.18+: no rows; `!done` follows.
        return;
      case '!done':
        this.settle(s.tag!);
        p.resolve({ rows: p.rows, done: s.attributes });
        return;
      case '!trap': {
        // `!done` follows a trap, but the outcome is known now; its `!done` then finds no tag.
        this.settle(s.tag!);
        const category = s.attributes.category === undefined ? undefined : Number(s.attributes.category);
        const message = s.attributes.message ?? 'no message';
        p.reject(new RouterOsError('routeros_trap', `${p.command}: ${message}`, p.command, Number.isNaN(category) ? undefined : category));
        return;
      }
      default:
        // A reply type newer than this client: ignore it; the command's timeout still bounds the wait.
        return;
    }
  }

  private settle(tag: string): void {
    clearTimeout(this.pending.get(tag)?.timer);
    this.pending.delete(tag);
  }

  private expire(tag: string, timeoutMs: number): void {
    const p = this.pending.get(tag);
    if (!p || this.failure) return;
    this.pending.delete(tag);
    p.reject(new RouterOsError('routeros_timeout', `${p.command}: no complete reply from ${this.where} within ${timeoutMs} ms`, p.command));
    // Tell the router to stop, so a long print does not keep streaming rows we would only drop.
    this.socket.write(encodeSentence(['/cancel', `=tag=${tag}`, `.tag=${this.nextTag++}`]));
  }

  /** The one way out: rejects every pending command with `reason` and releases the socket. */
  private shutdown(reason: RouterOsError, byClient = false): void {
    if (this.failure) return;
    this.failure = reason;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    const done = (): void => this.markClosed(byClient ? undefined : reason);
    if (this.socket.destroyed) return done();
    this.socket.once('close', done);
    if (byClient) {
      // A polite FIN (and TLS close_notify) first; a router that never answers it is cut off.
      this.socket.end(() => this.socket.destroy());
      setTimeout(() => this.socket.destroy(), 2000).unref();
    } else {
      this.socket.destroy();
    }
  }
}
