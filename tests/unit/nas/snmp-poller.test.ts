// What the poller stores when a poll fails: the SNMP client's own wording, or, when the failure is
// not the NAS's (the database refusing the samples), the failure read as any other is, so the
// screen does not blame the NAS for it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NasRow, NasStatusRecord, NasStore } from '../../../src/db/nas.js';
import { TestClock } from '../../../src/lib/clock.js';
import { keyedError, said } from '../../../src/lib/errors.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { SnmpError, type SnmpReading } from '../../../src/nas/snmp/client.js';
import { SnmpPoller } from '../../../src/nas/snmp/poller.js';

const box = new SecretBox(randomBytes(32));
const row = { id: 7, name: 'tower-1', ipAddress: '192.0.2.7', snmpEnabled: true, snmpHost: null, snmpPort: null, snmpVersion: '2c', snmpCommunityEnc: box.seal('public') } as unknown as NasRow;

function poller(poll: () => Promise<SnmpReading>, savePollFails = false) {
  const saved: NasStatusRecord[] = [];
  const store = {
    status: async () => undefined,
    interfaces: async () => [],
    savePoll: async (s: NasStatusRecord) => {
      // Saving the answer fails, as a database refusing the write would; saving the failure goes through.
      if (savePollFails && s.state === 'up') {
        throw Object.assign(new Error('could not extend file "base/16384/2619": No space left on device'), { code: '53100', severity: 'ERROR' });
      }
      saved.push(s);
    },
  } as unknown as NasStore;
  return { saved, p: new SnmpPoller({ store, box, clock: new TestClock('2026-12-06T12:00:00.000Z'), timeoutMs: 500, downAfterFailures: 3, retentionDays: 7, poll }) };
}

describe('the SNMP poller’s stored failure', () => {
  it('keeps the client’s own key and values beside its English', async () => {
    const { saved, p } = poller(async () => {
      throw new SnmpError(said('nas.snmpTimeout', 'no SNMP answer within 1 s: …', { seconds: '1' }));
    });
    const s = await p.pollNas(row);
    expect(s).toMatchObject({ state: 'unknown', consecutiveFailures: 1, lastError: 'no SNMP answer within 1 s: …' });
    expect(keyedError(s.lastErrorMessage)).toEqual({ lastErrorCode: 'nas.snmpTimeout', lastErrorValues: { seconds: '1' } });
    expect(saved).toHaveLength(1);
  });

  it('names the database when saving the answer failed, not the NAS', async () => {
    const { saved, p } = poller(async () => ({ uptimeTicks: 12_300, interfaces: [] }), true);
    const s = await p.pollNas(row);
    expect(s.lastError).toMatch(/No space left on device/);
    expect(keyedError(s.lastErrorMessage)).toEqual({
      lastErrorCode: 'jobError.database', lastErrorValues: { code: '53100', words: 'could not extend file "base/16384/2619": No space left on device' },
    });
    expect(saved.map((x) => x.consecutiveFailures)).toEqual([1]);
  });
});
