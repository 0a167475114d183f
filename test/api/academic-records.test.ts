import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * 课表查询 and 成绩查询 (seed 004: 全日制本科生可通过校园卡APP中"课表查询"、"成绩查询"…): the
 * university's 教务系统 pushes each term's timetable and grades (JSON through the OpenAPI, or a
 * CSV in the console), replacing the term's whole; a full-time undergraduate reads their own.
 */

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
// Wednesday of teaching week 3 of a term that began on Monday 7 September 2026 (Beijing).
beforeEach(() => t.clock.set('2026-09-23T02:00:00Z'));

const auth = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
const key = () => ({ 'idempotency-key': `academic-${Math.random()}` });

async function university(stage: 'university' | 'vocational' | 'high' = 'university') {
  const school = await t.factory.newSchool({ stage, name: `教务大学${++n}` });
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  return { school, managerToken: await t.factory.loginAs('staff', manager.username, manager.password) };
}

type Level = 'associate' | 'undergraduate' | 'postgraduate' | null;
/** A student of the school with a student number, signed in (on the education-ID login). */
async function student(schoolId: string, level: Level = 'undergraduate', fullTime: boolean | null = true) {
  const s = await t.factory.newStudent({ schoolId, name: '教务学生' });
  const studentNo = `2026${String(++n).padStart(6, '0')}`;
  await t.ctx.db.updateTable('students').set({ student_no: studentNo, study_level: level, full_time: fullTime }).where('id', '=', s.id).execute();
  return { ...s, studentNo, token: await t.factory.loginAs('student', s.education_id, s.password) };
}

const put = (token: string, url: string, payload: unknown, headers: Record<string, string> = key()) =>
  t.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: auth(token, headers), payload: payload as Record<string, unknown> });
const get = (token: string, url: string) => t.app.inject({ url: `/api/v1${url}`, headers: auth(token) });
const putFile = (token: string, url: string, csv: string) =>
  t.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: auth(token, { ...key(), 'content-type': 'text/csv' }), payload: csv });
const term = (token: string, code = '2026-2027-1', body: unknown = { firstMonday: '2026-09-07', weeks: 18 }) => put(token, `/admin/academic/terms/${code}`, body);

const course = (studentNo: string, extra: Record<string, unknown> = {}) => ({ studentNo, courseName: '高等数学A', teacher: '李明', location: '一教101', weekday: 1, periods: '1-2', weeks: '1-16', ...extra });
const grade = (studentNo: string, extra: Record<string, unknown> = {}) => ({ studentNo, courseName: '高等数学A', credits: 4, score: 92, gradePoint: 4, examKind: 'normal', ...extra });

interface Timetable { today: string; term: { code: string; firstMonday: string; weeks: number } | null; currentWeek: number | null; published: boolean; terms: { code: string }[]; entries: { courseName: string; weekday: number; firstPeriod: number; lastPeriod: number; weeks: number[]; weeksText: string; teacher: string | null; location: string | null }[] }
interface Grades { terms: { code: string; summary: { gpa: number | null; credits: number; courses: number }; records: { courseCode: string | null; courseName: string; credits: number; score: string; scoreKind: string; passed: boolean; gradePoint: number | null; examKind: string; countsOverall: boolean }[] }[]; overall: { gpa: number | null; credits: number; courses: number } }

