import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './calendar.js';
import { expiryGraceDays, graceEndsOn, validityOn } from './validity.js';

describe('card validity with its grace period', () => {
  it('is valid through the last valid day, in grace for 30 days after, then expired', () => {
    expect(expiryGraceDays).toBe(30);
    expect(validityOn('2026-10-31', '2026-10-31')).toBe('valid');
    expect(validityOn('2026-10-31', '2026-11-01')).toBe('grace');
    expect(validityOn('2026-10-31', '2026-11-30')).toBe('grace');
    expect(validityOn('2026-10-31', '2026-12-01')).toBe('expired');
    expect(graceEndsOn('2026-10-31')).toBe('2026-11-30');
    // Across a year end and a leap day.
    expect(graceEndsOn('2027-12-15')).toBe('2028-01-14');
    expect(graceEndsOn('2028-02-10')).toBe('2028-03-11');
  });

  it('never ends for a card without a last valid day', () => {
    expect(validityOn(null, '2099-01-01')).toBe('valid');
  });

  const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

  it('moves only forward in time: valid, then grace, then expired, each day at most one step', () => {
    const rank = { valid: 0, grace: 1, expired: 2 } as const;
    fc.assert(fc.property(day, fc.integer({ min: -400, max: 400 }), (validUntil, offset) => {
      const today = addDays(validUntil, offset);
      const state = rank[validityOn(validUntil, today)];
      const next = rank[validityOn(validUntil, addDays(today, 1))];
      expect(next - state).toBeGreaterThanOrEqual(0);
      expect(next - state).toBeLessThanOrEqual(1);
      expect(state).toBe(offset <= 0 ? 0 : offset <= expiryGraceDays ? 1 : 2);
    }));
  });
});
