import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { academicRecordsRefusal, readFullTime, readStudyLevel, type AcademicReader } from './academic-access.js';
import { countedAttempts, courseKey, examKinds, formatDecimal, formatScore, isPassing, isReplacingKind, parseCredits, parseGradePoint, parseScore, termGpa, weightedGpa, type ExamKind, type Score, type TermAttempt } from './gpa.js';
import { currentTerm, dateOfTeachingDay, isInTerm, isMonday, isTermCode, meetsInWeek, parsePeriods, parseWeekday, parseWeeks, shownWeek, teachingWeek, termTitle } from './teaching-weeks.js';

const undergraduate: AcademicReader = { schoolStage: 'university', status: 'enrolled', studyLevel: 'undergraduate', fullTime: true };

describe('who may read 课表 and 成绩 (seed 004: 全日制本科生)', () => {
  it('an enrolled full-time undergraduate of a university or vocational college', () => {
    expect(academicRecordsRefusal(undergraduate)).toBeNull();
    expect(academicRecordsRefusal({ ...undergraduate, schoolStage: 'vocational' })).toBeNull();
  });

  it('refuses everyone else, saying why', () => {
    expect(academicRecordsRefusal({ ...undergraduate, schoolStage: 'high' })).toBe('not_campus');
    expect(academicRecordsRefusal({ ...undergraduate, status: 'graduated' })).toBe('not_enrolled');
    expect(academicRecordsRefusal({ ...undergraduate, studyLevel: 'associate' })).toBe('not_undergraduate');
    expect(academicRecordsRefusal({ ...undergraduate, studyLevel: 'postgraduate' })).toBe('not_undergraduate');
    expect(academicRecordsRefusal({ ...undergraduate, fullTime: false })).toBe('part_time');
    // Not known is not guessed.
    expect(academicRecordsRefusal({ ...undergraduate, studyLevel: null })).toBe('level_unknown');
    expect(academicRecordsRefusal({ ...undergraduate, fullTime: null })).toBe('level_unknown');
  });

  it('reads the roster’s 培养层次 and 学习形式 cells', () => {
    expect(['本科', ' 本 科 ', 'Undergraduate', '职业本科'].map(readStudyLevel)).toEqual(['undergraduate', 'undergraduate', 'undergraduate', 'undergraduate']);
    expect(['专科', '高职', '高职（专科）', '硕士', '博士研究生'].map(readStudyLevel)).toEqual(['associate', 'associate', 'associate', 'postgraduate', 'postgraduate']);
    expect(['本', '', '预科'].map(readStudyLevel)).toEqual([null, null, null]);
    expect(['全日制', '非全日制', '是', 'No', '半日制'].map(readFullTime)).toEqual([true, false, true, false, null]);
  });

  it('reads the spellings 学籍 exports use (本科生, 专升本, 本科（四年制）, 脱产, 函授 …)', () => {
    expect(['本科生', '专升本', '本科（四年制）', '本科(五年制)', '普通本科生'].map(readStudyLevel)).toEqual(['undergraduate', 'undergraduate', 'undergraduate', 'undergraduate', 'undergraduate']);
    expect(['专科生', '高职（专科）', '硕士（学术型）'].map(readStudyLevel)).toEqual(['associate', 'associate', 'postgraduate']);
    expect(['普通全日制', '脱产', '业余', '函授', '夜大'].map(readFullTime)).toEqual([true, true, false, false, false]);
  });
});