describe('the 教务系统 uploads a term', () => {
  it('registers a term, replaces its timetable whole, and the student sees the current week’s classes', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    const b = await student(school.id);
    expect((await term(managerToken)).json()).toEqual({ code: '2026-2027-1', firstMonday: '2026-09-07', weeks: 18, lastDay: '2027-01-10' });

    const first = await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', {
      courses: [course(a.studentNo), course(a.studentNo, { courseName: '大学英语', weekday: '周三', periods: '3-4节', weeks: '1-15单', teacher: null, location: null }), course(b.studentNo, { courseName: '线性代数', weekday: 2 })],
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ termCode: '2026-2027-1', kind: 'timetable', rows: 3, students: 2, changed: true });

    const mine = (await get(a.token, '/campus/timetable')).json() as Timetable;
    expect(mine).toMatchObject({ today: '2026-09-23', term: { code: '2026-2027-1' }, currentWeek: 3, published: true });
    expect(mine.entries).toEqual([
      { courseName: '高等数学A', teacher: '李明', location: '一教101', weekday: 1, firstPeriod: 1, lastPeriod: 2, weeks: Array.from({ length: 16 }, (_, i) => i + 1), weeksText: '1-16' },
      { courseName: '大学英语', teacher: null, location: null, weekday: 3, firstPeriod: 3, lastPeriod: 4, weeks: [1, 3, 5, 7, 9, 11, 13, 15], weeksText: '1-15单' },
    ]);

    // A second upload replaces the first: 高等数学A gone, only what it says is there.
    const second = await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo, { courseName: '概率论', weekday: 4, weeks: '2-16双' })] });
    expect(second.json()).toMatchObject({ rows: 1, students: 1, changed: true });
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable).entries.map((e) => [e.courseName, e.weeks])).toEqual([['概率论', [2, 4, 6, 8, 10, 12, 14, 16]]]);
    expect(((await get(b.token, '/campus/timetable')).json() as Timetable).entries).toEqual([]);

    // The same again (without a key, rows in another order) rewrites nothing; still audited.
    const repeat = await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo, { courseName: '概率论', weekday: 4, weeks: '2-16双' })] }, {});
    expect(repeat.json()).toMatchObject({ rows: 1, changed: false });
    const audits = await t.ctx.db.selectFrom('audit_log').select(['action', 'after', 'actor_role']).where('entity_id', '=', school.id).where('action', 'like', 'academic.%').orderBy('at').orderBy('id').execute();
    expect(audits.map((r) => [r.action, (r.after as { changed?: boolean }).changed])).toEqual([
      ['academic.term.saved', undefined], ['academic.timetable.uploaded', true], ['academic.timetable.uploaded', true], ['academic.timetable.uploaded', false],
    ]);
    expect(audits.every((r) => r.actor_role === 'school_admin')).toBe(true);
  });

  it('refuses a file with bad rows whole, every bad row reported; the stored timetable stays', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken, '2026-2027-1', { firstMonday: '2026-09-07', weeks: 16 });
    await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo)] });

    const bad = await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', {
      courses: [
        course(a.studentNo, { courseName: '好的一行' }),
        course(a.studentNo, { weeks: '1-18' }), // past the term's 16 weeks
        course(a.studentNo, { weekday: 8, periods: '5-3' }),
        course('9999999999', { courseName: '无此学生' }),
        course(a.studentNo, { courseName: '好的一行' }), // the first row again
        course(a.studentNo, { courseName: '' }),
      ],
    });
    expect(bad.statusCode).toBe(422);
    const body = bad.json() as { error: { code: string; message: string; messageEn: string; details: { problems: { row: number; field: string; code: string; message: string; messageEn: string }[]; problemCount: number } } };
    expect(body.error).toMatchObject({ code: 'ACADEMIC_UPLOAD_INVALID', message: '有错误的行，本次上传未写入任何数据；请按提示修改后重新上传' });
    expect(body.error.details.problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [2, 'weeks', 'WEEKS_FORMAT'], [3, 'weekday', 'WEEKDAY_FORMAT'], [3, 'periods', 'PERIODS_FORMAT'], [4, 'studentNo', 'STUDENT_UNKNOWN'], [5, 'courseName', 'ROW_DUPLICATE'], [6, 'courseName', 'FIELD_REQUIRED'],
    ]);
    expect(body.error.details.problems.every((p) => p.message.length > 0 && p.messageEn.length > 0)).toBe(true);
    expect(body.error.details.problems[4]!.message).toBe('与第 1 行重复');
    // Nothing half-written: the earlier upload is all there is.
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable).entries.map((e) => e.courseName)).toEqual(['高等数学A']);

    // A term cannot shrink below the weeks its timetable uses; nor be registered on a Tuesday or with a wrong code.
    expect((await term(managerToken, '2026-2027-1', { firstMonday: '2026-09-07', weeks: 12 })).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_WEEKS_IN_USE', details: { lastWeekUsed: 16 } } });
    expect((await term(managerToken, '2026-2027-2', { firstMonday: '2027-02-23', weeks: 16 })).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_INVALID' } });
    expect((await term(managerToken, '2026-2028-1')).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_INVALID' } });
    expect((await put(managerToken, '/admin/academic/terms/2030-2031-1/timetable', { courses: [] })).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_UNKNOWN' } });
  });

  it('takes a CSV from the console (GBK or UTF-8, the bill file’s reader), with the same per-row report', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken);
    const csv = ['2026-2027学年第一学期课表', '学号,课程名称,任课教师,上课地点,星期,节次,周次', `${a.studentNo},中国音乐史,王芳,音乐楼201,周二,5-6,1-16周`, `${a.studentNo},和声学,赵强,音乐楼305,5,1-2,2-16双`].join('\n');
    const done = await putFile(managerToken, '/admin/academic/terms/2026-2027-1/timetable/file', csv);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ rows: 2, students: 1, changed: true });
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable).entries.map((e) => [e.courseName, e.weekday, e.weeksText])).toEqual([['中国音乐史', 2, '1-16周'], ['和声学', 5, '2-16双']]);

    const grades = ['学号,课程,学分,成绩,绩点,考试性质', `${a.studentNo},中国音乐史,2,优,4.0,正常`, `${a.studentNo},和声学,3,101,4,正常`, `${a.studentNo},和声学,3,55,0,期末`].join('\n');
    const refused = await putFile(managerToken, '/admin/academic/terms/2026-2027-1/grades/file', grades);
    expect(refused.statusCode).toBe(422);
    // Rows as Excel numbers them (the header is row 1).
    expect((refused.json() as { error: { details: { problems: { row: number; field: string; code: string }[] } } }).error.details.problems.map((p) => [p.row, p.field, p.code])).toEqual([[3, 'score', 'SCORE_FORMAT'], [4, 'examKind', 'EXAM_KIND_FORMAT']]);
    const missing = await putFile(managerToken, '/admin/academic/terms/2026-2027-1/grades/file', '学号,课程,成绩\n1,2,3');
    expect(missing.json()).toMatchObject({ error: { code: 'ACADEMIC_FILE_COLUMNS', details: { missing: ['credits', 'gradePoint'] } } });

    // Another university's card manager acts for their own university whatever they name (which has no such term); a K-12 school has no timetables.
    const other = await university();
    expect((await put(other.managerToken, `/admin/academic/terms/2026-2027-1/timetable?schoolId=${school.id}`, { courses: [] })).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_UNKNOWN' } });
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable).entries).toHaveLength(2);
    const k12 = await university('high');
    expect((await term(k12.managerToken)).json()).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY' } });
    // An operator naming a K-12 school: it has no terms.
    const operatorForK12 = await t.factory.operatorToken();
    expect((await put(operatorForK12, `/admin/academic/terms/2026-2027-1?schoolId=${k12.school.id}`, { firstMonday: '2026-09-07', weeks: 18 })).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_INVALID' } });
    const operator = await t.factory.operatorToken();
    expect((await term(operator)).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_REQUIRED' } });
    const listed = (await get(operator, `/admin/academic/terms?schoolId=${school.id}`)).json() as { items: { code: string; timetableRows: number; timetableStudents: number; gradeRows: number }[] };
    expect(listed.items).toEqual([expect.objectContaining({ code: '2026-2027-1', timetableRows: 2, timetableStudents: 1, gradeRows: 0 })]);
  });
});

