import { expect, it } from 'vitest';
import { describeE2E, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * 课表与成绩 in the console (seed 004): a university's card manager registers a term and uploads
 * the 教务系统's timetable and grades as CSV files; a file with a bad row writes nothing and lists
 * the row, the corrected one replaces the term's; the full-time undergraduate then sees them in
 * the app. Needs `npm run build:web`.
 */
describeE2E('timetables and grades in the console', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  it('a card manager registers a term, uploads a timetable (refused while a row is wrong) and grades; the student reads them; clearing the grades, then one college’s timetable, after a dialog naming the rows', async () => {
    const { t } = e2e;
    // Monday 23 November 2026 in Beijing: week 4 of a term begun on 2 November.
    t.clock.set('2026-11-23T02:00:00Z');
    const school = await t.factory.newSchool({ stage: 'university', name: '端到端教务大学' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '课表测试生', password: 'Student2026' });
    await t.ctx.db.updateTable('students').set({ must_change_password: false, student_no: '2026880001', study_level: 'undergraduate', full_time: true }).where('id', '=', student.id).execute();
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });

    const console = await signInToConsole(e2e, manager);
    await console.getByTestId('sider-menu').getByText('课表与成绩', { exact: true }).click();
    await console.waitForURL(url('/admin/campus/academic'));
    await console.getByTestId('academic-terms').getByText('尚未登记学期').waitFor();
    await console.getByTestId('academic-term-code').fill('2026-2027-1');
    await console.getByTestId('academic-first-monday').fill('2026-11-02');
    await console.getByTestId('academic-save-term').click();
    const row = console.getByTestId('academic-terms').locator('tbody tr.ant-table-row').filter({ hasText: '2026-2027学年第一学期' });
    await row.waitFor();
    await expect(row.getByTestId('academic-timetable-count').textContent()).resolves.toBe('未上传');

    const [timetableInput, gradesInput] = [row.locator('input[type=file]').nth(0), row.locator('input[type=file]').nth(1)];
    const header = '学号,课程名称,任课教师,上课地点,星期,节次,周次';
    await timetableInput.setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from([header, '2026880001,数据结构,钱进,信息楼402,周一,3-4,1-16', '2026880001,操作系统,冯涛,信息楼305,周三,5-6,1-20'].join('\r\n')) });
    const problems = console.getByTestId('academic-file-problems');
    await problems.getByText('文件中有 1 处错误，本次上传未写入任何数据', { exact: false }).waitFor();
    await problems.getByTestId('academic-file-problem').getByText('第 3 行：周次无法识别或超出本学期的教学周', { exact: false }).waitFor();
    await expect(row.getByTestId('academic-timetable-count').textContent()).resolves.toBe('未上传');

    await timetableInput.setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from([header, '2026880001,数据结构,钱进,信息楼402,周一,3-4,1-16', '2026880001,操作系统,冯涛,信息楼305,周三,5-6,2-16双'].join('\r\n')) });
    await console.locator('.ant-message').getByText('已替换课表：2 行，1 名学生').waitFor();
    await expect(problems.count()).resolves.toBe(0);
    await expect.poll(() => row.getByTestId('academic-timetable-count').textContent()).toContain('2 行 · 1 名学生');
    await gradesInput.setInputFiles({ name: '成绩.csv', mimeType: 'text/csv', buffer: Buffer.from(['学号,课程,学分,成绩,绩点,考试性质', '2026880001,程序设计基础,4,90,4.0,正常', '2026880001,离散数学,3,良,3.0,正常'].join('\r\n')) });
    await console.locator('.ant-message').getByText('已替换成绩：2 行，1 名学生').waitFor();
    await expect.poll(() => console.locator('.ant-message-notice').count(), { timeout: 15_000 }).toBe(0);
    await e2e.screenshot(console, 'admin-academic');

    // The student: week 4 (even), both courses; the grades' GPA (4×4 + 3×3) / 7 = 3.57.
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.getByTestId('home-timetable').click();
    await expect(page.getByTestId('timetable-week').textContent()).resolves.toBe('第 4 周');
    await expect.poll(async () => (await page.getByTestId('timetable-class').locator('.week-grid-course').allTextContents()).sort()).toEqual(['操作系统', '数据结构']);
    await page.goto(url('/campus/grades'));
    await expect(page.getByTestId('grades-overall-gpa').textContent()).resolves.toBe('3.57');

    // 清空: the dialog names the term, the scope and the rows; the term then shows 未上传 and the student sees no grades.
    await row.getByTestId('academic-clear-grades').click();
    await expect(console.getByTestId('academic-clear-confirm').textContent()).resolves.toBe('将删除2026-2027学年第一学期全部学生的成绩，共 2 行；学生将看到“尚未发布”。此操作会记入操作日志，不能撤销（可重新上传）。');
    await console.getByTestId('academic-clear-ok').click();
    await console.locator('.ant-message').getByText('已清空成绩：删除 2 行').waitFor();
    await expect.poll(() => row.getByTestId('academic-grades-count').textContent()).toBe('未上传');
    await expect(row.getByTestId('academic-clear-grades').isDisabled()).resolves.toBe(true);
    await expect.poll(() => row.getByTestId('academic-timetable-count').textContent()).toContain('2 行 · 1 名学生');
    await page.reload();
    await page.getByTestId('grades-empty').getByText('暂无成绩').waitFor();

    // One college's timetable: only that college's students' rows, named in the dialog.
    await t.ctx.db.updateTable('students').set({ college: '信息学院' }).where('id', '=', student.id).execute();
    await console.reload();
    await console.getByTestId('academic-scope').click();
    await console.locator('.ant-select-item-option').getByText('信息学院', { exact: true }).click();
    await row.getByTestId('academic-clear-timetable').click();
    await expect(console.getByTestId('academic-clear-confirm').textContent()).resolves.toContain('院系“信息学院”学生的课表，共 2 行');
    await console.getByTestId('academic-clear-ok').click();
    await console.locator('.ant-message').getByText('已清空课表：删除 2 行').waitFor();
    await expect.poll(() => row.getByTestId('academic-timetable-count').textContent()).toBe('未上传');
    const audits = await t.ctx.db.selectFrom('audit_log').select(['action', 'before']).where('entity_id', '=', school.id).where('action', 'like', 'academic.%.cleared').orderBy('at').orderBy('id').execute();
    expect(audits.map((a) => [a.action, (a.before as { college: string | null; rows: number }).college, (a.before as { rows: number }).rows])).toEqual([['academic.grades.cleared', null, 2], ['academic.timetable.cleared', '信息学院', 2]]);
  });
});
