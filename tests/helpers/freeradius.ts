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
