import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, extendedValidUntil, graduationDate, isInWindow, schoolYearOf } from '../../src/modules/card-services/extension-rules.js';

describe('the K-12 extension validity rule', () => {
  it('adds a year, 29 February becoming 28 February in a common year', () => {
    expect(addYears('2026-10-31', 1)).toBe('2027-10-31');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2027-02-28', 1)).toBe('2028-02-28');
  });

  it('windows include both ends', () => {
    const w = { year: 2026, startsOn: '2026-10-01', endsOn: '2026-10-31' };
    expect(['2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01'].map((d) => isInWindow(w, d))).toEqual([false, true, true, false]);
  });

  it('a school year starts on 1 September', () => {
    expect(schoolYearOf('2026-08-31')).toBe(2025);
    expect(schoolYearOf('2026-09-01')).toBe(2026);
  });

  it('graduation is 31 August after the stage’s last grade', () => {
    expect(graduationDate('middle', 9, '2026-10-15')).toBe('2027-08-31');
    expect(graduationDate('middle', 7, '2026-10-15')).toBe('2029-08-31');
    expect(graduationDate('primary', 6, '2027-03-01')).toBe('2027-08-31');
    expect(graduationDate('high', 10, '2026-10-15')).toBe('2029-08-31');
    expect(graduationDate('university', 2, '2026-10-15')).toBeNull();
    expect(graduationDate('middle', null, '2026-10-15')).toBeNull();
  });

  it('extends to the window’s end a year on, never past graduation', () => {
    const w = { year: 2026, startsOn: '2026-10-01', endsOn: '2026-10-31' };
    expect(extendedValidUntil(w, null)).toBe('2027-10-31');
    expect(extendedValidUntil(w, '2027-08-31')).toBe('2027-08-31');
    expect(extendedValidUntil(w, '2029-08-31')).toBe('2027-10-31');
    fc.assert(fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('primary', 'middle', 'high'), (year, grade, stage) => {
      const today = `${year}-10-15`;
      const grad = graduationDate(stage, grade, today);
      const to = extendedValidUntil({ year, startsOn: `${year}-10-01`, endsOn: `${year}-10-31` }, grad);
      expect(to > today).toBe(true);
      if (grad) expect(to <= grad).toBe(true);
    }));
  });
});
