import { describe, expect, it } from 'vitest';
import { categoryOf, graduationDate, stageLabels } from './card-face.js';

describe('card face', () => {
  it('is valid until 31 August of the year the student leaves the stage', () => {
    expect(graduationDate('middle', null, '2026-11-23')).toBe('2029-08-31'); // first year of middle school
    expect(graduationDate('middle', 9, '2026-11-23')).toBe('2027-08-31'); // grade counted from primary 1
    expect(graduationDate('middle', 3, '2026-11-23')).toBe('2027-08-31'); // grade counted within the stage
    expect(graduationDate('primary', 1, '2026-03-01')).toBe('2031-08-31'); // spring term: the school year ends this summer
    expect(graduationDate('high', 12, '2026-06-30')).toBe('2026-08-31');
  });

  it('names the category 1/2/3 by stage, and says what each means', () => {
    expect([categoryOf('primary'), categoryOf('middle'), categoryOf('high')]).toEqual(['1', '2', '3']);
    expect([stageLabels.primary.zh, stageLabels.middle.en, stageLabels.high.zh]).toEqual(['小学', 'Middle school', '高中']);
  });
});
