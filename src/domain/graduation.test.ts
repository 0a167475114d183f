import { describe, expect, it } from 'vitest';
import { graduationDate } from './graduation.js';

describe('graduationDate', () => {
  it('reads a grade counted from primary 1', () => {
    expect(graduationDate('middle', 9, '2026-10-15')).toBe('2027-08-31');
    expect(graduationDate('middle', 7, '2026-10-15')).toBe('2029-08-31');
    expect(graduationDate('high', 12, '2026-10-15')).toBe('2027-08-31');
    expect(graduationDate('primary', 6, '2027-03-01')).toBe('2027-08-31');
  });

  it('reads a grade counted within the stage (初三 = 3, 高三 = 3) as the same year', () => {
    expect(graduationDate('middle', 3, '2026-10-15')).toBe(graduationDate('middle', 9, '2026-10-15'));
    expect(graduationDate('high', 3, '2026-10-15')).toBe('2027-08-31');
    expect(graduationDate('high', 1, '2026-10-15')).toBe('2029-08-31');
  });

  it('turns the school year on 1 September', () => {
    expect(graduationDate('high', 12, '2027-08-31')).toBe('2027-08-31');
    expect(graduationDate('high', 12, '2027-09-01')).toBe('2028-08-31');
  });

  it('never dates a grade past the stage before this school year ends', () => {
    expect(graduationDate('primary', 8, '2026-10-15')).toBe('2027-08-31');
  });
});
