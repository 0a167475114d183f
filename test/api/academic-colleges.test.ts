import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * 课表/成绩 uploads per college (院系, decision 0011): a large university's 教务 office pushes its
 * term college by college (20,000 undergraduates × 8 classes do not fit one upload). A scoped
 * upload replaces only the rows of the students the roster puts in that college, refuses rows of
 * anyone else, and is a no-op when the college's rows are already what it says.
 */

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
beforeEach(() => t.clock.set('2026-09-23T02:00:00Z'));

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'idempotency-key': `colleges-${Math.random()}` });
const put = (token: string, url: string, payload: unknown) => t.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: auth(token), payload: payload as Record<string, unknown> });
const del = (token: string, url: string) => t.app.inject({ method: 'DELETE', url: `/api/v1${url}`, headers: auth(token) });
const get = (token: string, url: string) => t.app.inject({ url: `/api/v1${url}`, headers: auth(token) });

async function university() {
  const school = await t.factory.newSchool({ stage: 'university', name: `院系大学${++n}` });
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  const token = await t.factory.loginAs('staff', manager.username, manager.password);
  expect((await put(token, '/admin/academic/terms/2026-2027-1', { firstMonday: '2026-09-07', weeks: 18 })).statusCode).toBe(200);
  return { school, token };
}

async function student(schoolId: string, college: string | null) {
  const s = await t.factory.newStudent({ schoolId, name: '院系学生' });
  const studentNo = `2027${String(++n).padStart(6, '0')}`;
  await t.ctx.db.updateTable('students').set({ student_no: studentNo, study_level: 'undergraduate', full_time: true, college }).where('id', '=', s.id).execute();
  return { ...s, studentNo, token: await t.factory.loginAs('student', s.education_id, s.password) };
}

const course = (studentNo: string, courseName = '高等数学A') => ({ studentNo, courseName, weekday: 1, periods: '1-2', weeks: '1-16' });
const grade = (studentNo: string, courseName = '高等数学A', score = 90) => ({ studentNo, courseName, credits: 4, score, gradePoint: 4 });
const timetableUrl = (college?: string) => `/admin/academic/terms/2026-2027-1/timetable${college ? `?college=${encodeURIComponent(college)}` : ''}`;
const gradesUrl = (college?: string) => `/admin/academic/terms/2026-2027-1/grades${college ? `?college=${encodeURIComponent(college)}` : ''}`;
const classes = async (token: string) => ((await get(token, '/campus/timetable')).json() as { published: boolean; entries: { courseName: string }[] });
const courseNames = async (token: string) => (await classes(token)).entries.map((e) => e.courseName);

