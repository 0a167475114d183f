import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The demo's 课表 and 成绩 (npm start): the undergraduate 周晓东 opens on a full teaching week 6; the 高职 students are refused. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // A Monday in Beijing: the demo's term began five weeks before this week's Monday.
  t.clock.set('2026-12-07T02:00:00Z');
  expect(await seedDemo(t.ctx.db, t.clock)).toBe(true);
});
afterAll(async () => t.close());

async function campusLogin(studentNo: string) {
  const student = await t.ctx.db.selectFrom('students').select('id_number').where('student_no', '=', studentNo).executeTakeFirstOrThrow();
  const password = student.id_number.replace(/X$/, '').slice(-6);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'campus', login: studentNo, password } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { token: string; user: { academicRecords: boolean } };
}
const get = (token: string, url: string) => t.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });

describe('demo 课表 and 成绩', () => {
  it('周晓东 sees teaching week 6 of the current term, with odd and even weeks apart, and his grades with the GPA', async () => {
    const login = await campusLogin('2023110501');
    expect(login.user.academicRecords).toBe(true);
    const timetable = (await get(login.token, '/campus/timetable')).json() as { term: { code: string; firstMonday: string }; currentWeek: number; published: boolean; terms: unknown[]; entries: { courseName: string; weeks: number[] }[] };
    expect(timetable).toMatchObject({ term: { code: '2026-2027-1', firstMonday: '2026-11-02' }, currentWeek: 6, published: true });
    expect(timetable.terms).toHaveLength(3);
    const week6 = timetable.entries.filter((e) => e.weeks.includes(6)).map((e) => e.courseName);
    expect(week6).toContain('视唱练耳');
    expect(week6).not.toContain('曲式分析');
    expect(week6).toContain('形势与政策');
    expect(week6).toHaveLength(9);

    const grades = (await get(login.token, '/campus/grades')).json() as { terms: { code: string; summary: { gpa: number } }[]; overall: { gpa: number; credits: number } };
    expect(grades.terms.map((term) => [term.code, term.summary.gpa])).toEqual([['2025-2026-2', 3.25], ['2025-2026-1', 1.82]]);
    expect(grades.overall).toEqual({ gpa: 2.64, credits: 22, courses: 10 });
  });

  it('the 高职 music student may not read them', async () => {
    const login = await campusLogin('2024130215');
    expect(login.user.academicRecords).toBe(false);
    expect((await get(login.token, '/campus/timetable')).json()).toMatchObject({ error: { code: 'ACADEMIC_UNDERGRADUATES_ONLY', details: { reason: 'not_undergraduate' } } });
  });
});
