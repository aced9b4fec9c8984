/**
 * How MikroTik RouterOS reads the value of Mikrotik-Rate-Limit (its vendor dictionary says only
 * "string"): one place that writes it, for the Access-Accept (src/aaa/decide.ts) and for a CoA
 * (src/radius/coa/mikrotik.ts).
 */

/** A rate in kbit/s, with RouterOS's optional burst. */
export interface Rate {
  downloadKbps: number;
  uploadKbps: number;
  burst?: { downloadKbps: number; uploadKbps: number; thresholdDownloadKbps: number; thresholdUploadKbps: number; seconds: number };
}

/**
 * MikroTik's rate-limit string is from the router's side: rx (what it receives, the customer's upload)
 * first, then tx: `rx/tx [burst-rx/burst-tx [threshold-rx/threshold-tx [time-rx/time-tx]]]`.
 */
export function mikrotikRateLimit(rate: Rate): string {
  const pair = (up: number, down: number, unit = 'k') => `${up}${unit}/${down}${unit}`;
  const base = pair(rate.uploadKbps, rate.downloadKbps);
  if (!rate.burst) return base;
  const b = rate.burst;
  return `${base} ${pair(b.uploadKbps, b.downloadKbps)} ${pair(b.thresholdUploadKbps, b.thresholdDownloadKbps)} ${b.seconds}/${b.seconds}`;
}
