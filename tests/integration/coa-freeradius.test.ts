// The RFC 5176 client against Debian's FreeRADIUS 3.2 as the NAS: a `listen { type = coa }` on
// 127.0.0.1 whose `recv-coa` section answers ACK, or NAK with an Error-Cause for chosen users. It
// checks what our authenticators are worth to an independent implementation: FreeRADIUS drops a
// CoA-Request or Disconnect-Request whose Request Authenticator or Message-Authenticator does not
// verify, so an answer at all means both were right, and a wrong secret gets silence.
// Skipped when freeradius is not installed.
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FREERADIUS, freeUdpPort, radiusdBase, startRadiusd, type Radiusd } from '../helpers/freeradius.js';
import { CoaClient, mikrotikRateChange, type CoaSession, type CoaTarget } from '../../src/radius/coa/index.js';
import { loadDictionary } from '../../src/radius/dict/index.js';

const available = existsSync(FREERADIUS) && existsSync('/usr/share/freeradius/dictionary');
if (!available) console.warn(`coa-freeradius: skipped, ${FREERADIUS} or /usr/share/freeradius/dictionary is missing (apt-get install freeradius)`);
const SECRET = 'coa-testing-123';

function raddb(dir: string, port: number): void {
  mkdirSync(join(dir, 'var'), { recursive: true });
  // Only a CoA listener. "ghost" has no session (NAK, Session-Context-Not-Found); "locked" is
  // refused (NAK, Administratively-Prohibited); everyone else is ACKed.
  writeFileSync(
    join(dir, 'radiusd.conf'),
    `${radiusdBase({ dir, port, secret: SECRET, listen: 'coa', virtualServer: 'coa', requireMessageAuthenticator: true, statusServer: false })}modules {
	always reject {
		rcode = reject
	}
	always ok {
		rcode = ok
	}
}
server coa {
	recv-coa {
		if (&User-Name == "ghost") {
			update reply {
				&Error-Cause := Session-Context-Not-Found
			}
			reject
		}
		if (&User-Name == "signed") {
			update reply {
				&Message-Authenticator := 0x00
			}
		}
		if (&User-Name == "signed-nak") {
			update reply {
				&Message-Authenticator := 0x00
				&Error-Cause := Session-Context-Not-Found
			}
			reject
		}
		if (&User-Name == "locked") {
			update reply {
				&Error-Cause := Administratively-Prohibited
			}
			reject
		}
		ok
	}
	send-coa {
		ok
	}
}
`,
  );
  writeFileSync(join(dir, 'dictionary'), '$INCLUDE /usr/share/freeradius/dictionary\n');
}

