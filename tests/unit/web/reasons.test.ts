// The auth log's reasons in the UI's language: the catalogue's message for the code the server sends,
// the server's English text for a row without one.
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../../web/src/i18n.js';
import { reasonText } from '../../../web/src/names.js';

afterEach(() => setLocale('en'));

describe('reasonText', () => {
  const mac = { reason: 'MAC address AA:BB:CC:00:00:02 is not the bound AA:BB:CC:00:00:01', reasonCode: 'aaa.macMismatch', reasonValues: { sent: 'AA:BB:CC:00:00:02', bound: 'AA:BB:CC:00:00:01' } };

  it('words a coded reason in the UI language, with its values', async () => {
    expect(reasonText(mac)).toBe(mac.reason);
    await setLocale('it');
    const it = reasonText(mac)!;
    expect(it).not.toBe(mac.reason);
    expect(it).toContain('AA:BB:CC:00:00:02');
    expect(it).toContain('AA:BB:CC:00:00:01');
    expect(reasonText({ reason: 'data cap reached: throttled', reasonCode: 'reason.throttled', reasonValues: null })).toBe('soglia di traffico raggiunta: velocità ridotta');
    await setLocale('es');
    expect(reasonText({ reason: 'service suspended', reasonCode: 'aaa.suspended', reasonValues: null })).not.toBe('service suspended');
  });

  it('keeps the English text of a row without a code, or with a code that is not a reason', async () => {
    await setLocale('it');
    expect(reasonText({ reason: 'wrong password' })).toBe('wrong password');
    expect(reasonText({ reason: 'x', reasonCode: 'nav.settings', reasonValues: null })).toBe('x');
    expect(reasonText({ reason: null, reasonCode: null })).toBeNull();
  });

  it('words a network action\'s reason in the UI language, its date, size and states too; a typed reason stays as typed', async () => {
    const overdue = { reason: 'invoice 2026-0042 overdue since 2026-11-20', reasonCode: 'reason.action.overdue', reasonValues: { number: '2026-0042', date: '2026-11-20' } };
    expect(reasonText(overdue)).toBe('invoice 2026-0042 overdue since 20 Nov 2026');
    await setLocale('it');
    expect(reasonText(overdue)).toBe('cliente moroso: fattura 2026-0042 scaduta dal 20 nov 2026');
    expect(reasonText({ reason: 'suspended by hand', reasonCode: 'reason.action.suspendedByHand', reasonValues: null })).toBe('sospeso manualmente');
    expect(reasonText({ reason: 'status changed from active to ended', reasonCode: 'reason.action.statusChanged', reasonValues: { fromStatus: 'active', toStatus: 'ended' } }))
      .not.toMatch(/active|ended/);
    expect(reasonText({ reason: 'data cap: 5000000000 bytes used, now blocked', reasonCode: 'reason.action.capBlocked', reasonValues: { bytes: '5000000000' } })).not.toContain('5000000000');
    // A reason the admin typed has no code: shown as written.
    expect(reasonText({ reason: 'chiesto dal cliente', reasonCode: null, reasonValues: null })).toBe('chiesto dal cliente');
    await setLocale('es');
    expect(reasonText(overdue)).toContain('cliente moroso: factura 2026-0042');
  });
});
