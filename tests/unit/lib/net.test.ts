import { describe, expect, it } from 'vitest';
import { normalizeMac } from '../../../src/lib/net.js';

describe('normalizeMac', () => {
  it('writes every common spelling as AA:BB:CC:DD:EE:FF', () => {
    for (const text of ['aa:bb:cc:0d:ee:ff', 'AA-BB-CC-0D-EE-FF', 'aabb.cc0d.eeff', 'AABBCC0DEEFF', ' aa bb cc 0d ee ff\t', 'aA:Bb:cC:0d:Ee:fF']) {
      expect(normalizeMac(text), text).toBe('AA:BB:CC:0D:EE:FF');
    }
  });

  it('gives back the text itself when it is already in the normal form', () => {
    const text = ['AA', 'BB', 'CC', '0D', 'EE', 'FF'].join(':');
    expect(normalizeMac(text)).toBe(text);
  });

  it('refuses other lengths and other characters', () => {
    for (const text of ['', 'AA:BB:CC:DD:EE:F', 'AA:BB:CC:DD:EE:FF:00', 'AA:BB:CC:DD:EE:FG', 'AA_BB_CC_DD_EE_FF', 'AA:BB:CC:DD:EE:FÉ', 'not a mac']) {
      expect(normalizeMac(text), text).toBeUndefined();
    }
  });

  it('keeps the pairs as the digits come, whatever the separators', () => {
    // Separators are dropped, not trusted: a misplaced one does not shift the pairs.
    expect(normalizeMac('A:AB:BC:CD:DE:EF:F')).toBe('AA:BB:CC:DD:EE:FF');
    expect(normalizeMac('AAB:BCC:DDE:EFF')).toBe('AA:BB:CC:DD:EE:FF');
  });
});
