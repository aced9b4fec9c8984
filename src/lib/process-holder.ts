/**
 * Who holds a lease or a claim (the daily jobs' lease, an outbox message's claim), and whether a
 * holder is known to be dead.
 *
 * A lease names its holder's host, kernel boot id and pid. A process on the same host and boot can
 * ask the kernel whether that pid still exists (`kill(pid, 0)`: ESRCH means no such process), so a
 * holder that crashed is taken over at once instead of blocking the jobs until the lease expires.
 * Anything less certain waits for the expiry: another host, another boot (or an unknown one), a row
 * written without the identity, a pid that exists (even if reused by an unrelated process).
 * Within this process the answer is exact: a holder id is alive while its runner exists here.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lease: a unique id, and the host, boot and process it runs in (null where unknown). */
export interface LeaseHolder {
  id: string;
  host: string | null;
  bootId: string | null;
  pid: number | null;
}

/** What a lease row says of its holder. */
export interface LeaseRow {
  holder: string;
  expiresAt: string;
  host: string | null;
  bootId: string | null;
  pid: number | null;
}

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

let bootIdCache: string | null | undefined;

/** The kernel's boot id, or null where there is none to read (not Linux). */
export function bootId(): string | null {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync(BOOT_ID_FILE, 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache;
}

/** The holder ids of the runners made in this process. */
const ownHolders = new Set<string>();

/**
 * A new id for one part of this process among the nodes sharing a database (a job runner, the CoA
 * sender, the cache relay): host, pid and a random part, so a restart on the same pid is another id.
 */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** A new holder identity for a runner of this process. */
export function newLeaseHolder(): LeaseHolder {
  const id = newInstanceId();
  ownHolders.add(id);
  return { id, host: hostname(), bootId: bootId(), pid: process.pid };
}

/** Whether a process with this pid exists on this host (EPERM: it does, under another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * True only when the lease's holder is certainly gone: same host and boot as `self`, and its pid is
 * not running (or is this very process, which holds no runner by that id: a restart that got the
 * same pid, as in a container).
 */
export function holderIsDead(lease: LeaseRow, self: LeaseHolder, exists: (pid: number) => boolean = pidExists): boolean {
  if (lease.holder === self.id) return false;
  if (lease.host === null || lease.bootId === null || lease.pid === null || self.bootId === null) return false;
  if (lease.host !== self.host || lease.bootId !== self.bootId) return false;
  if (lease.pid === self.pid) return !ownHolders.has(lease.holder);
  return !exists(lease.pid);
}

/**
 * holderIsDead for a bare holder id (`host:pid:random`, as newLeaseHolder makes them), taken to be
 * of this boot: a pid of an earlier boot that is running again counts as alive, the safe side.
 */
export function claimantIsDead(claimant: string, self: LeaseHolder, exists: (pid: number) => boolean = pidExists): boolean {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(claimant);
  if (!m) return false;
  return holderIsDead({ holder: claimant, expiresAt: '', host: m[1]!, bootId: self.bootId, pid: Number(m[2]) }, self, exists);
}
