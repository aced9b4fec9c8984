/**
 * The few RouterOS commands the product uses, as thin typed calls over the client. Property names
 * follow RouterOS 6.43+ and 7 (`caller-id`, `session-id`, `mac-address`).
 */
import type { RouterOsClient, RouterOsRecord } from './client.js';
import { RouterOsError } from './errors.js';
import { attributeWord, queryWord } from './wire.js';
import type { RouterSession } from './reconcile.js';

const PPP_ACTIVE = '/ppp/active';
const HOTSPOT_ACTIVE = '/ip/hotspot/active';
const ADDRESS_LIST = '/ip/firewall/address-list';

// Ask only for what we map: a router with thousands of sessions sends far less.
const PPP_PROPS = '.id,name,service,caller-id,address,uptime,session-id';
const HOTSPOT_PROPS = '.id,user,address,mac-address,server,uptime';

function opt(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export async function listPppActive(client: RouterOsClient): Promise<RouterSession[]> {
  const rows = await client.run(`${PPP_ACTIVE}/print`, [attributeWord('.proplist', PPP_PROPS)]);
  return rows.map((r) => ({
    kind: 'ppp',
    id: r['.id'] ?? '',
    username: r.name ?? '',
    address: opt(r.address),
    callerId: opt(r['caller-id']),
    sessionId: opt(r['session-id']),
    service: opt(r.service),
    uptime: opt(r.uptime),
  }));
}

export async function listHotspotActive(client: RouterOsClient): Promise<RouterSession[]> {
  const rows = await client.run(`${HOTSPOT_ACTIVE}/print`, [attributeWord('.proplist', HOTSPOT_PROPS)]);
  return rows.map((r) => ({
    kind: 'hotspot',
    id: r['.id'] ?? '',
    username: r.user ?? '',
    address: opt(r.address),
    // A hotspot client is known by its MAC, which is what RADIUS sends as Calling-Station-Id.
    callerId: opt(r['mac-address']),
    service: opt(r.server),
    uptime: opt(r.uptime),
  }));
}

function requireId(id: string): string {
  if (!id) throw new RouterOsError('routeros_usage', 'an item id (.id, such as *1A) is required');
  return id;
}

/** Disconnects a PPP session; rejects with `routeros_trap` if the router no longer has it. */
export async function removePppActive(client: RouterOsClient, id: string): Promise<void> {
  await client.run(`${PPP_ACTIVE}/remove`, [attributeWord('.id', requireId(id))]);
}

/** Logs a hotspot user out; rejects with `routeros_trap` if the router no longer has it. */
export async function removeHotspotActive(client: RouterOsClient, id: string): Promise<void> {
  await client.run(`${HOTSPOT_ACTIVE}/remove`, [attributeWord('.id', requireId(id))]);
}

/** Removes whichever kind of active session this is. */
export function removeRouterSession(client: RouterOsClient, session: Pick<RouterSession, 'kind' | 'id'>): Promise<void> {
  return session.kind === 'ppp' ? removePppActive(client, session.id) : removeHotspotActive(client, session.id);
}

export interface AddressListEntry {
  id: string;
  list: string;
  address: string;
  comment?: string;
  /** Remaining lifetime for an entry added with a timeout, as RouterOS prints it (`23h59m58s`). */
  timeout?: string;
  disabled: boolean;
  /** Dynamic entries (added with a timeout, or by the firewall) do not survive a reboot. */
  dynamic: boolean;
}

function toEntry(r: RouterOsRecord): AddressListEntry {
  return {
    id: r['.id'] ?? '',
    list: r.list ?? '',
    address: r.address ?? '',
    comment: opt(r.comment),
    timeout: opt(r.timeout),
    disabled: r.disabled === 'true' || r.disabled === 'yes',
    dynamic: r.dynamic === 'true' || r.dynamic === 'yes',
  };
}

/** Adds an entry and resolves with its new `.id`. `timeout` is RouterOS syntax (`1d`, `00:30:00`). */
export async function addAddressListEntry(
  client: RouterOsClient,
  entry: { list: string; address: string; comment?: string; timeout?: string },
): Promise<string> {
  const words = [attributeWord('list', entry.list), attributeWord('address', entry.address)];
  if (entry.comment !== undefined) words.push(attributeWord('comment', entry.comment));
  if (entry.timeout !== undefined) words.push(attributeWord('timeout', entry.timeout));
  const reply = await client.request(`${ADDRESS_LIST}/add`, words);
  return reply.done.ret ?? '';
}

export async function removeAddressListEntry(client: RouterOsClient, id: string): Promise<void> {
  await client.run(`${ADDRESS_LIST}/remove`, [attributeWord('.id', requireId(id))]);
}

/** Entries matching every given field (RouterOS ANDs the queries); no filter lists them all. */
export async function findAddressListEntries(client: RouterOsClient, filter: { list?: string; address?: string } = {}): Promise<AddressListEntry[]> {
  const words: string[] = [];
  if (filter.list !== undefined) words.push(queryWord('list', filter.list));
  if (filter.address !== undefined) words.push(queryWord('address', filter.address));
  return (await client.run(`${ADDRESS_LIST}/print`, words)).map(toEntry);
}