describe('grades and the GPA over the university’s 绩点', () => {
  it('shows each term’s grades with its credit-weighted GPA; a 补考 or 重修 replaces the earlier attempt in the overall GPA', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken, '2025-2026-1', { firstMonday: '2025-09-08', weeks: 18 });
    await term(managerToken, '2025-2026-2', { firstMonday: '2026-03-02', weeks: 16 });
    const autumn = await put(managerToken, '/admin/academic/terms/2025-2026-1/grades', {
      grades: [
        grade(a.studentNo, { courseName: '高等数学A', credits: 4, score: 52, gradePoint: 0 }),
        grade(a.studentNo, { courseName: '高等数学A', credits: 4, score: 61, gradePoint: 1, examKind: 'makeup' }),
        grade(a.studentNo, { courseName: '大学英语', credits: 2, score: '良', gradePoint: '3.0' }),
        grade(a.studentNo, { courseName: '军事训练', credits: 2, score: '优', gradePoint: null }),
      ],
    });
    expect(autumn.statusCode, autumn.body).toBe(200);
    await put(managerToken, '/admin/academic/terms/2025-2026-2/grades', {
      grades: [
        grade(a.studentNo, { courseName: '线性代数', credits: 3, score: 45, gradePoint: 0 }),
        grade(a.studentNo, { courseName: '大学英语', credits: 2, score: 90, gradePoint: 4, examKind: 'retake' }),
        grade(a.studentNo, { courseName: '体育', credits: 1.5, score: 87.5, gradePoint: 3.7 }),
      ],
    });

    const mine = (await get(a.token, '/campus/grades')).json() as Grades;
    expect(mine.terms.map((term) => term.code)).toEqual(['2025-2026-2', '2025-2026-1']);
    const [spring, first] = mine.terms;
    // Autumn: the makeup replaces the failed 高等数学A; 军事训练 has no 绩点: (1×4 + 3×2) / 6 = 1.67.
    expect(first!.summary).toEqual({ gpa: 1.67, credits: 6, courses: 2 });
    // A course's attempts in the order they were sat, though uploaded makeup-first would read the same.
    expect(first!.records.filter((r) => r.courseName === '高等数学A').map((r) => r.examKind)).toEqual(['normal', 'makeup']);
    expect(first!.records.find((r) => r.courseName === '高等数学A' && r.examKind === 'normal')).toMatchObject({ score: '52', passed: false, gradePoint: 0, countsOverall: false });
    expect(first!.records.find((r) => r.courseName === '军事训练')).toMatchObject({ score: '优', passed: true, gradePoint: null, countsOverall: true });
    // Spring: (0×3 + 4×2 + 3.7×1.5) / 6.5 = 13.55 / 6.5 = 2.0846…
    expect(spring!.summary).toEqual({ gpa: 2.08, credits: 6.5, courses: 3 });
    expect(spring!.records.find((r) => r.courseName === '体育')).toMatchObject({ credits: 1.5, score: '87.5' });
    // Overall: 高等数学A (makeup, 1×4), 大学英语 (the spring retake, 4×2), 线性代数 0×3, 体育 3.7×1.5 → 17.55 / 10.5 = 1.671…
    expect(mine.overall).toEqual({ gpa: 1.67, credits: 10.5, courses: 4 });
    expect(first!.records.find((r) => r.courseName === '大学英语')!.countsOverall).toBe(false);
  });

  it('refuses a second grade of the same course and exam kind in one upload', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken);
    const dup = await put(managerToken, '/admin/academic/terms/2026-2027-1/grades', { grades: [grade(a.studentNo), grade(a.studentNo, { score: 80, gradePoint: 3 }), grade(a.studentNo, { credits: 1.25 })] });
    expect(dup.json()).toMatchObject({ error: { code: 'ACADEMIC_UPLOAD_INVALID', details: { problemCount: 2 } } });
    expect((dup.json() as { error: { details: { problems: { row: number; code: string }[] } } }).error.details.problems.map((p) => [p.row, p.code])).toEqual([[2, 'ROW_DUPLICATE'], [3, 'CREDITS_FORMAT']]);
    expect(((await get(a.token, '/campus/grades')).json() as Grades).terms).toEqual([]);
  });
});

