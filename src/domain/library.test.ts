import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './calendar.js';
import { daysBetween, dueDateFrom, fineCapFen, isOverdue, lateFineFen, renewalRefusal, renewedDueDate } from './library.js';

const isoDay = fc.integer({ min: 0, max: 20_000 }).map((n) => addDays('2000-01-01', n));

describe('library loans (借阅图书)', () => {
  it('lends for 30 days; due at the end of the due date', () => {
    expect(dueDateFrom('2026-12-06')).toBe('2027-01-05');
    expect(isOverdue('2027-01-05', '2027-01-05')).toBe(false);
    expect(isOverdue('2027-01-05', '2027-01-06')).toBe(true);
  });

  it('fines ¥0.10 a day past due, nothing on time or early, at most ¥20.00', () => {
    expect(lateFineFen('2026-12-01', '2026-12-01')).toBe(0);
    expect(lateFineFen('2026-12-01', '2026-11-20')).toBe(0);
    expect(lateFineFen('2026-12-01', '2026-12-02')).toBe(10);
    expect(lateFineFen('2026-02-20', '2026-03-04')).toBe(120);
    expect(lateFineFen('2026-12-01', '2027-06-19')).toBe(fineCapFen);
    expect(lateFineFen('2026-12-01', '2027-06-18')).toBe(1_990);
  });

  it('the fine never falls as the return comes later, and stays within ¥0–¥20', () => {
    fc.assert(fc.property(isoDay, isoDay, fc.integer({ min: 0, max: 400 }), (due, returned, later) => {
      const fine = lateFineFen(due, returned);
      expect(fine).toBeGreaterThanOrEqual(0);
      expect(fine).toBeLessThanOrEqual(fineCapFen);
      expect(lateFineFen(due, addDays(returned, later))).toBeGreaterThanOrEqual(fine);
    }));
  });

  it('counts days across months, leap days and years', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    fc.assert(fc.property(isoDay, fc.integer({ min: -500, max: 500 }), (day, n) => {
      expect(daysBetween(day, addDays(day, n))).toBe(n);
    }));
  });

  it('renews once, before it is overdue, never bringing the due date earlier', () => {
    expect(renewalRefusal({ dueOn: '2026-12-10', renewals: 0 }, '2026-12-10')).toBeNull();
    expect(renewalRefusal({ dueOn: '2026-12-10', renewals: 1 }, '2026-12-01')).toBe('LIBRARY_RENEWED_ALREADY');
    expect(renewalRefusal({ dueOn: '2026-12-10', renewals: 0 }, '2026-12-11')).toBe('LIBRARY_OVERDUE');
    expect(renewedDueDate('2026-12-10', '2026-12-01')).toBe('2026-12-31');
    fc.assert(fc.property(isoDay, isoDay, (due, today) => {
      const renewed = renewedDueDate(due, today);
      expect(renewed >= due).toBe(true);
      expect(renewed >= dueDateFrom(today)).toBe(true);
    }));
  });
});