describe('per-college replacement', () => {
  it('two colleges uploaded separately coexist; re-uploading one leaves the other untouched; the same content is a no-op', async () => {
    const { school, token } = await university();
    const music = await student(school.id, '音乐学院');
    const cs = await student(school.id, '计算机学院');

    // Before its college's upload a student's term is not published, whatever another college sent.
    const first = await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '和声学')] });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ college: '音乐学院', rows: 1, students: 1, changed: true });
    expect(await classes(cs.token)).toMatchObject({ published: false, entries: [] });

    expect((await put(token, timetableUrl('计算机学院'), { courses: [course(cs.studentNo, '数据结构'), course(cs.studentNo, '离散数学')] })).json()).toMatchObject({ college: '计算机学院', rows: 2, changed: true });
    expect(await courseNames(music.token)).toEqual(['和声学']);
    expect(await courseNames(cs.token)).toEqual(['数据结构', '离散数学']);
    expect(await classes(cs.token)).toMatchObject({ published: true });

    // College A again, with other content: A's rows replaced, B's untouched.
    expect((await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '曲式分析')] })).json()).toMatchObject({ changed: true });
    expect(await courseNames(music.token)).toEqual(['曲式分析']);
    expect(await courseNames(cs.token)).toEqual(['数据结构', '离散数学']);

    // The same content again (rows in another order): nothing rewritten, for that college only.
    const ids = await t.ctx.db.selectFrom('timetable_entries').select('id').where('student_id', '=', cs.id).orderBy('id').execute();
    const again = await put(token, timetableUrl('计算机学院'), { courses: [course(cs.studentNo, '离散数学'), course(cs.studentNo, '数据结构')] });
    expect(again.json()).toMatchObject({ college: '计算机学院', rows: 2, changed: false });
    expect(await t.ctx.db.selectFrom('timetable_entries').select('id').where('student_id', '=', cs.id).orderBy('id').execute()).toEqual(ids);

    // The grades too.
    await put(token, gradesUrl('音乐学院'), { grades: [grade(music.studentNo, '和声学')] });
    expect((await put(token, gradesUrl('计算机学院'), { grades: [grade(cs.studentNo, '数据结构')] })).json()).toMatchObject({ changed: true });
    expect((await put(token, gradesUrl('音乐学院'), { grades: [grade(music.studentNo, '和声学')] })).json()).toMatchObject({ changed: false });
    const grades = async (token: string) => ((await get(token, '/campus/grades')).json() as { terms: { records: { courseName: string }[] }[] }).terms.flatMap((x) => x.records.map((r) => r.courseName));
    expect(await grades(music.token)).toEqual(['和声学']);
    expect(await grades(cs.token)).toEqual(['数据结构']);

    // Audited with the scope.
    const audits = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', school.id).where('action', '=', 'academic.timetable.uploaded').orderBy('at').orderBy('id').execute();
    expect(audits.map((a) => [(a.after as { college: string | null }).college, (a.after as { changed: boolean }).changed])).toEqual([
      ['音乐学院', true], ['计算机学院', true], ['音乐学院', true], ['计算机学院', false],
    ]);

    // The console: rows per college, the scopes uploaded, the school's colleges.
    const listed = (await get(token, '/admin/academic/terms')).json() as { items: { timetableRows: number; colleges: { college: string | null; timetableRows: number; gradeRows: number }[]; uploads: { kind: string; college: string | null }[] }[]; colleges: string[] };
    expect(listed.colleges).toEqual(expect.arrayContaining(['音乐学院', '计算机学院']));
    expect(listed.items[0]!.timetableRows).toBe(3);
    expect(listed.items[0]!.colleges).toEqual(expect.arrayContaining([{ college: '音乐学院', timetableRows: 1, gradeRows: 1 }, { college: '计算机学院', timetableRows: 2, gradeRows: 1 }]));
    expect(listed.items[0]!.uploads.filter((u) => u.kind === 'timetable').map((u) => u.college).sort()).toEqual(['计算机学院', '音乐学院']);
  });

  it('refuses a scoped upload whole when a row is of a student outside the college; nothing written', async () => {
    const { school, token } = await university();
    const music = await student(school.id, '音乐学院');
    const cs = await student(school.id, '计算机学院');
    const none = await student(school.id, null);
    await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '和声学')] });
    await put(token, timetableUrl('计算机学院'), { courses: [course(cs.studentNo, '数据结构')] });

    const bad = await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '视唱练耳'), course(cs.studentNo, '钢琴'), course(none.studentNo, '声乐')] });
    expect(bad.statusCode).toBe(422);
    const body = bad.json() as { error: { code: string; details: { problems: { row: number; field: string; code: string; message: string; messageEn: string }[] } } };
    expect(body.error.code).toBe('ACADEMIC_UPLOAD_INVALID');
    expect(body.error.details.problems.map((p) => [p.row, p.field, p.code])).toEqual([[2, 'studentNo', 'STUDENT_OUT_OF_SCOPE'], [3, 'studentNo', 'STUDENT_OUT_OF_SCOPE']]);
    expect(body.error.details.problems[0]!.message).toContain('院系');
    expect(body.error.details.problems[0]!.messageEn).toContain('college');
    expect(await courseNames(music.token)).toEqual(['和声学']);
    expect(await courseNames(cs.token)).toEqual(['数据结构']);
    // A college name too long is a validation error, not a scope of its own.
    expect((await put(token, timetableUrl('院'.repeat(33)), { courses: [course(music.studentNo)] })).statusCode).toBe(400);
  });

  it('clears one college only; the whole term’s upload and clear keep today’s meaning', async () => {
    const { school, token } = await university();
    const music = await student(school.id, '音乐学院');
    const cs = await student(school.id, '计算机学院');
    await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '和声学')] });
    await put(token, timetableUrl('计算机学院'), { courses: [course(cs.studentNo, '数据结构')] });

    // A misspelt college is refused, clearing and forgetting nothing.
    const misspelt = await del(token, timetableUrl('音乐 学院'));
    expect(misspelt.statusCode).toBe(404);
    expect(misspelt.json()).toMatchObject({ error: { code: 'ACADEMIC_COLLEGE_UNKNOWN', details: { college: '音乐 学院' } } });
    expect(await courseNames(music.token)).toEqual(['和声学']);

    const cleared = await del(token, timetableUrl('音乐学院'));
    expect(cleared.json()).toEqual({ termCode: '2026-2027-1', kind: 'timetable', college: '音乐学院', removedRows: 1 });
    expect(await classes(music.token)).toMatchObject({ published: false, entries: [] });
    expect(await courseNames(cs.token)).toEqual(['数据结构']);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('entity_id', '=', school.id).where('action', '=', 'academic.timetable.cleared').executeTakeFirstOrThrow();
    expect(audit.before).toMatchObject({ college: '音乐学院', rows: 1 });

    // The whole term: replaces every college's rows.
    expect((await put(token, timetableUrl(), { courses: [course(music.studentNo, '曲式分析')] })).json()).toMatchObject({ college: null, changed: true });
    expect(await courseNames(music.token)).toEqual(['曲式分析']);
    expect(await classes(cs.token)).toMatchObject({ published: true, entries: [] });
    expect((await put(token, timetableUrl(), { courses: [course(music.studentNo, '曲式分析')] })).json()).toMatchObject({ changed: false });
    expect((await del(token, timetableUrl())).json()).toMatchObject({ college: null, removedRows: 1 });
    expect(await classes(cs.token)).toMatchObject({ published: false });
  });

  it('compares with the rows the college holds now: a student who moved in makes the same upload a change', async () => {
    const { school, token } = await university();
    const music = await student(school.id, '音乐学院');
    const mover = await student(school.id, '计算机学院');
    await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '和声学')] });
    await put(token, timetableUrl('计算机学院'), { courses: [course(mover.studentNo, '数据结构')] });
    // The roster moves the student to 音乐学院: the music college's upload now covers their rows too.
    await t.ctx.db.updateTable('students').set({ college: '音乐学院' }).where('id', '=', mover.id).execute();
    const same = await put(token, timetableUrl('音乐学院'), { courses: [course(music.studentNo, '和声学')] });
    expect(same.json()).toMatchObject({ changed: true });
    expect(await courseNames(mover.token)).toEqual([]);
    expect(await courseNames(music.token)).toEqual(['和声学']);
  });
});