describe('who may read them', () => {
  it('only full-time undergraduates; others get ACADEMIC_UNDERGRADUATES_ONLY with the reason', async () => {
    const { school } = await university();
    const vocational = await university('vocational');
    const cases: [Promise<{ token: string }>, string | null][] = [
      [student(school.id, 'undergraduate', true), null],
      [student(vocational.school.id, 'undergraduate', true), null],
      [student(school.id, 'postgraduate', true), 'not_undergraduate'],
      [student(vocational.school.id, 'associate', true), 'not_undergraduate'],
      [student(school.id, 'undergraduate', false), 'part_time'],
      [student(school.id, null, null), 'level_unknown'],
      [student((await university('high')).school.id, 'undergraduate', true), 'not_campus'],
    ];
    for (const [made, reason] of cases) {
      const { token } = await made;
      for (const url of ['/campus/timetable', '/campus/grades']) {
        const res = await get(token, url);
        if (reason === null) expect(res.statusCode, res.body).toBe(200);
        else {
          expect(res.statusCode).toBe(403);
          expect(res.json()).toEqual({ error: { code: 'ACADEMIC_UNDERGRADUATES_ONLY', message: expect.stringContaining('仅面向全日制本科生'), messageEn: expect.stringContaining('full-time undergraduates only'), details: { reason } } });
        }
      }
    }
    // The card manager sets them on the student's page; /me tells the app whether to show the entries.
    const later = await student(school.id, null, null);
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerOfSchool = await t.factory.loginAs('staff', manager.username, manager.password);
    const me = async () => ((await get(later.token, '/me')).json() as { academicRecords: boolean }).academicRecords;
    expect(await me()).toBe(false);
    const patch = (id: string, payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${id}`, headers: auth(managerOfSchool, key()), payload });
    expect((await patch(later.id, { studyLevel: 'undergraduate', fullTime: true })).statusCode).toBe(200);
    expect(await me()).toBe(true);
    expect((await get(later.token, '/campus/grades')).statusCode).toBe(200);
    const detail = (await t.app.inject({ url: `/api/v1/admin/students/${later.id}`, headers: auth(managerOfSchool) })).json() as { studyLevel: string | null; fullTime: boolean | null; history: { action: string; after: Record<string, unknown> }[] };
    expect(detail).toMatchObject({ studyLevel: 'undergraduate', fullTime: true });
    expect(detail.history[0]).toMatchObject({ action: 'student.updated', after: { study_level: 'undergraduate', full_time: true } });
    expect((await patch(later.id, { fullTime: false })).statusCode).toBe(200);
    expect(await me()).toBe(false);
    expect((await patch(later.id, { studyLevel: 'bachelor' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const operator = await t.factory.operatorToken();
    const pupil = await t.factory.newStudent();
    const refused = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${pupil.id}`, headers: auth(operator, key()), payload: { studyLevel: 'undergraduate' } });
    expect(refused.json()).toMatchObject({ error: { code: 'STUDENT_STUDY_LEVEL_CAMPUS_ONLY', message: '培养层次和学习形式仅适用于高校和职业院校的学生' } });

    // A graduate no longer reads them.
    const leaver = await student(school.id);
    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', leaver.id).execute();
    expect((await get(leaver.token, '/campus/grades')).json()).toMatchObject({ error: { code: 'ACADEMIC_UNDERGRADUATES_ONLY', details: { reason: 'not_enrolled' } } });
  });

  it('a student reads only their own; a parent and a card manager are refused the student reads', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    const b = await student(school.id);
    await term(managerToken);
    await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo, { courseName: '甲的课' }), course(b.studentNo, { courseName: '乙的课' })] });
    await put(managerToken, '/admin/academic/terms/2026-2027-1/grades', { grades: [grade(a.studentNo, { courseName: '甲的课' }), grade(b.studentNo, { courseName: '乙的课' })] });
    const timetableB = (await get(b.token, '/campus/timetable')).json() as Timetable;
    const gradesB = (await get(b.token, '/campus/grades')).json() as Grades;
    expect(timetableB.entries.map((e) => e.courseName)).toEqual(['乙的课']);
    expect(gradesB.terms.flatMap((term) => term.records.map((r) => r.courseName))).toEqual(['乙的课']);
    expect(JSON.stringify([timetableB, gradesB])).not.toContain('甲的课');
    // Query parameters naming someone else are not a way in: there is none to name.
    expect(((await get(b.token, `/campus/timetable?studentId=${a.id}`)).json() as Timetable).entries.map((e) => e.courseName)).toEqual(['乙的课']);

    const parent = await t.factory.newParent({ children: [a.id] });
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
    for (const url of ['/campus/timetable', '/campus/grades']) {
      expect((await get(parentToken, url)).statusCode).toBe(403);
      expect((await get(managerToken, url)).statusCode).toBe(403);
    }
    // Students do not upload.
    expect((await put(a.token, '/admin/academic/terms/2026-2027-1/grades', { grades: [] })).statusCode).toBe(403);
    // An unknown term named by the student is a 404, not someone else's.
    expect((await get(a.token, '/campus/timetable?termCode=2019-2020-1')).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_UNKNOWN' } });
  });

  it('shows an empty, unpublished term and no term at all', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    expect((await get(a.token, '/campus/timetable')).json()).toEqual({ today: '2026-09-23', term: null, currentWeek: null, published: false, terms: [], entries: [] });
    await term(managerToken);
    expect((await get(a.token, '/campus/timetable')).json()).toMatchObject({ term: { code: '2026-2027-1' }, currentWeek: 3, published: false, entries: [] });
    expect((await get(a.token, '/campus/grades')).json()).toEqual({ terms: [], overall: { gpa: null, credits: 0, courses: 0 } });
  });
});

