import type { Config } from '../config/schema.js';
import type { Policy } from './decide.js';

/** The authorization policy from the config: what logins (src/radius) and live sessions (src/nas) both apply. */
export function policyFromConfig(config: Config): Policy {
  return {
    interimInterval: config.radius.interim_interval,
    suspendedMode: config.radius.suspended_mode as Policy['suspendedMode'],
    walledGardenList: config.radius.walled_garden_list,
    walledGardenDownloadKbps: config.radius.walled_garden_download_kbps,
    walledGardenUploadKbps: config.radius.walled_garden_upload_kbps,
    expiredMode: config.prepaid.expired_mode as Policy['expiredMode'],
  };
}
