// The auth log's reasons in the UI's language: the catalogue's message for the code the server sends,
// the server's English text for a row without one.
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../../web/src/i18n.js';
import { reasonText } from '../../../web/src/names.js';

afterEach(() => setLocale('en'));

describe('reasonText', () => {
  const mac = { reason: 'MAC address AA:BB:CC:00:00:02 is not the bound AA:BB:CC:00:00:01', reasonCode: 'aaa.macMismatch', reasonValues: { sent: 'AA:BB:CC:00:00:02', bound: 'AA:BB:CC:00:00:01' } };

  it('words a coded reason in the UI language, with its values', () => {
    expect(reasonText(mac)).toBe(mac.reason);
    setLocale('it');
    const it = reasonText(mac)!;
    expect(it).not.toBe(mac.reason);
    expect(it).toContain('AA:BB:CC:00:00:02');
    expect(it).toContain('AA:BB:CC:00:00:01');
    expect(reasonText({ reason: 'data cap reached: throttled', reasonCode: 'reason.throttled', reasonValues: null })).toBe('soglia di traffico raggiunta: velocità ridotta');
    setLocale('es');
    expect(reasonText({ reason: 'service suspended', reasonCode: 'aaa.suspended', reasonValues: null })).not.toBe('service suspended');
  });

  it('keeps the English text of a row without a code, or with a code that is not a reason', () => {
    setLocale('it');
    expect(reasonText({ reason: 'wrong password' })).toBe('wrong password');
    expect(reasonText({ reason: 'x', reasonCode: 'nav.settings', reasonValues: null })).toBe('x');
    expect(reasonText({ reason: null, reasonCode: null })).toBeNull();
  });
});
