import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * 成绩已更新 (decision 0011, notices to one student: decision 0009): when a grades upload makes a
 * student's grades of a term new or different, the student gets one in-app notice for the term;
 * not one per row, not on a no-op re-push, not for a student who may not read grades, and no one
 * else sees it.
 */

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
beforeEach(() => t.clock.set('2026-09-23T02:00:00Z'));

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'idempotency-key': `grade-notices-${Math.random()}` });
const put = (token: string, url: string, payload: unknown) => t.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: auth(token), payload: payload as Record<string, unknown> });
const get = (token: string, url: string) => t.app.inject({ url: `/api/v1${url}`, headers: auth(token) });

async function student(schoolId: string, fullTime = true) {
  const s = await t.factory.newStudent({ schoolId, name: '成绩通知生' });
  const studentNo = `2028${String(++n).padStart(6, '0')}`;
  await t.ctx.db.updateTable('students').set({ student_no: studentNo, study_level: 'undergraduate', full_time: fullTime }).where('id', '=', s.id).execute();
  return { ...s, studentNo, token: await t.factory.loginAs('student', s.education_id, s.password) };
}

const grade = (studentNo: string, courseName: string, score = 90) => ({ studentNo, courseName, credits: 3, score, gradePoint: score >= 60 ? 3 : 0 });
interface NoticeList { items: { id: string; title: string; excerpt: string; read: boolean; issuerName: string }[]; unreadCount: number }
const notices = async (token: string) => (await get(token, '/notices')).json() as NoticeList;
const gradeNotices = async (token: string) => (await notices(token)).items.filter((i) => i.title === '成绩已更新 / Grades updated');

describe('成绩已更新', () => {
  it('tells each student whose grades changed, once per term; not on a no-op, not for the unchanged, not for those who may not read grades', async () => {
    const school = await t.factory.newSchool({ stage: 'university', name: `成绩通知大学${++n}` });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    expect((await put(token, '/admin/academic/terms/2026-2027-1', { firstMonday: '2026-09-07', weeks: 18 })).statusCode).toBe(200);
    const a = await student(school.id);
    const b = await student(school.id);
    const partTime = await student(school.id, false);
    const url = '/admin/academic/terms/2026-2027-1/grades';

    // Three rows for a: one notice, not three.
    const first = await put(token, url, { grades: [grade(a.studentNo, '高数'), grade(a.studentNo, '英语'), grade(a.studentNo, '物理'), grade(b.studentNo, '高数'), grade(partTime.studentNo, '高数')] });
    expect(first.statusCode, first.body).toBe(200);
    const [aNotice] = await gradeNotices(a.token);
    expect(await gradeNotices(a.token)).toHaveLength(1);
    expect(aNotice).toMatchObject({ read: false, issuerName: school.name, excerpt: expect.stringContaining('2026-2027学年第一学期的成绩已更新') });
    const detail = (await get(a.token, `/notices/${aNotice!.id}`)).json() as { body: string };
    expect(detail.body).toContain('Your grades for the 2026–2027 autumn term have been updated');
    const [bNotice] = await gradeNotices(b.token);
    expect(bNotice).toBeDefined();
    // The part-time student cannot open 成绩: nothing to tell them.
    expect(await gradeNotices(partTime.token)).toEqual([]);
    // Audited with the upload: how many were told.
    const audit = await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', school.id).where('action', '=', 'academic.grades.uploaded').orderBy('at').orderBy('id').execute();
    expect(audit.map((r) => (r.after as { noticed?: number }).noticed)).toEqual([2]);

    // The same again: no notice.
    expect((await put(token, url, { grades: [grade(b.studentNo, '高数'), grade(a.studentNo, '物理'), grade(a.studentNo, '英语'), grade(a.studentNo, '高数'), grade(partTime.studentNo, '高数')] })).json()).toMatchObject({ changed: false });
    expect((await gradeNotices(a.token)).map((x) => x.id)).toEqual([aNotice!.id]);
    expect((await notices(a.token)).items.find((x) => x.id === aNotice!.id)?.read).toBe(true);

    // Only a's grade changes: a is told again (the term's one notice, new and unread), b is not.
    t.clock.set('2026-09-23T02:10:00Z');
    const changedA = await put(token, url, { grades: [grade(a.studentNo, '高数', 55), grade(a.studentNo, '英语'), grade(a.studentNo, '物理'), grade(b.studentNo, '高数'), grade(partTime.studentNo, '高数')] });
    expect(changedA.json(), changedA.body).toMatchObject({ changed: true });
    const again = await gradeNotices(a.token);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ read: false });
    expect(again[0]!.id).not.toBe(aNotice!.id);
    expect((await gradeNotices(b.token)).map((x) => x.id)).toEqual([bNotice!.id]);

    // A timetable upload tells no one.
    await put(token, '/admin/academic/terms/2026-2027-1/timetable', { courses: [{ studentNo: b.studentNo, courseName: '高数', weekday: 1, periods: '1-2', weeks: '1-16' }] });
    expect(await gradeNotices(b.token)).toHaveLength(1);

    // Theirs alone: a classmate reads neither, and the console lists none of them nor lets it be changed.
    const classmate = await student(school.id);
    expect(await gradeNotices(classmate.token)).toEqual([]);
    expect((await get(classmate.token, `/notices/${again[0]!.id}`)).statusCode).toBe(404);
    const console = (await get(token, '/admin/notices')).json() as { items: { title: string }[] };
    expect(console.items.filter((x) => x.title.startsWith('成绩已更新'))).toEqual([]);
    const withdraw = await t.app.inject({ method: 'POST', url: `/api/v1/admin/notices/${again[0]!.id}/withdraw`, headers: auth(token) });
    expect(withdraw.json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
  });
});
