import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { changeAppPassword, describeE2E, settled, signInToConsole, submitAppSignIn, useE2E } from './support.js';

/**
 * The two web shells in a real browser against the real server: the student/parent app at `/`
 * and the admin console at `/admin/`. Needs `npm run build:web` first (the server serves dist/web).
 */

describeE2E('web shells in Chromium', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** The forced change after a first sign-in, up to the app's tab bar with the success toast gone. */
  async function changeInitialPassword(page: Page, current: string, next: string) {
    await changeAppPassword(page, current, next);
    await page.getByTestId('tab-bar').waitFor();
    await settled(page);
  }

  it('student app: signs in, shows the tab bar, the masked name, English and sign-out', async () => {
    const student = await e2e.t.factory.newStudent({ name: '王小明' });
    const page = await e2e.newPage();

    await page.goto(url('/'));
    await page.waitForURL(url('/login'));
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByRole('tab', { name: '学生' }).waitFor();
    await page.getByRole('tab', { name: '家长' }).waitFor();
    await e2e.screenshot(page, 'app-login');

    // A wrong password: the server's error, in Chinese, as a toast.
    await submitAppSignIn(e2e, page, { as: 'student', login: student.education_id, password: 'wrong-password' });
    await page.getByText('账号或密码错误').waitFor();

    await page.getByPlaceholder('请输入密码').fill(student.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(url('/'));

    // The initial password must be changed before the app opens (test/e2e/app-identity.test.ts has the details).
    await page.getByTestId('must-change-password').waitFor();
    await changeInitialPassword(page, student.password, 'Student2026');

    const tabBar = page.getByTestId('tab-bar');
    for (const tab of ['首页', '卡片', '我的']) await tabBar.getByText(tab, { exact: true }).waitFor();
    await page.getByText('暂无待办').waitFor();
    await e2e.screenshot(page, 'app-home');

    await tabBar.getByText('卡片', { exact: true }).click();
    await page.waitForURL(url('/cards'));
    await page.getByText('暂无卡片').waitFor();

    await tabBar.getByText('我的', { exact: true }).click();
    await page.waitForURL(url('/me'));
    await expect(page.getByTestId('me-name').textContent()).resolves.toBe('王**');
    expect(await page.content()).not.toContain('王小明');
    await e2e.screenshot(page, 'app-me');

    // English switch: labels change, the choice survives a reload.
    await page.getByText('English', { exact: true }).click();
    await tabBar.getByText('Cards', { exact: true }).waitFor();
    await page.reload();
    await tabBar.getByText('Me', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(url('/login'));
    expect(await page.evaluate(() => localStorage.getItem('onecard.app.token'))).toBeNull();
  });

  it('parent app: signs in by phone and sees only masked details', async () => {
    const parent = await e2e.t.factory.newParent();
    const page = await e2e.newPage();

    await submitAppSignIn(e2e, page, { as: 'parent', login: parent.phone, password: parent.password });
    await page.waitForURL(url('/'));
    await page.getByTestId('must-change-password').waitFor();
    await changeInitialPassword(page, parent.password, 'Parent2026');

    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await expect(page.getByTestId('me-name').textContent()).resolves.toBe('测***'); // 测试家长
    await page.getByText(`${parent.phone.slice(0, 3)}****${parent.phone.slice(-4)}`).waitFor();
    expect(await page.content()).not.toContain(parent.phone);
  });

  it('admin console: an operator signs in and pages through the schools on the server', async () => {
    for (let i = 1; i <= 22; i++) await e2e.t.factory.newSchool({ name: `端到端测试学校${String(i).padStart(2, '0')}` });
    const special = await e2e.t.factory.newSchool({ name: '海淀区端到端实验中学', stage: 'high' });
    const schoolsInCodeOrder = await e2e.t.ctx.db.selectFrom('schools').select('name').orderBy('code').execute();
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await e2e.newPage({ mobile: false });

    // The console's root sends a stranger to the sign-in page.
    await page.goto(url('/admin/'));
    await page.waitForURL(url('/admin/login'));
    await signInToConsole(e2e, operator, { page });

    const menu = page.getByTestId('sider-menu');
    await menu.getByText('学校', { exact: true }).waitFor();
    await menu.getByText('审计日志', { exact: true }).waitFor();
    await page.getByTestId('header-user').getByText(operator.display_name).waitFor();

    const rows = page.getByTestId('schools-table').locator('tbody tr.ant-table-row');
    await page.getByText(`共 ${schoolsInCodeOrder.length} 条`).waitFor();
    await expect.poll(() => rows.count()).toBe(20);
    for (const school of schoolsInCodeOrder.slice(0, 20)) await rows.getByText(school.name, { exact: true }).waitFor();
    await e2e.screenshot(page, 'admin-schools');

    // Page 2 comes from the server, not from a list already in the browser.
    const pageTwo = page.waitForRequest((r) => r.url().includes('/api/v1/admin/schools') && new URL(r.url()).searchParams.get('page') === '2');
    await page.locator('.ant-pagination-item-2').click();
    await pageTwo;
    await expect.poll(() => rows.count()).toBe(schoolsInCodeOrder.length - 20);
    await rows.getByText(schoolsInCodeOrder[20]!.name, { exact: true }).waitFor();
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');

    const search = page.waitForRequest((r) => r.url().includes('/api/v1/admin/schools') && new URL(r.url()).searchParams.get('q') === '实验中学');
    await page.getByPlaceholder('按名称或代码搜索').fill('实验中学');
    await page.getByPlaceholder('按名称或代码搜索').press('Enter');
    await search;
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText(special.name, { exact: true }).waitFor();
    await rows.getByText('高中', { exact: true }).waitFor();

    await menu.getByText('审计日志', { exact: true }).click();
    await page.waitForURL(url('/admin/audit-log'));
    await page.getByTestId('audit-table').getByText('登录成功').first().waitFor(); // the action in words (audit/actionLabels.ts)
    await e2e.screenshot(page, 'admin-audit-log');
  });

  it('admin console: a school card manager sees only their school and no audit log', async () => {
    const manager = await e2e.t.factory.newStaff('school_admin');
    const page = await signInToConsole(e2e, manager);

    const menu = page.getByTestId('sider-menu');
    await menu.getByText('学校', { exact: true }).waitFor();
    expect(await menu.getByText('审计日志', { exact: true }).count()).toBe(0);
    const rows = page.getByTestId('schools-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    const own = await e2e.t.ctx.db.selectFrom('schools').select('code').where('id', '=', manager.school_id!).executeTakeFirstOrThrow();
    await rows.getByText(own.code, { exact: true }).waitFor();
    await page.getByText('English', { exact: true }).click();
    await menu.getByText('Schools', { exact: true }).waitFor();
    await page.getByRole('columnheader', { name: 'Students' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/admin/login'));
  });
});
