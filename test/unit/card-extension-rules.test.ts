import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, extendedValidUntil, graduationDate, isInWindow, isYearlyExtended, schoolYearOf, validUntilOnIssue } from '../../src/modules/card-services/extension-rules.js';

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
    // A class counted within the stage (高三 = 3) graduates when the card face says, not nine years on.
    expect(graduationDate('high', 3, '2026-10-15')).toBe('2027-08-31');
    expect(validUntilOnIssue('2026-10-10', [{ year: 2026, startsOn: '2026-10-01', endsOn: '2026-10-31' }], graduationDate('high', 3, '2026-10-10'))).toBe('2027-08-31');
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

  describe('a new card’s validity: what an extension made on its issue day would give', () => {
    const windows = [{ year: 2026, startsOn: '2026-09-20', endsOn: '2026-10-31' }];

    it('issued inside a window: the window’s end a year later, as an extension there', () => {
      expect(validUntilOnIssue('2026-09-20', windows, null)).toBe('2027-10-31');
      expect(validUntilOnIssue('2026-10-31', windows, '2029-08-31')).toBe('2027-10-31');
      expect(validUntilOnIssue('2026-10-15', windows, null)).toBe(extendedValidUntil(windows[0]!, null));
    });

    it('issued before the year’s window: valid until it closes, and extended in it', () => {
      expect(validUntilOnIssue('2026-09-19', windows, null)).toBe('2026-10-31');
      expect(validUntilOnIssue('2026-03-01', windows, '2029-08-31')).toBe('2026-10-31');
    });

    it('issued the day after a window closes: until the next year’s window ends (its usual October one while not set)', () => {
      expect(validUntilOnIssue('2026-11-01', windows, null)).toBe('2027-10-31');
      expect(validUntilOnIssue('2026-11-01', [...windows, { year: 2027, startsOn: '2027-09-15', endsOn: '2027-10-20' }], null)).toBe('2027-10-20');
      expect(validUntilOnIssue('2026-12-31', windows, null)).toBe('2027-10-31');
    });

    it('a year without a set window has October’s', () => {
      expect(validUntilOnIssue('2028-09-30', [], null)).toBe('2028-10-31');
      expect(validUntilOnIssue('2028-10-01', [], null)).toBe('2029-10-31');
    });

    it('never past graduation: a graduate-to-be whose graduation comes first gets the graduation date', () => {
      // Grade 9 in 2026/27: graduation 2027-08-31 comes before the next window's end.
      const graduation = graduationDate('middle', 9, '2026-11-01');
      expect(graduation).toBe('2027-08-31');
      expect(validUntilOnIssue('2026-11-01', windows, graduation)).toBe('2027-08-31');
      expect(validUntilOnIssue('2026-10-01', windows, graduation)).toBe('2027-08-31');
      // Grade 6 in the spring: primary ends 2027-08-31, before that year's window.
      expect(validUntilOnIssue('2027-03-01', [], graduationDate('primary', 6, '2027-03-01'))).toBe('2027-08-31');
    });

    it('is always after the issue day, within graduation, and no later than an extension made that day', () => {
      fc.assert(fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 365 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('primary', 'middle', 'high'), (year, dayOfYear, grade, stage) => {
        const issuedOn = new Date(Date.UTC(year, 0, dayOfYear)).toISOString().slice(0, 10);
        const grad = graduationDate(stage, grade, issuedOn);
        const to = validUntilOnIssue(issuedOn, [], grad);
        expect(to >= issuedOn).toBe(true);
        if (grad) expect(to <= grad).toBe(true);
        expect(to <= `${Number(issuedOn.slice(0, 4)) + 1}-10-31`).toBe(true);
      }));
    });

    it('dates only the cards the yearly extension renews (a sticker and a university e-card are not)', () => {
      expect(['k12_card', 'k12_ecard', 'k12_sticker', 'university_ecard', 'campus_card'].map(isYearlyExtended)).toEqual([true, true, false, false, false]);
    });
  });
});
