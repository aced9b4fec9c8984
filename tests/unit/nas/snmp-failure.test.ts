// How a failed SNMP poll is worded for the operator, from net-snmp's own error classes (the ones
// its session hands to the request callbacks): no answer, refused v3 credentials, the agent's error.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { snmpFailure } from '../../../src/nas/snmp/client.js';

type Ctor = new (message: string, code?: number) => Error;
const snmp = createRequire(import.meta.url)('net-snmp') as {
  RequestTimedOutError: Ctor; ResponseInvalidError: Ctor; RequestFailedError: Ctor;
  ResponseInvalidCode: { EAuthFailure: number; ECouldNotDecrypt: number; EReqResOidNoMatch: number };
};

describe('snmpFailure', () => {
  it('says no answer came in the whole wait, and what usually causes it', () => {
    const m = snmpFailure(new snmp.RequestTimedOutError('Request timed out'), 6000);
    expect(m).toMatchObject({ key: 'nas.snmpTimeout', values: { seconds: '6' } });
    expect(m.text).toMatch(/^no SNMP answer within 6 s: .*community \(v2c\)/);
    expect(snmpFailure(new snmp.RequestTimedOutError('Request timed out'), 1500).values).toEqual({ seconds: '1.5' });
  });

  it('names refused v3 credentials, quoting the report', () => {
    const wrongKey = new snmp.ResponseInvalidError('Wrong Digest (incorrect password, community or key)', snmp.ResponseInvalidCode.EAuthFailure);
    expect(snmpFailure(wrongKey, 3000)).toEqual({
      key: 'nas.snmpAuth', values: { words: 'Wrong Digest (incorrect password, community or key)' },
      text: 'the NAS refused the SNMPv3 user or its keys: Wrong Digest (incorrect password, community or key)',
    });
    expect(snmpFailure(new snmp.ResponseInvalidError('Failed to decrypt PDU: x', snmp.ResponseInvalidCode.ECouldNotDecrypt), 3000).key).toBe('nas.snmpAuth');
  });

  it('quotes anything else as said: the agent’s error status, a malformed answer, our own check', () => {
    expect(snmpFailure(new snmp.RequestFailedError('NoSuchName: 1.3.6.1.2.1.1.3.0', 2), 3000)).toEqual({
      key: 'nas.snmpError', values: { words: 'NoSuchName: 1.3.6.1.2.1.1.3.0' }, text: 'SNMP: NoSuchName: 1.3.6.1.2.1.1.3.0',
    });
    expect(snmpFailure(new snmp.ResponseInvalidError('Requested OIDs do not match', snmp.ResponseInvalidCode.EReqResOidNoMatch), 3000).key).toBe('nas.snmpError');
    expect(snmpFailure(new Error('sysUpTime: no value'), 3000).values).toEqual({ words: 'sysUpTime: no value' });
  });
});
