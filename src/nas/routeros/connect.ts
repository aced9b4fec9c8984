/**
 * Opening the socket to a router: plain TCP on 8728 or TLS (api-ssl) on 8729, with an optional
 * pinned certificate. Nothing is sent until this resolves, so credentials never cross a channel
 * whose certificate we have not accepted.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { RouterOsError } from './errors.js';

export const DEFAULT_API_PORT = 8728;
export const DEFAULT_API_SSL_PORT = 8729;

export interface RouterOsTlsOptions {
  /**
   * SHA-256 fingerprint of the router's certificate, hex with or without colons. When set, this pin
   * alone decides trust: a self-signed certificate is accepted if and only if it matches.
   */
  fingerprint256?: string;
  /** CAs to verify the certificate against when there is no pin (defaults to Node's bundle). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** The name the certificate must carry when there is no pin; defaults to `host`. */
  servername?: string;
}

export interface Endpoint {
  host: string;
  port: number;
  /** Undefined for plain TCP. */
  tls?: RouterOsTlsOptions;
  /** The normalised pin: 64 lower-case hex digits. */
  pin?: string;
}

/** Fills in the port from the transport, so TLS without a port goes to 8729 (not 8728). */
export function resolveEndpoint(opts: { host: string; port?: number; tls?: boolean | RouterOsTlsOptions }): Endpoint {
  const tlsOpts = opts.tls === true ? {} : opts.tls === false ? undefined : opts.tls;
  const port = opts.port ?? (tlsOpts ? DEFAULT_API_SSL_PORT : DEFAULT_API_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RouterOsError('routeros_usage', `bad RouterOS API port: ${port}`);
  const endpoint: Endpoint = { host: opts.host, port };
  if (tlsOpts) {
    endpoint.tls = tlsOpts;
    if (tlsOpts.fingerprint256 !== undefined) endpoint.pin = normaliseFingerprint(tlsOpts.fingerprint256);
  }
  return endpoint;
}

export function normaliseFingerprint(fp: string): string {
  const hex = fp.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new RouterOsError('routeros_usage', 'a pinned certificate fingerprint must be a SHA-256 digest: 64 hex digits, colons optional');
  }
  return hex;
}

/** `AB:CD:...`, the form `openssl x509 -fingerprint -sha256` and RouterOS print. */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

function certificateFingerprint(cert: tls.PeerCertificate | undefined): string | undefined {
  return cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : undefined;
}

function pinError(endpoint: Endpoint, actual: string | undefined): RouterOsError | undefined {
  if (actual === endpoint.pin) return undefined;
  const got = actual ? formatFingerprint(actual) : 'no certificate';
  return new RouterOsError(
    'routeros_tls',
    `certificate of ${endpoint.host}:${endpoint.port} does not match the pinned fingerprint: expected ${formatFingerprint(endpoint.pin!)}, got ${got}`,
  );
}

function label(endpoint: Endpoint): string {
  return `${endpoint.tls ? 'RouterOS api-ssl' : 'RouterOS API'} at ${endpoint.host}:${endpoint.port}`;
}

function wrapError(endpoint: Endpoint, err: Error & { code?: string }): RouterOsError {
  if (err instanceof RouterOsError) return err;
  // System errors carry an errno code (ECONNREFUSED, ETIMEDOUT...); anything else during a TLS
  // connect is the handshake or certificate verification (DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_...).
  const isTls = endpoint.tls !== undefined && !/^E[A-Z]+$/.test(err.code ?? '');
  const hint = isTls && !endpoint.pin ? ' (pin the certificate with its SHA-256 fingerprint to trust a self-signed one)' : '';
  return new RouterOsError(isTls ? 'routeros_tls' : 'routeros_connect', `${label(endpoint)}: ${err.message}${hint}`);
}

/** Resolves with a connected socket (TLS accepted) or rejects with a RouterOsError; never leaks a socket. */
export function openSocket(endpoint: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    let settled = false;
    // Stays attached after success so there is never a moment without an 'error' listener; from
    // then on the client's own listener handles errors.
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(wrapError(endpoint, err));
    };
    const timer = setTimeout(() => fail(new RouterOsError('routeros_connect', `${label(endpoint)}: no connection within ${timeoutMs} ms`)), timeoutMs);
    const ready = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(socket);
    };

    if (!endpoint.tls) {
      socket = net.connect({ host: endpoint.host, port: endpoint.port }, ready);
    } else if (endpoint.pin) {
      // Node only calls checkServerIdentity when the chain verified, which a self-signed router
      // certificate never does; so chain verification is off and the pin is checked on
      // secureConnect, which always runs, before anything is written.
      socket = tls.connect(
        {
          host: endpoint.host,
          port: endpoint.port,
          rejectUnauthorized: false,
          checkServerIdentity: (_host, cert) => pinError(endpoint, certificateFingerprint(cert)),
          ...(endpoint.tls.servername ? { servername: endpoint.tls.servername } : {}),
        },
        () => {
          const err = pinError(endpoint, certificateFingerprint((socket as tls.TLSSocket).getPeerCertificate()));
          if (err) fail(err);
          else ready();
        },
      );
    } else {
      const servername = endpoint.tls.servername ?? (net.isIP(endpoint.host) ? undefined : endpoint.host);
      socket = tls.connect(
        {
          host: endpoint.host,
          port: endpoint.port,
          ...(servername ? { servername } : {}),
          ...(endpoint.tls.ca ? { ca: endpoint.tls.ca } : {}),
        },
        ready,
      );
    }
    socket.on('error', fail);
  });
}
