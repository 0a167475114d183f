import { expect, it } from 'vitest';
import { initialCampusPassword } from '../../src/domain/passwords.js';
import { newId } from '../../src/platform/ids.js';
import { seedDemo } from '../../src/demo/seed.js';
import { changeAppPassword, describeE2E, settled, submitAppSignIn, useE2E } from './support.js';

/**
 * 课表查询 and 成绩查询 in Chromium against the real server (seed 004: 全日制本科生可通过校园卡APP中
 * "课表查询"、"成绩查询"…), on the demo data: the undergraduate 周晓东 signs in with his student
 * number, opens his timetable on teaching week 6 (today marked, the odd-week course off and the
 * even-week one on), moves between weeks, reads his grades with the GPA; the 高职 student is not
 * offered them and is refused when she goes there. Needs `npm run build:web`.
 */
describeE2E('课表 and 成绩 in Chromium', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** Signs a demo campus student in with the initial query password and chooses another, landing on the home page. */
  async function signInDemoCampus(studentNo: string, next: string) {
    const { id_number: idNumber } = await e2e.t.ctx.db.selectFrom('students').select('id_number').where('student_no', '=', studentNo).executeTakeFirstOrThrow();
    const page = await e2e.newPage();
    await submitAppSignIn(e2e, page, { as: 'campus', login: studentNo, password: initialCampusPassword(idNumber) });
    await page.getByTestId('must-change-password').waitFor();
    await changeAppPassword(page, initialCampusPassword(idNumber), next);
    await page.getByTestId('tab-bar').waitFor();
    return page;
  }

  it('the demo undergraduate reads this week’s timetable, other weeks, and his grades with the GPA', async () => {
    // Wednesday 9 December 2026 in Beijing: the demo's term began on Monday 2 November (week 6 now).
    e2e.t.clock.set('2026-12-09T02:00:00Z');
    expect(await seedDemo(e2e.t.ctx.db, e2e.t.clock)).toBe(true);
    const page = await signInDemoCampus('2023110501', '135790');

    await page.getByTestId('home-timetable').click();
    await page.waitForURL(url('/campus/timetable'));
    await expect(page.getByTestId('timetable-term').textContent()).resolves.toBe('2026-2027学年第一学期');
    await expect(page.getByTestId('timetable-week').textContent()).resolves.toBe('第 6 周');
    await page.getByText('本周', { exact: true }).waitFor();
    await expect(page.getByTestId('timetable-now').textContent()).resolves.toBe('今天是第 6 周');
    // Today's column is Wednesday's.
    await expect(page.getByTestId('timetable-today').textContent()).resolves.toBe('三12-09');
    const courses = async () => (await page.getByTestId('timetable-class').locator('.week-grid-course').allTextContents()).sort();
    const week6 = await courses();
    expect(week6).toHaveLength(9);
    // Week 6 is even: 视唱练耳 (2-16双) meets, 曲式分析 (1-15单) does not; 形势与政策 (5-8) does.
    expect(week6).toEqual(expect.arrayContaining(['视唱练耳', '形势与政策', '和声学基础（重修）']));
    expect(week6).not.toContain('曲式分析');
    await settled(page);
    await e2e.screenshot(page, 'app-academic-timetable');

    // A class's details.
    await page.getByTestId('timetable-class').filter({ hasText: '视唱练耳' }).click();
    const details = page.getByTestId('class-details');
    await details.getByText('教师：周敏').waitFor();
    await details.getByText('地点：音乐楼108').waitFor();
    await details.getByText('周次：2-16双').waitFor();
    await page.getByRole('button', { name: '知道了' }).click();
    await settled(page);

    // Week 7 (odd): 曲式分析 instead of 视唱练耳; back to this week.
    await page.getByTestId('week-next').click();
    await expect.poll(() => page.getByTestId('timetable-week').textContent()).toBe('第 7 周');
    expect(await courses()).toContain('曲式分析');
    expect(await courses()).not.toContain('视唱练耳');
    expect(await page.getByTestId('timetable-today').count()).toBe(0);
    await page.getByTestId('week-back').click();
    await expect.poll(() => page.getByTestId('timetable-week').textContent()).toBe('第 6 周');
    // The weeks past the courses' 16 have no classes.
    for (let week = 7; week <= 17; week++) await page.getByTestId('week-next').click();
    await expect.poll(() => page.getByTestId('timetable-week').textContent()).toBe('第 17 周');
    await page.getByTestId('timetable-no-classes').getByText('本周没有课').waitFor();

    // 成绩: newest term first, each with its GPA; the overall GPA over the university's 绩点, the rule said.
    await page.goto(url('/'));
    await page.getByTestId('home-grades').click();
    await page.waitForURL(url('/campus/grades'));
    await expect(page.getByTestId('grades-overall-gpa').textContent()).resolves.toBe('2.64');
    await expect(page.getByTestId('grades-overall-credits').textContent()).resolves.toBe('计入学分 22');
    await page.getByTestId('grades-rule').getByText('绩点由学校教务系统给出', { exact: false }).waitFor();
    await expect(page.getByTestId('grades-term-gpa').allTextContents()).resolves.toEqual(['学期绩点 3.25 · 计入 10 学分', '学期绩点 1.82 · 计入 14 学分']);
    await page.getByTestId('grade-retake').getByText('重修').waitFor();
    await page.getByTestId('grade-makeup').getByText('补考').waitFor();
    // The failed first attempt of the retaken course no longer counts overall.
    const firstAttempt = page.getByTestId('grade-record').filter({ hasText: '大学计算机基础' }).filter({ has: page.getByTestId('grade-superseded') });
    await expect(firstAttempt.getByTestId('grade-score').textContent()).resolves.toBe('48');
    await expect(page.getByTestId('grade-record').filter({ hasText: '军事理论' }).getByText('不计绩点', { exact: false }).count()).resolves.toBe(1);
    await e2e.screenshot(page, 'app-academic-grades');

    // In English too: the term, the rule, the marks.
    await page.evaluate(() => localStorage.setItem('onecard.lang', 'en'));
    await page.reload();
    await expect(page.getByTestId('grades-overall-credits').textContent()).resolves.toBe('22 credits counted');
    await page.getByTestId('grades-rule').getByText('The grade points are the university’s own', { exact: false }).waitFor();
    await page.getByText('2025–2026 spring term').waitFor();
    await page.getByTestId('grade-retake').getByText('Retake').waitFor();
    await page.goto(url('/campus/timetable'));
    await expect(page.getByTestId('timetable-week').textContent()).resolves.toBe('Week 6');
    await expect(page.getByTestId('timetable-today').textContent()).resolves.toBe('Wed12-09');
  });

  it('two classes in one slot both show, side by side; a class without 星期/节次 is “time to be arranged”; 等级 and marks in English', async () => {
    e2e.t.clock.set('2026-12-09T02:00:00Z');
    const db = e2e.t.ctx.db;
    const student = await db.selectFrom('students').select(['id', 'school_id']).where('student_no', '=', '2023110501').executeTakeFirstOrThrow();
    const terms = await db.selectFrom('academic_terms').select(['id']).where('school_id', '=', student.school_id).orderBy('first_monday').execute();
    const current = terms.at(-1)!;
    // A 重修 student's clash: 和声学基础（重修） is on Monday 1–2 too. An online course and a practice week have no time.
    await db.insertInto('timetable_entries').values([
      { id: newId(), term_id: current.id, student_id: student.id, course_name: '大学计算机基础（重修）', teacher: '钱进', location: '信息楼101', weekday: 1, first_period: 1, last_period: 2, weeks: [6, 7], weeks_text: '6-7' },
      { id: newId(), term_id: current.id, student_id: student.id, course_name: '艺术实践周', teacher: null, location: null, weekday: null, first_period: null, last_period: null, weeks: [6], weeks_text: '6' },
    ]).execute();
    await db.insertInto('grade_records').values({ id: newId(), term_id: terms[1]!.id, student_id: student.id, course_code: null, course_name: '劳动教育', credit_tenths: 10, score_tenths: null, score_grade: '通过', grade_point_hundredths: null, exam_kind: 'normal' }).execute();

    const page = await e2e.newPage();
    await submitAppSignIn(e2e, page, { as: 'campus', login: '2023110501', password: '135790' });
    await page.getByTestId('tab-bar').waitFor();
    await page.goto(url('/campus/timetable'));
    await expect(page.getByTestId('timetable-week').textContent()).resolves.toBe('第 6 周');
    const clash = page.locator('[data-testid="timetable-class"][data-clash]');
    await expect.poll(() => clash.count()).toBe(2);
    const boxes = await Promise.all([0, 1].map(async (i) => (await clash.nth(i).boundingBox())!));
    // Side by side in Monday's column: neither hides the other.
    expect(boxes[0]!.width).toBeGreaterThan(0);
    expect(boxes[0]!.x + boxes[0]!.width).toBeLessThanOrEqual(boxes[1]!.x + 1);
    expect((await clash.locator('.week-grid-course').allTextContents()).sort()).toEqual(['和声学基础（重修）', '大学计算机基础（重修）']);
    const unscheduled = page.getByTestId('timetable-unscheduled');
    await unscheduled.getByText('时间待定').waitFor();
    await unscheduled.getByTestId('timetable-unscheduled-class').filter({ hasText: '艺术实践周' }).click();
    await page.getByTestId('class-details').getByText('时间：时间待定').waitFor();
    await page.getByRole('button', { name: '知道了' }).click();
    await settled(page);
    await e2e.screenshot(page, 'app-academic-timetable-clash');

    await page.evaluate(() => localStorage.setItem('onecard.lang', 'en'));
    await page.reload();
    await page.getByTestId('timetable-unscheduled').getByText('Time to be arranged').waitFor();
    await page.goto(url('/campus/grades'));
    const scoreOf = (course: string) => page.getByTestId('grade-record').filter({ hasText: course }).getByTestId('grade-score').textContent();
    await expect(scoreOf('体育（一）')).resolves.toBe('Excellent');
    await expect(scoreOf('体育（二）')).resolves.toBe('Good');
    await expect(scoreOf('军事理论')).resolves.toBe('Pass');
    await expect(scoreOf('劳动教育')).resolves.toBe('Passed');
    await page.evaluate(() => localStorage.setItem('onecard.lang', 'zh-CN'));
  });

  it('a 高职 (associate) student is not offered them, and is refused when she goes there', async () => {
    const page = await signInDemoCampus('2024130215', '135790');
    await page.getByTestId('home-bills').waitFor();
    expect(await page.getByTestId('home-timetable').count()).toBe(0);
    expect(await page.getByTestId('home-grades').count()).toBe(0);
    await page.goto(url('/campus/grades'));
    await page.getByTestId('academic-refused').getByText('课表查询、成绩查询仅面向全日制本科生', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-academic-refused');
  });
});