describe('teaching weeks', () => {
  const firstMonday = '2026-09-07';

  it('counts Monday-to-Sunday weeks from the term’s first Monday', () => {
    expect(isMonday(firstMonday)).toBe(true);
    expect(isMonday('2026-09-08')).toBe(false);
    expect(isMonday('2026-02-30')).toBe(false);
    expect(teachingWeek(firstMonday, '2026-09-07')).toBe(1);
    expect(teachingWeek(firstMonday, '2026-09-13')).toBe(1);
    expect(teachingWeek(firstMonday, '2026-09-14')).toBe(2);
    expect(teachingWeek(firstMonday, '2026-09-06')).toBe(0);
    expect(teachingWeek(firstMonday, '2026-08-30')).toBe(-1);
    // Across a month and the national day holiday: days are counted, not working days.
    expect(teachingWeek(firstMonday, '2026-10-05')).toBe(5);
    expect(teachingWeek(firstMonday, '2027-01-10')).toBe(18);
    expect(dateOfTeachingDay(firstMonday, 5, 1)).toBe('2026-10-05');
    expect(dateOfTeachingDay(firstMonday, 1, 7)).toBe('2026-09-13');
  });

  it('shows the current week, or the first before the term and the last after it', () => {
    expect(shownWeek(firstMonday, 18, '2026-10-07')).toBe(5);
    expect(shownWeek(firstMonday, 18, '2026-08-01')).toBe(1);
    expect(shownWeek(firstMonday, 18, '2027-03-01')).toBe(18);
    expect(isInTerm(firstMonday, 18, '2027-01-10')).toBe(true);
    expect(isInTerm(firstMonday, 18, '2027-01-11')).toBe(false);
  });

  it('property: each of a week’s seven days is in that week, and its weekday’s date is that day', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 7 }), (week, weekday) => {
      const day = dateOfTeachingDay(firstMonday, week, weekday);
      expect(teachingWeek(firstMonday, day)).toBe(week);
      expect(new Date(`${day}T00:00:00Z`).getUTCDay() || 7).toBe(weekday);
    }));
  });

  it('reads 周次: ranges, single weeks, odd and even weeks', () => {
    expect(parseWeeks('1-16')).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(parseWeeks('1-16周')).toHaveLength(16);
    expect(parseWeeks('1-15单')).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(parseWeeks('1-16(单)')).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(parseWeeks('1-16周（单）')).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(parseWeeks('2-16双')).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(parseWeeks('1-16双')).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(parseWeeks('1-8,10-16')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]);
    expect(parseWeeks('3、5，7')).toEqual([3, 5, 7]);
    expect(parseWeeks('1-4单,9-12')).toEqual([1, 3, 9, 10, 11, 12]);
    // 单 / 双 belongs to the one range it follows, also when it is written last.
    expect(parseWeeks('1-7,9-15单')).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 15]);
    expect(parseWeeks('１－８')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // full-width, as typed on a Chinese keyboard
    for (const bad of ['', '0-16', '16-1', '1-31', 'abc', '1--3', '2单', '1-16单双', ',']) expect(parseWeeks(bad), bad).toBeNull();
    // A week past the term's last is refused.
    expect(parseWeeks('1-18', 16)).toBeNull();
    expect(parseWeeks('1-16', 16)).toHaveLength(16);
  });

  it('odd-week and even-week courses meet in alternate weeks, never both', () => {
    const odd = parseWeeks('1-16单')!;
    const even = parseWeeks('1-16双')!;
    for (let week = 1; week <= 16; week++) expect(meetsInWeek(odd, week) !== meetsInWeek(even, week)).toBe(true);
    expect(meetsInWeek(odd, 17)).toBe(false);
  });

  it('reads 节次 and 星期', () => {
    expect(parsePeriods('1-2')).toEqual({ first: 1, last: 2 });
    expect(parsePeriods('第3-4节')).toEqual({ first: 3, last: 4 });
    expect(parsePeriods('7')).toEqual({ first: 7, last: 7 });
    for (const bad of ['0-2', '4-3', '1-17', 'x', '']) expect(parsePeriods(bad), bad).toBeNull();
    expect(['1', '周一', '星期三', '日', '天', 'Fri', '7'].map(parseWeekday)).toEqual([1, 1, 3, 7, 7, 5, 7]);
    for (const bad of ['0', '8', '周八', '']) expect(parseWeekday(bad), bad).toBeNull();
  });

  it('picks the current term; between terms the next one registered, else the last', () => {
    const autumn = { code: '2026-2027-1', firstMonday: '2026-09-07', weeks: 18 };
    const spring = { code: '2026-2027-2', firstMonday: '2027-02-22', weeks: 16 };
    expect(currentTerm([spring, autumn], '2026-10-01')).toBe(autumn);
    expect(currentTerm([spring, autumn], '2027-01-20')).toBe(spring);
    expect(currentTerm([spring, autumn], '2027-03-01')).toBe(spring);
    expect(currentTerm([autumn], '2027-03-01')).toBe(autumn);
    expect(currentTerm([autumn], '2026-08-01')).toBe(autumn);
    expect(currentTerm([], '2026-08-01')).toBeNull();
  });

  it('term codes and titles', () => {
    expect(isTermCode('2025-2026-1')).toBe(true);
    expect(isTermCode('2025-2027-1')).toBe(false);
    expect(isTermCode('2025-2026-4')).toBe(false);
    expect(termTitle('2025-2026-2', 'zh-CN')).toBe('2025-2026学年第二学期');
    expect(termTitle('2025-2026-1', 'en')).toBe('2025–2026 autumn term');
  });
});

