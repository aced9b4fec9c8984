/**
 * CoA attributes for MikroTik RouterOS, pure. RouterOS applies a CoA-Request's Mikrotik-Rate-Limit to
 * the live PPP or hotspot session, found by User-Name, Acct-Session-Id and Framed-IP-Address (which
 * the client adds). The rate string is the one an Access-Accept carries, from `mikrotikRateLimit`.
 */
import { RadiusEncodeError, type TypedAttribute } from '../codec/index.js';
import { A } from '../dict/attrs.js';
import { mikrotikRateLimit, type Rate } from '../dict/mikrotik.js';

export interface MikrotikChange {
  readonly rate: Rate;
  /**
   * An address list to put the session's address in (the walled garden's). RADIUS has no attribute
   * that takes an address out of a list, so leaving the walled garden is a Disconnect: the customer
   * reconnects and the new Access-Accept carries no list.
   */
  readonly addressList?: string;
}

/** The attributes of a CoA-Request that moves a MikroTik session to a new rate (and address list). */
export function mikrotikRateChange(change: MikrotikChange): TypedAttribute[] {
  const out: TypedAttribute[] = [{ def: A.MikrotikRateLimit, value: mikrotikRateLimit(change.rate) }];
  if (change.addressList !== undefined) {
    if (change.addressList === '') throw new RadiusEncodeError('Mikrotik-Address-List is empty', A.MikrotikAddressList.name);
    out.push({ def: A.MikrotikAddressList, value: change.addressList });
  }
  return out;
}

/** The CoA attributes that put a live session into the walled garden of `policy`. */
export function mikrotikWalledGarden(policy: { walledGardenList: string; walledGardenDownloadKbps: number; walledGardenUploadKbps: number }): TypedAttribute[] {
  return mikrotikRateChange({
    rate: { downloadKbps: policy.walledGardenDownloadKbps, uploadKbps: policy.walledGardenUploadKbps },
    addressList: policy.walledGardenList,
  });
}
