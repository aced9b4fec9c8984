import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
/**
 * A minimal FreeRADIUS 3.2 configuration for cross-checks: one client (127.0.0.1), one thread, one
 * listener, logs to stdout, reject_delay 0 so rejects come back at once. Each test adds its own
 * `modules {}` and `server {}` sections after it.
 */
export interface RadiusdOptions {
  dir: string;
  port: number;
  secret: string;
  listen: 'auth' | 'coa';
  virtualServer: string;
  requireMessageAuthenticator: boolean;
  statusServer: boolean;
}

export function radiusdBase(o: RadiusdOptions): string {
  return `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
libdir = /usr/lib/freeradius
raddbdir = ${o.dir}
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
workdir = ${o.dir}/var
logdir = \${workdir}
run_dir = \${workdir}
db_dir = \${workdir}
pidfile = \${run_dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
	colourise = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = ${o.statusServer ? 'yes' : 'no'}
}
proxy_requests = no
client localhost {
	ipaddr = 127.0.0.1
	proto = udp
	secret = ${o.secret}
	require_message_authenticator = ${o.requireMessageAuthenticator ? 'yes' : 'no'}
	nas_type = other
}
thread pool {
	start_servers = 1
	max_servers = 1
	min_spare_servers = 1
	max_spare_servers = 1
}
listen {
	type = ${o.listen}
	ipaddr = 127.0.0.1
	port = ${o.port}
	virtual_server = ${o.virtualServer}
}
`;
}

export const FREERADIUS = '/usr/sbin/freeradius';

/** A free UDP port on 127.0.0.1: bind port 0, read what the kernel gave, release it. */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface Radiusd {
  proc: ChildProcess;
  /** Everything FreeRADIUS printed so far (debug mode: every packet it decoded). */
  readonly log: string;
  stop(): void;
}

/** Starts FreeRADIUS in the foreground with debug output on the raddb in `dir`, once it is ready. */
export async function startRadiusd(dir: string): Promise<Radiusd> {
  const proc = spawn(FREERADIUS, ['-X', '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`FreeRADIUS did not start:\n${log}`)), 20_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes('Ready to process requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`FreeRADIUS exited with ${code}:\n${log}`));
    });
  });
  return {
    proc,
    get log() {
      return log;
    },
    stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
    },
  };
}