const attempt = (courseName: string, credits: number, gradePoint: number | null, examKind: ExamKind = 'normal', termOrder = 0): TermAttempt => ({
  courseName, creditTenths: Math.round(credits * 10), gradePointHundredths: gradePoint === null ? null : Math.round(gradePoint * 100), examKind, termOrder,
});

describe('GPA: credit-weighted over the university’s own 绩点', () => {
  it('weights each course by its credits', () => {
    // (4.0×3 + 3.0×2 + 2.0×1) / 6 = 20/6 = 3.333…
    expect(termGpa([attempt('高等数学', 3, 4), attempt('大学英语', 2, 3), attempt('体育', 1, 2)])).toEqual({ gpa: 3.33, creditTenths: 60, courses: 3 });
    // (3.7×1.5 + 2.3×0.5) / 2 = 3.35: rounded half up, exactly.
    expect(termGpa([attempt('甲', 1.5, 3.7), attempt('乙', 0.5, 2.3)]).gpa).toBe(3.35);
    expect(termGpa([attempt('甲', 1, 3.675 as number)]).gpa).toBe(3.68);
  });

  it('rounds an exact half up: not truncated, not to even', () => {
    // (3.33×2 + 3.34×2) / 4 = 3.335 → 3.34 (truncation would say 3.33).
    expect(termGpa([attempt('甲', 2, 3.33), attempt('乙', 2, 3.34)]).gpa).toBe(3.34);
    // (3.32×2 + 3.33×2) / 4 = 3.325 → 3.33 (truncation and half-to-even would say 3.32).
    expect(termGpa([attempt('甲', 2, 3.32), attempt('乙', 2, 3.33)]).gpa).toBe(3.33);
    // Just under a half stays down.
    expect(termGpa([attempt('甲', 3, 3.32), attempt('乙', 1, 3.33)]).gpa).toBe(3.32);
  });

  it('a 补考 or 重修 replaces the earlier attempt of its course; the failed 0 no longer counts', () => {
    const failed = attempt('高等数学', 4, 0, 'normal', 0);
    const makeup = attempt('高等数学', 4, 1, 'makeup', 0);
    const other = attempt('大学英语', 2, 4, 'normal', 0);
    // In one term: (1.0×4 + 4.0×2) / 6 = 2.0, not (0×4 + 1×4 + 4×2) / 10.
    expect(termGpa([failed, makeup, other])).toEqual({ gpa: 2, creditTenths: 60, courses: 2 });
    // 重修 in a later term: the term it was failed in keeps its 0; overall counts the retake.
    const retake = attempt('高等数学', 4, 3, 'retake', 1);
    expect(termGpa([failed, other]).gpa).toBe(1.33);
    expect(weightedGpa([failed, other, retake])).toEqual({ gpa: 3.33, creditTenths: 60, courses: 2 });
    expect(countedAttempts([failed, makeup, other, retake])).toEqual([retake, other]);
  });

  it('a course of one name taken every term (形势与政策, 体育) counts every term: a later normal attempt adds, never replaces', () => {
    const policy1 = attempt('形势与政策', 1, 4, 'normal', 0);
    const policy2 = attempt('形势与政策', 1, 2, 'normal', 1);
    const maths = attempt('高数', 4, 3, 'normal', 0);
    // (4×1 + 2×1 + 3×4) / 6 = 3.0 over 3 attempts.
    expect(weightedGpa([policy1, policy2, maths])).toEqual({ gpa: 3, creditTenths: 60, courses: 3 });
    expect(countedAttempts([policy2, policy1, maths])).toEqual(expect.arrayContaining([policy1, policy2, maths]));
    // A 补考 in term 1 replaces term 1's failed attempt only up to then; term 2's is added after it.
    const pe1 = attempt('体育', 1, 0, 'normal', 0);
    const pe1makeup = attempt('体育', 1, 1, 'makeup', 0);
    const pe2 = attempt('体育', 1, 3, 'normal', 1);
    expect(countedAttempts([pe1, pe1makeup, pe2])).toEqual([pe1makeup, pe2]);
    // A 重修 without a 课程号 replaces one earlier attempt of the name (here none failed: the latest), not every term's.
    const retake = attempt('体育', 1, 4, 'retake', 2);
    expect(countedAttempts([pe1, pe1makeup, pe2, retake])).toEqual([pe1makeup, retake]);
  });

  it('a 重修 without a 课程号 replaces the latest failed attempt of its name only: the other terms’ 形势与政策 still count', () => {
    const scored = (gradePoint: number, score: string, examKind: ExamKind, termOrder: number) => ({ ...attempt('形势与政策', 1, gradePoint, examKind, termOrder), score: parseScore(score)! });
    const passed1 = scored(4, '90', 'normal', 0);
    const failed2 = scored(0, '52', 'normal', 1);
    const passed3 = scored(3, '80', 'normal', 2);
    const retake = scored(3.5, '85', 'retake', 3);
    // Term 2's fail is what the 重修 retakes; terms 1 and 3 still count (the old rule kept the 重修 alone).
    expect(countedAttempts([passed1, failed2, passed3, retake])).toEqual([passed1, passed3, retake]);
    // (4 + 3 + 3.5) / 3 = 3.5
    expect(weightedGpa([passed1, failed2, passed3, retake]).gpa).toBe(3.5);
    // A chain: term 2's 正常 failed, its 补考 failed too, then the 重修 replaces that 补考; term 1's pass stays.
    const makeupFailed2 = scored(0, '40', 'makeup', 1);
    expect(countedAttempts([passed1, failed2, makeupFailed2, retake])).toEqual([passed1, retake]);
    // Two fails: the latest is retaken, the earlier one still counts until its own 重修.
    const failed1 = scored(0, '30', 'normal', 0);
    expect(countedAttempts([failed1, failed2, retake])).toEqual([failed1, retake]);
    // With a 课程号 the course is known: its 重修 replaces every earlier attempt of that code.
    const coded = [passed1, failed2, retake].map((a) => ({ ...a, courseCode: 'SZ001' }));
    expect(countedAttempts(coded)).toEqual([coded[2]]);
  });

  it('keys on the 课程号 when given: two courses of one name are two courses; one code under two names is one', () => {
    const labA = { ...attempt('专业实习', 2, 3, 'normal', 0), courseCode: 'PR101' };
    const labB = { ...attempt('专业实习', 2, 4, 'normal', 0), courseCode: 'PR102' };
    expect(termGpa([labA, labB])).toEqual({ gpa: 3.5, creditTenths: 40, courses: 2 });
    const failed = { ...attempt('大学物理', 3, 0, 'normal', 0), courseCode: 'PH100' };
    const renamed = { ...attempt('大学物理(上)', 3, 2, 'retake', 1), courseCode: 'PH100' };
    expect(countedAttempts([failed, renamed])).toEqual([renamed]);
    // A 重修 of PR101 leaves PR102 alone, though their names are the same.
    const retakeA = { ...attempt('专业实习', 2, 2, 'retake', 1), courseCode: 'PR101' };
    expect(countedAttempts([labA, labB, retakeA])).toEqual([retakeA, labB]);
    expect(courseKey({ courseName: '甲', courseCode: null })).not.toBe(courseKey({ courseName: '甲', courseCode: '甲' }));
  });

  it('缺考 counts with the university’s 绩点; 缓考 and 免修 never count nor replace; 通过 has no 绩点', () => {
    const scored = (courseName: string, credits: number, gradePoint: number | null, score: string, examKind: ExamKind = 'normal', termOrder = 0) => ({ ...attempt(courseName, credits, gradePoint, examKind, termOrder), score: parseScore(score)! });
    const absent = scored('高数', 4, 0, '缺考');
    const english = scored('英语', 2, 4, '90');
    // (0×4 + 4×2) / 6 = 1.33: absent is a fail at 0.
    expect(termGpa([absent, english]).gpa).toBe(1.33);
    // Deferred and exempted: out, even with a 绩点 sent; a deferred 补考 does not replace the failed attempt.
    const deferredMakeup = scored('高数', 4, 4, '缓考', 'makeup');
    expect(termGpa([absent, deferredMakeup, english]).gpa).toBe(1.33);
    expect(countedAttempts([absent, deferredMakeup, english])).toEqual([absent, english]);
    expect(termGpa([scored('军训', 2, 4, '免修'), english])).toEqual({ gpa: 4, creditTenths: 20, courses: 1 });
    // 通过 without a 绩点: passed, outside the GPA.
    expect(termGpa([scored('劳动教育', 1, null, '通过'), english])).toEqual({ gpa: 4, creditTenths: 20, courses: 1 });
  });

  it('in one term 重修 comes after 补考, which comes after 正常, whatever the order given', () => {
    const normal = attempt('线性代数', 3, 0, 'normal');
    const makeup = attempt('线性代数', 3, 1, 'makeup');
    const retake = attempt('线性代数', 3, 2.7, 'retake');
    expect(termGpa([retake, normal, makeup]).gpa).toBe(2.7);
    expect(termGpa([makeup, normal]).gpa).toBe(1);
    // 补考二 after 补考; 重修补考 after 重修; 重修二 last.
    expect(termGpa([attempt('线性代数', 3, 1.3, 'makeup2'), makeup, normal]).gpa).toBe(1.3);
    expect(termGpa([attempt('线性代数', 3, 1.7, 'retake_makeup'), retake, makeup]).gpa).toBe(1.7);
    expect(termGpa([attempt('线性代数', 3, 3, 'retake2'), attempt('线性代数', 3, 1.7, 'retake_makeup'), retake]).gpa).toBe(3);
  });

  it('leaves out attempts without 绩点 or credits; nothing counted is no GPA, not 0', () => {
    expect(termGpa([attempt('形势与政策', 0, 4), attempt('军事训练', 2, null)])).toEqual({ gpa: null, creditTenths: 0, courses: 0 });
    expect(termGpa([]).gpa).toBeNull();
    expect(termGpa([attempt('军事训练', 2, null), attempt('钢琴', 2, 3.5)]).gpa).toBe(3.5);
  });

  it('property: the GPA lies between the lowest and highest counted grade point', () => {
    const arb = fc.array(fc.record({
      courseName: fc.constantFrom('甲', '乙', '丙', '丁'), creditTenths: fc.integer({ min: 0, max: 100 }), gradePointHundredths: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
      examKind: fc.constantFrom<ExamKind>(...examKinds), termOrder: fc.integer({ min: 0, max: 3 }),
    }), { maxLength: 12 });
    fc.assert(fc.property(arb, (attempts) => {
      const counted = countedAttempts(attempts).filter((a) => a.gradePointHundredths !== null && a.creditTenths > 0);
      const { gpa } = weightedGpa(attempts);
      if (counted.length === 0) {
        expect(gpa).toBeNull();
        return;
      }
      const points = counted.map((a) => a.gradePointHundredths! / 100);
      expect(gpa!).toBeGreaterThanOrEqual(Math.min(...points));
      expect(gpa!).toBeLessThanOrEqual(Math.max(...points));
      // Per name (no 课程号, no scores), in the order sat: a normal attempt adds; a 补考 / 重修 takes the place of the latest one held.
      for (const name of new Set(attempts.map((a) => a.courseName))) {
        const own = attempts.map((a, i) => ({ a, i })).filter((x) => x.a.courseName === name)
          .sort((x, y) => x.a.termOrder - y.a.termOrder || examKinds.indexOf(x.a.examKind) - examKinds.indexOf(y.a.examKind) || x.i - y.i);
        const expected: TermAttempt[] = [];
        for (const { a } of own) {
          if (isReplacingKind(a.examKind)) expected.pop();
          expected.push(a);
        }
        expect(countedAttempts(attempts).filter((a) => a.courseName === name)).toEqual(expected);
      }
    }));
  });
});