describe.skipIf(!available)('FreeRADIUS 3.2 as the NAS: Disconnect-Request and CoA-Request', () => {
  let dir: string;
  let port: number;
  let radiusd: Radiusd | undefined;
  let client: CoaClient;
  let target: CoaTarget;
  const session: CoaSession = { userName: 'alice', acctSessionId: '81a00042', framedIpAddress: '100.64.3.9', nasIpAddress: '127.0.0.1' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-coa-fr-'));
    port = await freeUdpPort();
    raddb(dir, port);
    radiusd = await startRadiusd(dir);
    target = { host: '127.0.0.1', port, secret: SECRET };
  });

  beforeEach(async () => {
    await client?.close();
    client = new CoaClient({ dictionary: loadDictionary(), retry: { initialTimeoutMs: 1000, maxTries: 3 } });
  });

  afterAll(async () => {
    await client?.close();
    radiusd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** FreeRADIUS's debug output for the request with this identifier, once it has been answered. */
  async function logOf(code: string, id: number | undefined, from: number): Promise<string> {
    const head = `Received ${code} Id ${id} `;
    for (let i = 0; i < 50; i++) {
      const part = radiusd!.log.slice(from);
      const at = part.indexOf(head);
      if (at >= 0 && /\(\d+\) Sent \S+ Id/.test(part.slice(at))) return part.slice(at);
      await new Promise((r) => setTimeout(r, 20));
    }
    return radiusd!.log.slice(from);
  }

  it('ACKs our Disconnect-Request and reads the identifying attributes we sent', async () => {
    const mark = radiusd!.log.length;
    const r = await client.disconnect(target, session);
    expect(r).toMatchObject({ outcome: 'ack', attempts: 1, sessionNotFound: false });
    const seen = await logOf('Disconnect-Request', r.identifier, mark);
    expect(seen).toContain('User-Name = "alice"');
    expect(seen).toContain('Acct-Session-Id = "81a00042"');
    expect(seen).toContain('Framed-IP-Address = 100.64.3.9');
    expect(seen).toContain('NAS-IP-Address = 127.0.0.1');
    expect(seen).toMatch(/Event-Timestamp = /);
    expect(seen).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
    expect(seen).toMatch(new RegExp(`Sent Disconnect-ACK Id ${r.identifier} `));
  });

  it('ACKs our CoA-Request and reads the new Mikrotik-Rate-Limit', async () => {
    const mark = radiusd!.log.length;
    const r = await client.coa(target, session, mikrotikRateChange({ rate: { downloadKbps: 10000, uploadKbps: 2000 }, addressList: 'unpaid' }));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 1 });
    const seen = await logOf('CoA-Request', r.identifier, mark);
    expect(seen).toContain('Mikrotik-Rate-Limit = "2000k/10000k"');
    expect(seen).toContain('Mikrotik-Address-List = "unpaid"');
    expect(seen).toMatch(new RegExp(`Sent CoA-ACK Id ${r.identifier} `));
  });

  it('reports a NAK with Error-Cause 503 as session not found', async () => {
    const r = await client.disconnect(target, { ...session, userName: 'ghost' });
    expect(r).toMatchObject({ outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', sessionNotFound: true, attempts: 1 });
    const c = await client.coa(target, { ...session, userName: 'locked' }, mikrotikRateChange({ rate: { downloadKbps: 1, uploadKbps: 1 } }));
    expect(c).toMatchObject({ outcome: 'nak', errorCause: 501, errorCauseName: 'Administratively-Prohibited', sessionNotFound: false });
  });

  it('verifies the Message-Authenticator FreeRADIUS puts in an ACK or NAK (over zeros, not the request authenticator)', async () => {
    const strict = new CoaClient({ dictionary: loadDictionary(), requireMessageAuthenticator: true, retry: { initialTimeoutMs: 300, maxTries: 2 } });
    try {
      const a = await strict.disconnect(target, { ...session, userName: 'signed' });
      const n = await strict.coa(target, { ...session, userName: 'signed-nak' }, mikrotikRateChange({ rate: { downloadKbps: 1, uploadKbps: 1 } }));
      expect(a).toMatchObject({ outcome: 'ack', attempts: 1 });
      expect(n).toMatchObject({ outcome: 'nak', attempts: 1, sessionNotFound: true });
      expect(a.reply?.attributes.some((x) => x.type === 80)).toBe(true);
      expect(n.reply?.attributes.some((x) => x.type === 80)).toBe(true);
      expect(strict.stats().dropped.bad_message_authenticator).toBe(0);
      // Which form FreeRADIUS used, checked by hand: HMAC-MD5 with 16 zero octets in the header.
      for (const raw of [a.reply!.raw, n.reply!.raw]) {
        const at = 22;
        expect(raw[20]).toBe(80);
        const copy = Buffer.from(raw);
        copy.fill(0, 4, 20);
        copy.fill(0, at, at + 16);
        expect(createHmac('md5', SECRET).update(copy).digest().equals(raw.subarray(at, at + 16))).toBe(true);
      }
    } finally {
      await strict.close();
    }
  });

  it('concurrent requests over one socket all get their own answers', async () => {
    const users = ['alice', 'ghost', 'bob', 'ghost', 'carol', 'dave'];
    const results = await Promise.all(users.map((u, i) => client.disconnect(target, { userName: u, acctSessionId: `s${i}` })));
    expect(results.map((r) => r.outcome)).toEqual(users.map((u) => (u === 'ghost' ? 'nak' : 'ack')));
    expect(new Set(results.map((r) => r.identifier)).size).toBe(users.length);
    expect(client.stats().dropped).toEqual({ malformed: 0, unmatched: 0, unexpected_code: 0, bad_authenticator: 0, bad_message_authenticator: 0, missing_message_authenticator: 0 });
  });

  it('gets no answer when signed with the wrong secret, and FreeRADIUS says why', async () => {
    const mark = radiusd!.log.length;
    const r = await client.disconnect({ ...target, secret: 'not-the-secret' }, session, { retry: { initialTimeoutMs: 300, maxTries: 2 } });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 2 });
    expect(client.stats().dropped).toMatchObject({ unmatched: 0, bad_authenticator: 0 });
    expect(radiusd!.log.slice(mark)).toMatch(/invalid (Message|Request)-Authenticator! +\(Shared secret is incorrect\.\)/);
  });
});
