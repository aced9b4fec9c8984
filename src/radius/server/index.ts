import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseListen } from '../../config/schema.js';
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../../lib/secretbox.js';

export interface RadiusServerOptions {
  config: Config;
  db: Db;
  box: SecretBox;
  log: Logger;
  now?: () => Date;
}

export interface RadiusServer {
  /** Bound addresses as `ip:port`, after start. */
  addresses(): { auth: string[]; acct: string[] };
  /** Re-reads NAS clients and cached services/plans (SIGHUP, API changes). */
  reload(what?: 'nas' | 'plan' | 'service' | 'customer'): void;
  /** Stops receiving, finishes in-flight work, flushes pending accounting writes. */
  close(): Promise<void>;
}

async function bind(listen: string): Promise<dgram.Socket> {
  const { host, port } = parseListen(listen)!;
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

const show = (s: dgram.Socket) => {
  const a = s.address();
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
};

/**
 * Binds the RADIUS listeners. Packet handling (codec, authentication, accounting) is issue #3's
 * RADIUS server; until it lands here every datagram is counted and dropped, which a NAS sees as a
 * server that does not answer.
 */
export async function startRadiusServer(opts: RadiusServerOptions): Promise<RadiusServer> {
  const auth = await Promise.all(opts.config.radius.auth_listen.map(bind));
  const acct = await Promise.all(opts.config.radius.acct_listen.map(bind));
  let dropped = 0;
  for (const s of [...auth, ...acct]) s.on('message', () => void dropped++);
  return {
    addresses: () => ({ auth: auth.map(show), acct: acct.map(show) }),
    reload: () => {},
    close: async () => {
      await Promise.all([...auth, ...acct].map((s) => new Promise<void>((r) => s.close(() => r()))));
      opts.log.info({ dropped }, 'RADIUS listeners closed');
    },
  };
}