describe('what real 教务系统 pushes (review)', () => {
  it('re-pushes a past term naming a student who has since graduated, left or transferred away', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    const b = await student(school.id);
    const c = await student(school.id);
    await term(managerToken, '2025-2026-1', { firstMonday: '2025-09-08', weeks: 18 });
    expect((await put(managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade(a.studentNo), grade(b.studentNo), grade(c.studentNo)] })).statusCode).toBe(200);
    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', b.id).execute();
    await t.ctx.db.updateTable('students').set({ status: 'left' }).where('id', '=', c.id).execute();
    // A correction of a's grade, re-pushed with the whole term.
    const again = await put(managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade(a.studentNo, { score: 95 }), grade(b.studentNo), grade(c.studentNo)] });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ rows: 3, students: 3, changed: true });
    expect(((await get(a.token, '/campus/grades')).json() as Grades).terms[0]!.records[0]!.score).toBe('95');
    // The read still gates on enrolment; a 学号 of no student of the school is still refused.
    expect((await get(b.token, '/campus/grades')).json()).toMatchObject({ error: { code: 'ACADEMIC_UNDERGRADUATES_ONLY', details: { reason: 'not_enrolled' } } });
    expect((await put(managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade('0000000001')] })).json()).toMatchObject({ error: { code: 'ACADEMIC_UPLOAD_INVALID', details: { problems: [{ code: 'STUDENT_UNKNOWN' }] } } });
  });

  it('refuses an empty push instead of wiping the term; emptying is an explicit, audited DELETE', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken);
    await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo)] });
    await put(managerToken, '/admin/academic/terms/2026-2027-1/grades', { grades: [grade(a.studentNo)] });
    for (const [kind, body] of [['timetable', { courses: [] }], ['grades', { grades: [] }]] as const) {
      const empty = await put(managerToken, `/admin/academic/terms/2026-2027-1/${kind}`, body);
      expect(empty.statusCode).toBe(422);
      expect(empty.json()).toMatchObject({ error: { code: 'ACADEMIC_UPLOAD_EMPTY', message: expect.stringContaining('清空'), messageEn: expect.stringContaining('clear') } });
    }
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable)).toMatchObject({ published: true, entries: [{ courseName: '高等数学A' }] });
    expect(((await get(a.token, '/campus/grades')).json() as Grades).terms).toHaveLength(1);

    const del = (url: string, token = managerToken) => t.app.inject({ method: 'DELETE', url: `/api/v1${url}`, headers: auth(token, key()) });
    expect((await del('/admin/academic/terms/2026-2027-1/timetable', a.token)).statusCode).toBe(403);
    const cleared = await del('/admin/academic/terms/2026-2027-1/timetable');
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toEqual({ termCode: '2026-2027-1', kind: 'timetable', college: null, removedRows: 1 });
    expect(((await get(a.token, '/campus/timetable')).json() as Timetable)).toMatchObject({ published: false, entries: [] });
    // The grades are another thing: untouched until cleared themselves.
    expect(((await get(a.token, '/campus/grades')).json() as Grades).terms).toHaveLength(1);
    expect((await del('/admin/academic/terms/2026-2027-1/grades')).json()).toEqual({ termCode: '2026-2027-1', kind: 'grades', college: null, removedRows: 1 });
    expect(((await get(a.token, '/campus/grades')).json() as Grades).terms).toEqual([]);
    expect((await del('/admin/academic/terms/2030-2031-1/grades')).json()).toMatchObject({ error: { code: 'ACADEMIC_TERM_UNKNOWN' } });
    const audits = await t.ctx.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity_id', '=', school.id).where('action', 'like', 'academic.%.cleared').orderBy('at').orderBy('id').execute();
    expect(audits.map((r) => [r.action, (r.before as { rows: number }).rows])).toEqual([['academic.timetable.cleared', 1], ['academic.grades.cleared', 1]]);
  });

  it('counts a course taken every term under one name each term; a 课程号 tells courses apart', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken, '2025-2026-1', { firstMonday: '2025-09-08', weeks: 18 });
    await term(managerToken, '2025-2026-2', { firstMonday: '2026-03-02', weeks: 16 });
    await put(managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade(a.studentNo, { courseName: '形势与政策', credits: 1, gradePoint: 4 }), grade(a.studentNo, { courseName: '高数', credits: 4, gradePoint: 3 })] });
    await put(managerToken, '/admin/academic/terms/2025-2026-2/grades', { grades: [grade(a.studentNo, { courseName: '形势与政策', credits: 1, gradePoint: 2 })] });
    const g = (await get(a.token, '/campus/grades')).json() as Grades;
    // (4×1 + 3×4 + 2×1) / 6 = 3.0: both terms' 形势与政策 count.
    expect(g.overall).toEqual({ gpa: 3, credits: 6, courses: 3 });
    expect(g.terms.flatMap((x) => x.records.map((r) => r.countsOverall))).toEqual([true, true, true]);

    // Two 专业实习 of one name in one term, told apart by 课程号 (a CSV with that column); a 重修 of one replaces only it.
    const csv = ['学号,课程号,课程名称,学分,成绩,绩点,考试性质', `${a.studentNo},PR101,专业实习,2,55,0,正常`, `${a.studentNo},PR102,专业实习,2,85,3.5,正常`].join('\n');
    const done = await putFile(managerToken, '/admin/academic/terms/2025-2026-1/grades/file', csv);
    expect(done.statusCode, done.body).toBe(200);
    await put(managerToken, '/admin/academic/terms/2025-2026-2/grades', { grades: [grade(a.studentNo, { courseCode: 'PR101', courseName: '专业实习', credits: 2, score: 75, gradePoint: 2.5, examKind: 'retake' })] });
    const h = (await get(a.token, '/campus/grades')).json() as Grades;
    expect(h.terms[1]!.records.map((r) => [r.courseCode, r.countsOverall])).toEqual([['PR101', false], ['PR102', true]]);
    // (3.5×2 + 2.5×2) / 4 = 3.0
    expect(h.overall).toEqual({ gpa: 3, credits: 4, courses: 2 });
    // The same 课程号 twice with one exam kind is the same course twice.
    const dup = await put(managerToken, '/admin/academic/terms/2025-2026-2/grades', { grades: [grade(a.studentNo, { courseCode: 'X1', courseName: '甲' }), grade(a.studentNo, { courseCode: 'X1', courseName: '乙' })] });
    expect(dup.json()).toMatchObject({ error: { code: 'ACADEMIC_UPLOAD_INVALID', details: { problems: [{ row: 2, code: 'ROW_DUPLICATE' }] } } });
  });

  it('takes 缺考, 缓考, 免修, 通过 / 不通过 (P/F), 补考二, 重修补考, 重修二, and classes without 星期 / 节次', async () => {
    const { school, managerToken } = await university();
    const a = await student(school.id);
    await term(managerToken);
    const grades = [
      '学号,课程,学分,成绩,绩点,考试性质',
      `${a.studentNo},高等数学,4,缺考,0,正常`,
      `${a.studentNo},高等数学,4,45,0,补考一`,
      `${a.studentNo},高等数学,4,62,1.0,补考二`,
      `${a.studentNo},大学物理,3,缓考,,正常`,
      `${a.studentNo},军事理论,2,免修,,正常`,
      `${a.studentNo},劳动教育,1,P,,正常`,
      `${a.studentNo},创新创业,1,不通过,,正常`,
      `${a.studentNo},线性代数,3,50,0,重修一`,
      `${a.studentNo},线性代数,3,58,0,重修补考`,
      `${a.studentNo},线性代数,3,80,3.0,重修二`,
    ].join('\n');
    const done = await putFile(managerToken, '/admin/academic/terms/2026-2027-1/grades/file', grades);
    expect(done.statusCode, done.body).toBe(200);
    const mine = (await get(a.token, '/campus/grades')).json() as Grades;
    const records = mine.terms[0]!.records;
    expect(records.map((r) => [r.courseName, r.score, r.scoreKind, r.examKind, r.passed, r.countsOverall])).toEqual([
      ['军事理论', '免修', 'mark', 'normal', true, false],
      ['创新创业', '不通过', 'mark', 'normal', false, true],
      ['劳动教育', '通过', 'mark', 'normal', true, true],
      ['大学物理', '缓考', 'mark', 'normal', false, false],
      ['线性代数', '50', 'numeric', 'retake', false, false],
      ['线性代数', '58', 'numeric', 'retake_makeup', false, false],
      ['线性代数', '80', 'numeric', 'retake2', true, true],
      ['高等数学', '缺考', 'mark', 'normal', false, false],
      ['高等数学', '45', 'numeric', 'makeup', false, false],
      ['高等数学', '62', 'numeric', 'makeup2', true, true],
    ]);
    // (1.0×4 + 3.0×3) / 7 = 1.857…; 通过 / 不通过 without a 绩点, 缓考 and 免修 are out.
    expect(mine.overall).toEqual({ gpa: 1.86, credits: 7, courses: 2 });

    // 学分绩点 is not taken for 绩点 (at many universities it is 学分 × 绩点).
    const creditPoints = await putFile(managerToken, '/admin/academic/terms/2026-2027-1/grades/file', `学号,课程,学分,成绩,学分绩点\n${a.studentNo},高等数学,4,90,16`);
    expect(creditPoints.json()).toMatchObject({ error: { code: 'ACADEMIC_FILE_COLUMNS', details: { missing: ['gradePoint'] } } });

    // An online course and a practice week: no 星期 / 节次, time to be arranged; one without the other is refused.
    const timetable = ['学号,课程名称,星期,节次,周次', `${a.studentNo},高等数学,1,1-2,1-16`, `${a.studentNo},大学生心理健康（线上）,,,1-8`, `${a.studentNo},金工实习,,,17-18`].join('\n');
    expect((await putFile(managerToken, '/admin/academic/terms/2026-2027-1/timetable/file', timetable)).statusCode).toBe(200);
    const week3 = (await get(a.token, '/campus/timetable')).json() as Timetable;
    expect(week3.entries.map((e) => [e.courseName, e.weekday, e.firstPeriod, e.lastPeriod, e.weeksText])).toEqual([
      ['高等数学', 1, 1, 2, '1-16'], ['大学生心理健康(线上)', null, null, null, '1-8'], ['金工实习', null, null, null, '17-18'],
    ]);
    const half = await put(managerToken, '/admin/academic/terms/2026-2027-1/timetable', { courses: [course(a.studentNo, { weekday: null }), course(a.studentNo, { courseName: '乙', periods: '' })] });
    expect((half.json() as { error: { details: { problems: { row: number; field: string; code: string }[] } } }).error.details.problems.map((p) => [p.row, p.field, p.code])).toEqual([[1, 'weekday', 'TIME_INCOMPLETE'], [2, 'periods', 'TIME_INCOMPLETE']]);
  });

  it('lists a transferred student’s two terms of one code (two universities) in one stable order', async () => {
    const A = await university();
    const B = await university();
    const s = await student(A.school.id);
    await term(A.managerToken, '2025-2026-1', { firstMonday: '2025-09-08', weeks: 18 });
    await put(A.managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade(s.studentNo, { courseName: 'A校课', gradePoint: 2 })] });
    await t.ctx.db.updateTable('students').set({ school_id: B.school.id }).where('id', '=', s.id).execute();
    await term(B.managerToken, '2025-2026-1', { firstMonday: '2025-09-08', weeks: 18 });
    await put(B.managerToken, '/admin/academic/terms/2025-2026-1/grades', { grades: [grade(s.studentNo, { courseName: 'B校课', gradePoint: 4 })] });
    const termIds = await t.ctx.db.selectFrom('academic_terms').select(['id', 'school_id']).where('school_id', 'in', [A.school.id, B.school.id]).orderBy('id').execute();
    const courseOf = new Map([[A.school.id, 'A校课'], [B.school.id, 'B校课']]);
    for (let i = 0; i < 3; i++) {
      const g = (await get(s.token, '/campus/grades')).json() as Grades;
      // Newest first: the term of the larger id first.
      expect(g.terms.map((x) => [x.code, x.records[0]!.courseName])).toEqual(termIds.map((r) => ['2025-2026-1', courseOf.get(r.school_id)]).reverse());
    }
  });
});