describe('scores, credits and grade points as the 教务系统 writes them', () => {
  it('reads numeric scores and 等级', () => {
    expect(parseScore('92')).toEqual({ kind: 'numeric', tenths: 920 });
    expect(parseScore('87.5')).toEqual({ kind: 'numeric', tenths: 875 });
    expect(parseScore('100')).toEqual({ kind: 'numeric', tenths: 1000 });
    expect(parseScore('优秀')).toEqual({ kind: 'letter', grade: '优' });
    expect(parseScore('不及格')).toEqual({ kind: 'letter', grade: '不及格' });
    for (const bad of ['101', '87.55', '-1', 'A', '', '优良', '迟考']) expect(parseScore(bad), bad).toBeNull();
    // Marks real 教务 exports carry instead of a score.
    expect(['缺考', '缓考', '免修', '通过', '不通过', 'P', 'f', 'Pass'].map((s) => formatScore(parseScore(s)!))).toEqual(['缺考', '缓考', '免修', '通过', '不通过', '通过', '不通过', '通过']);
    const passes = (s: string) => isPassing(parseScore(s) as Score);
    expect(['通过', '免修', 'P'].map(passes)).toEqual([true, true, true]);
    expect(['缺考', '缓考', '不通过', 'F'].map(passes)).toEqual([false, false, false, false]);
    expect(isPassing(parseScore('60')!)).toBe(true);
    expect(isPassing(parseScore('59.9')!)).toBe(false);
    expect(isPassing(parseScore('及格')!)).toBe(true);
    expect(isPassing(parseScore('不及格')!)).toBe(false);
  });

  it('reads 学分 (one decimal, up to 30) and 绩点 (two decimals, up to 5)', () => {
    expect(['3', '1.5', '0.50', '30'].map(parseCredits)).toEqual([30, 15, 5, 300]);
    for (const bad of ['1.25', '31', '-1', 'x', '']) expect(parseCredits(bad), bad).toBeNull();
    expect(['4', '3.7', '4.33', '0', '5.00'].map(parseGradePoint)).toEqual([400, 370, 433, 0, 500]);
    for (const bad of ['5.01', '3.333', 'A', '']) expect(parseGradePoint(bad), bad).toBeNull();
    expect(formatDecimal(15, 1)).toBe('1.5');
    expect(formatDecimal(30, 1)).toBe('3');
    expect(formatDecimal(433, 2)).toBe('4.33');
  });
});
