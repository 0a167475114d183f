import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { newId } from '../../src/platform/ids.js';
import { projectRoot } from '../../src/platform/paths.js';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * The admin console's identity screens in a real browser: roster import, students and their
 * detail page, staff accounts and the SMS outbox. Needs `npm run build:web` first.
 */

const gbkRoster = resolve(projectRoot(), 'test/fixtures/roster-gbk.csv');
/** A 1×1 PNG: a real image, so the browser renders the photo without an error. */
const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describeE2E('admin console: schools, students, roster, staff, SMS', () => {
  const e2e = useE2E();

  async function schoolWithClasses(name: string, classes: [grade: number, classNo: string][]) {
    const school = await e2e.t.factory.newSchool({ name, stage: 'middle' });
    const ids: string[] = [];
    for (const [grade, classNo] of classes) {
      const id = newId();
      await e2e.t.ctx.db.insertInto('classes').values({ id, school_id: school.id, grade, class_no: classNo }).execute();
      ids.push(id);
    }
    return { school, classIds: ids };
  }

  const menu = (page: Page) => page.getByTestId('sider-menu');
  const tableRows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr.ant-table-row');

  /**
   * Opens an antd Select, types to search, and picks the option with this text, checked on the
   * select itself. The search asks the server and the list shows the previous answer meanwhile:
   * a list redrawn under the click leaves nothing chosen (seen in CI: the 新建 dialog stayed open),
   * so the pick is tried again, as a user would.
   */
  async function pick(page: Page, select: ReturnType<Page['getByTestId']>, text: string) {
    const chosen = async () => ((await select.textContent()) ?? '').includes(text);
    for (let attempt = 0; attempt < 3 && !(await chosen()); attempt++) {
      await select.click();
      await select.locator('input').fill(text);
      await page.locator('.ant-select-item-option', { hasText: text }).click();
      for (let wait = 0; wait < 10 && !(await chosen()); wait++) await page.waitForTimeout(100);
    }
    expect(await chosen(), `${text} chosen`).toBe(true);
  }

  it('a card manager imports a GBK roster with one bad row, reads the report, then finds the students', async () => {
    const { school } = await schoolWithClasses('端到端名单中学', [[7, '01'], [7, '02']]);
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: school.id });
    const page = await signInToConsole(e2e, manager);

    // A card manager's menu: their school's screens, none of the card centre's.
    for (const item of ['学校', '学生', '名单导入']) await menu(page).getByText(item, { exact: true }).waitFor();
    for (const item of ['工作人员', '短信发件箱', '审计日志']) expect(await menu(page).getByText(item, { exact: true }).count()).toBe(0);

    await menu(page).getByText('名单导入', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/roster-imports`);
    const help = page.getByTestId('roster-help');
    for (const text of ['教育ID', 'educationId', '身份证号', 'idNumber', '班级', 'class', 'GBK', '学号', 'studentNo', '高校、职业院校']) await help.getByText(text, { exact: false }).first().waitFor();
    expect(await page.getByTestId('school-select').count()).toBe(0); // no school picker: it is their own

    // A file without the required columns is refused as a whole, naming what is missing. Windows
    // labels .csv as application/vnd.ms-excel; the page sends text/csv anyway.
    const fileInput = page.getByTestId('roster-upload').locator('input[type=file]');
    await fileInput.setInputFiles({ name: '缺列.csv', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from('姓名,性别\n张三,男\n') });
    const refused = page.getByTestId('roster-file-error');
    await refused.getByText('缺少必需的列', { exact: false }).waitFor();
    await refused.getByText('缺少的列：教育ID、出生日期、身份证号、年级、班级').waitFor();
    await e2e.screenshot(page, 'admin-roster-file-error');

    // The import of three rows finishes at once; the first poll is answered "running" (the
    // real answer, held back at a third of the way) so the progress bar can be seen moving.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let polls = 0;
    await page.route((url) => /\/api\/v1\/admin\/roster-imports\/[0-9a-f-]{36}$/.test(url.pathname), async (route) => {
      polls += 1;
      const response = await route.fetch();
      if (polls === 1) {
        const real = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...real, status: 'running', processedRows: 1, created: 0, updated: 0, rejected: 0, report: [], finishedAt: null } });
      } else {
        await released;
        await route.fulfill({ response });
      }
    });

    const upload = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/admin/schools/${school.id}/roster-imports`));
    await fileInput.setInputFiles({ name: 'roster-gbk.csv', mimeType: 'application/vnd.ms-excel', buffer: readFileSync(gbkRoster) });
    const request = await upload;
    expect(request.headers()['content-type']).toBe('text/csv');
    expect(decodeURIComponent(request.headers()['x-file-name'] ?? '')).toBe('roster-gbk.csv');

    const status = page.getByTestId('import-status');
    const progress = status.getByRole('progressbar');
    await status.getByText('正在导入 roster-gbk.csv').waitFor();
    await status.getByText('已处理 1 / 3 行').waitFor();
    expect(await progress.getAttribute('aria-valuenow')).toBe('33');
    expect(await progress.getAttribute('class')).toContain('ant-progress-status-active');
    await e2e.screenshot(page, 'admin-roster-running');
    release();

    // The progress runs to the end, then the counts and the rejected row (row 4: wrong check digit).
    await page.locator('[data-testid="import-status"][data-status="done"]').waitFor();
    await expect.poll(() => progress.getAttribute('aria-valuenow')).toBe('100');
    expect(await progress.getAttribute('class')).toContain('ant-progress-status-success');
    await status.getByText('已处理 3 / 3 行').waitFor();
    const summary = page.getByTestId('import-summary');
    await expect.poll(() => summary.locator('.ant-statistic-content-value').allTextContents()).toEqual(['3', '2', '0', '1']);
    const reportRows = tableRows(page, 'import-report');
    await expect.poll(() => reportRows.count()).toBe(1);
    await expect.poll(() => reportRows.first().locator('td').allTextContents()).toEqual(['4', '身份证号', 'ID_NUMBER_CHECKSUM', '身份证号校验位不正确']);
    await tableRows(page, 'import-history').getByText('roster-gbk.csv').waitFor();
    await e2e.screenshot(page, 'admin-roster-report');

    // The report follows the language switch.
    await page.getByText('English', { exact: true }).click();
    await expect.poll(() => reportRows.first().locator('td').allTextContents()).toEqual(['4', 'ID number', 'ID_NUMBER_CHECKSUM', 'The ID number check digit is wrong']);
    await page.getByText('中文', { exact: true }).click();

    // The students table lists the imported students, masked, and finds one by name.
    await menu(page).getByText('学生', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/students`);
    const students = tableRows(page, 'students-table');
    await expect.poll(() => students.count()).toBe(2);
    await students.getByText('王**', { exact: true }).waitFor();
    await students.getByText('李**', { exact: true }).waitFor();
    await students.getByText('110***********0033', { exact: true }).waitFor();
    await students.getByText('7年级01班', { exact: true }).waitFor();
    const html = await page.content();
    for (const secret of ['王小明', '李小红', '110108201303050033', '110108201306110046']) expect(html).not.toContain(secret);
    await e2e.screenshot(page, 'admin-students');

    const search = page.waitForRequest((r) => r.url().includes('/api/v1/admin/students') && new URL(r.url()).searchParams.get('q') === '小红');
    await page.getByPlaceholder('按姓名或教育ID搜索').fill('小红');
    await page.getByPlaceholder('按姓名或教育ID搜索').press('Enter');
    await search;
    await expect.poll(() => students.count()).toBe(1);
    await students.getByText('李**', { exact: true }).waitFor();
    await students.getByText('31000002', { exact: true }).waitFor();

    // Their school's classes, with the imported head counts; a new class can be added.
    await menu(page).getByText('学校', { exact: true }).click();
    await tableRows(page, 'schools-table').getByText('端到端名单中学').click();
    const drawer = page.getByTestId('classes-drawer');
    const classRows = drawer.locator('tbody tr.ant-table-row');
    await expect.poll(() => classRows.count()).toBe(2);
    await expect.poll(() => classRows.first().locator('td').allTextContents()).toEqual(['7年级01班', '1', '查看学生']);
    await drawer.getByLabel('年级').fill('7');
    await drawer.getByLabel('班号').fill('03');
    await drawer.getByRole('button', { name: '添加班级' }).click();
    await expect.poll(() => classRows.count()).toBe(3);
    await classRows.getByText('7年级03班').waitFor();
    // The same class again: the server's CLASS_EXISTS, in Chinese.
    await drawer.getByLabel('班号').fill('03');
    await drawer.getByRole('button', { name: '添加班级' }).click();
    await page.getByText('班级已存在').waitFor();
    await e2e.screenshot(page, 'admin-classes');
  });

  it("an operator opens a student's detail: masked ID number, history, a class change and a photo", async () => {
    const { school, classIds } = await schoolWithClasses('端到端详情中学', [[7, '01'], [7, '02']]);
    const operator = await e2e.t.factory.newStaff('operator');
    const token = await e2e.t.factory.loginAs('staff', operator.username, operator.password);
    const idNumber = makeIdNumber({ areaCode: '110108', birthDate: '2013-09-01', sequence: 77, gender: 'F' });
    const created = await e2e.t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/schools/${school.id}/students`,
      headers: { authorization: `Bearer ${token}` },
      payload: { educationId: '31000077', name: '周详情', gender: 'F', birthDate: '2013-09-01', idNumber, classId: classIds[0] },
    });
    expect(created.statusCode, created.body).toBe(201);

    const page = await signInToConsole(e2e, operator);
    await menu(page).getByText('学生', { exact: true }).click();
    await page.getByPlaceholder('按姓名或教育ID搜索').fill('31000077');
    await page.getByPlaceholder('按姓名或教育ID搜索').press('Enter');
    const rows = tableRows(page, 'students-table');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText('端到端详情中学').waitFor(); // operators see the school column
    await rows.first().click();
    await page.waitForURL(/\/admin\/students\/[0-9a-f-]{36}$/);

    await expect(page.getByTestId('student-id-number').textContent()).resolves.toBe(`110***********${idNumber.slice(-4)}`);
    await expect(page.getByTestId('student-name').textContent()).resolves.toBe('周**');
    await page.getByTestId('student-summary').getByText('2013-09-**').waitFor();
    expect(await page.content()).not.toContain(idNumber);
    const history = page.getByTestId('student-history');
    await history.getByText('建档').waitFor();

    // Promotion to another class: the history records it, from and to.
    const form = page.getByTestId('move-student-form');
    await form.getByText('7年级01班').waitFor();
    await form.getByTestId('class-select').click();
    await page.locator('.ant-select-item-option', { hasText: '7年级02班' }).click();
    await form.getByRole('button', { name: '保存变更' }).click();
    await history.getByText('升级 / 调班').waitFor();
    await history.getByText('班级：7年级01班 → 7年级02班').waitFor();
    await page.getByTestId('student-summary').getByText('7年级02班').waitFor();

    // A card photo, uploaded raw and shown from the authorised download.
    await page.getByTestId('photo-upload').locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: tinyPng });
    await page.getByTestId('student-photo').waitFor();
    await history.getByText('更新照片').waitFor();
    await e2e.screenshot(page, 'admin-student-detail');
  });

  it("a university's card manager puts a student's forgotten query password back to the initial one, and sets the student's 院系 and 专业", async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端大学', stage: 'university' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '吴查询' });
    await e2e.t.ctx.db.updateTable('students').set({ campus_password_hash: 'a-hash-the-student-forgot', campus_must_change: false }).where('id', '=', student.id).execute();
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: school.id });
    const page = await signInToConsole(e2e, manager);
    await page.goto(`${e2e.baseUrl}/admin/students/${student.id}`);
    const card = page.getByTestId('campus-account');
    await card.getByText('查询密码不能在线找回', { exact: false }).waitFor();
    await card.getByTestId('query-password-reset').click();
    await page.getByText('已核验学生本人身份证？', { exact: false }).waitFor();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '恢复初始查询密码' }).click();
    await page.getByText('已恢复为初始查询密码，学生登录后须修改').waitFor();
    const row = await e2e.t.ctx.db.selectFrom('students').select(['campus_password_hash', 'campus_must_change']).where('id', '=', student.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ campus_password_hash: null, campus_must_change: true });
    await e2e.screenshot(page, 'admin-query-password-reset');

    // 院系 and 专业 (the practice rooms may be kept for majors): set on the same page, shown in the summary and the history.
    const form = page.getByTestId('move-student-form');
    await form.getByTestId('move-college').fill('高等职业教育与继续教育学院');
    await form.getByTestId('move-major').fill('音乐表演');
    await form.getByRole('button', { name: '保存变更' }).click();
    await page.getByTestId('student-major').getByText('音乐表演', { exact: true }).waitFor();
    await page.getByTestId('student-history').getByText('专业：— → 音乐表演', { exact: false }).waitFor();
    expect(await e2e.t.ctx.db.selectFrom('students').select(['college', 'major']).where('id', '=', student.id).executeTakeFirstOrThrow()).toEqual({ college: '高等职业教育与继续教育学院', major: '音乐表演' });
  });

  it('an operator creates a card manager, binds a parent and sees the text message in the SMS outbox', async () => {
    const { school } = await schoolWithClasses('端到端人员中学', [[8, '03']]);
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '吴短信' });
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);

    await menu(page).getByText('工作人员', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/staff`);
    await tableRows(page, 'staff-table').getByText(operator.username, { exact: true }).waitFor();
    await page.getByTestId('new-staff').click();
    const dialog = page.getByRole('dialog');
    await pick(page, dialog.getByTestId('school-select'), '端到端人员中学');
    await dialog.getByLabel('用户名').fill('kgy-e2e-01');
    await dialog.getByLabel('显示名称').fill('端到端卡管员');
    await dialog.getByLabel('初始密码').fill('Card-manager-2026');
    await dialog.getByRole('button', { name: /新\s*建/ }).click();
    // What lasts, not the success toast (it can fade before a busy machine looks): the dialog
    // closes, the table lists the account, and the server holds it.
    await dialog.waitFor({ state: 'hidden' });
    const created = tableRows(page, 'staff-table').filter({ hasText: 'kgy-e2e-01' });
    await created.getByText('端到端卡管员').waitFor();
    await created.getByText('学校卡管员').waitFor();
    await created.getByText('端到端人员中学').waitFor();
    const stored = await e2e.t.ctx.db.selectFrom('staff_users').select(['display_name', 'role', 'school_id']).where('username', '=', 'kgy-e2e-01').executeTakeFirstOrThrow();
    expect(stored).toEqual({ display_name: '端到端卡管员', role: 'school_admin', school_id: school.id });
    await e2e.screenshot(page, 'admin-staff');

    // The same username again: the server's 409, in Chinese, inside the dialog.
    await page.getByTestId('new-staff').click();
    await pick(page, dialog.getByTestId('school-select'), '端到端人员中学');
    await dialog.getByLabel('用户名').fill('kgy-e2e-01');
    await dialog.getByLabel('显示名称').fill('重复');
    await dialog.getByLabel('初始密码').fill('Card-manager-2026');
    await dialog.getByRole('button', { name: /新\s*建/ }).click();
    await dialog.getByTestId('load-error').getByText('用户名已被使用').waitFor();
    await dialog.getByRole('button', { name: /取\s*消/ }).click();

    // Bind a parent on the student's page; the parent is told by SMS.
    await page.goto(`${e2e.baseUrl}/admin/students/${student.id}`);
    const bind = page.getByTestId('bind-parent-form');
    await bind.getByLabel('手机号').fill('13912345678');
    await bind.getByLabel('关系').fill('母亲');
    await bind.getByRole('button', { name: '绑定家长' }).click();
    await page.getByTestId('parents-list').getByText('139****5678（母亲）').waitFor();
    await page.getByTestId('student-history').getByText('绑定家长').waitFor();
    expect(await page.content()).not.toContain('13912345678');

    await menu(page).getByText('短信发件箱', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/sms-outbox`);
    const sms = tableRows(page, 'sms-table').filter({ hasText: '139****5678' });
    await sms.getByText('您已绑定学生吴**', { exact: false }).waitFor();
    expect(await page.content()).not.toContain('13912345678');
    await e2e.screenshot(page, 'admin-sms-outbox');
  });
});
