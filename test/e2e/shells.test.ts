import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, webDistDir } from '../../src/platform/paths.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * The two web shells in a real browser against the real server: the student/parent app at `/`
 * and the admin console at `/admin/`. Needs `npm run build:web` first (the server serves dist/web).
 */

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(executablePath);
const browserRequired = process.env.REQUIRE_E2E === '1';
const resultsDir = resolve(projectRoot(), 'test-results');

if (!hasBrowser && !browserRequired) {
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${executablePath}. ` +
      'Install Debian\'s chromium or set CHROMIUM_PATH; set REQUIRE_E2E=1 to make this a failure.\n',
  );
}

describe.skipIf(!hasBrowser && !browserRequired)('web shells in Chromium', () => {
  let server: TestApp;
  let browser: Browser;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];
  /** Uncaught exceptions and console errors, other than the failed requests a test provokes. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!hasBrowser) {
      throw new Error(`REQUIRE_E2E=1 but there is no Chromium at ${executablePath}: install chromium or point CHROMIUM_PATH at one`);
    }
    for (const app of ['app', 'admin'] as const) {
      if (!existsSync(resolve(webDistDir(app), 'index.html'))) {
        throw new Error(`dist/web/${app} is not built: run \`npm run build:web\` before the e2e tests`);
      }
    }
    mkdirSync(resultsDir, { recursive: true });
    server = await createTestApp();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  async function openPage(options: { mobile: boolean }): Promise<Page> {
    const context = await browser.newContext(
      options.mobile
        ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }
        : { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' },
    );
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  async function screenshot(page: Page, name: string) {
    await expect.poll(() => page.locator('.ant-spin-spinning').count()).toBe(0);
    await page.screenshot({ path: resolve(resultsDir, `${name}.png`), fullPage: true, animations: 'disabled' });
  }

  async function changeInitialPassword(page: Page, current: string, next: string) {
    await page.getByPlaceholder('请输入当前密码').fill(current);
    await page.getByPlaceholder('请输入新密码').fill(next);
    await page.getByPlaceholder('请再次输入新密码').fill(next);
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('tab-bar').waitFor();
    // The success toast fades before the screenshots.
    await expect.poll(() => page.locator('.adm-toast-mask').count(), { timeout: 5000 }).toBe(0);
  }

  it('student app: signs in, shows the tab bar, the masked name, English and sign-out', async () => {
    const student = await server.factory.newStudent({ name: '王小明' });
    const page = await openPage({ mobile: true });

    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/login`);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByRole('tab', { name: '学生' }).waitFor();
    await page.getByRole('tab', { name: '家长' }).waitFor();
    await screenshot(page, 'app-login');

    // A wrong password: the server's error, in Chinese, as a toast.
    await page.getByPlaceholder('请输入8位教育ID').fill(student.education_id);
    await page.getByPlaceholder('请输入密码').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByText('账号或密码错误').waitFor();

    await page.getByPlaceholder('请输入密码').fill(student.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/`);

    // The initial password must be changed before the app opens (test/e2e/app-identity.test.ts has the details).
    await page.getByTestId('must-change-password').waitFor();
    await changeInitialPassword(page, student.password, 'Student2026');

    const tabBar = page.getByTestId('tab-bar');
    for (const tab of ['首页', '卡片', '我的']) await tabBar.getByText(tab, { exact: true }).waitFor();
    await page.getByText('暂无待办').waitFor();
    await screenshot(page, 'app-home');

    await tabBar.getByText('卡片', { exact: true }).click();
    await page.waitForURL(`${baseUrl}/cards`);
    await page.getByText('暂无卡片').waitFor();

    await tabBar.getByText('我的', { exact: true }).click();
    await page.waitForURL(`${baseUrl}/me`);
    await expect(page.getByTestId('me-name').textContent()).resolves.toBe('王**');
    expect(await page.content()).not.toContain('王小明');
    await screenshot(page, 'app-me');

    // English switch: labels change, the choice survives a reload.
    await page.getByText('English', { exact: true }).click();
    await tabBar.getByText('Cards', { exact: true }).waitFor();
    await page.reload();
    await tabBar.getByText('Me', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${baseUrl}/login`);
    expect(await page.evaluate(() => localStorage.getItem('onecard.app.token'))).toBeNull();
  });

  it('parent app: signs in by phone and sees only masked details', async () => {
    const parent = await server.factory.newParent();
    const page = await openPage({ mobile: true });

    await page.goto(`${baseUrl}/login`);
    await page.getByRole('tab', { name: '家长' }).click();
    await page.getByPlaceholder('请输入手机号').fill(parent.phone);
    await page.getByPlaceholder('请输入密码').fill(parent.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByTestId('must-change-password').waitFor();
    await changeInitialPassword(page, parent.password, 'Parent2026');

    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await expect(page.getByTestId('me-name').textContent()).resolves.toBe('测***'); // 测试家长
    await page.getByText(`${parent.phone.slice(0, 3)}****${parent.phone.slice(-4)}`).waitFor();
    expect(await page.content()).not.toContain(parent.phone);
  });

  it('admin console: an operator signs in and pages through the schools on the server', async () => {
    for (let i = 1; i <= 22; i++) await server.factory.newSchool({ name: `端到端测试学校${String(i).padStart(2, '0')}` });
    const special = await server.factory.newSchool({ name: '海淀区端到端实验中学', stage: 'high' });
    const schoolsInCodeOrder = await server.ctx.db.selectFrom('schools').select('name').orderBy('code').execute();
    const operator = await server.factory.newStaff('operator');
    const page = await openPage({ mobile: false });

    await page.goto(`${baseUrl}/admin/`);
    await page.waitForURL(`${baseUrl}/admin/login`);
    await page.getByLabel('用户名').fill(operator.username);
    await page.getByLabel('密码').fill(operator.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(`${baseUrl}/admin/schools`);

    const menu = page.getByTestId('sider-menu');
    await menu.getByText('学校', { exact: true }).waitFor();
    await menu.getByText('审计日志', { exact: true }).waitFor();
    await page.getByTestId('header-user').getByText(operator.display_name).waitFor();

    const rows = page.getByTestId('schools-table').locator('tbody tr.ant-table-row');
    await page.getByText(`共 ${schoolsInCodeOrder.length} 条`).waitFor();
    await expect.poll(() => rows.count()).toBe(20);
    for (const school of schoolsInCodeOrder.slice(0, 20)) await rows.getByText(school.name, { exact: true }).waitFor();
    await screenshot(page, 'admin-schools');

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
    await page.waitForURL(`${baseUrl}/admin/audit-log`);
    await page.getByTestId('audit-table').getByText('login.succeeded').first().waitFor();
    await screenshot(page, 'admin-audit-log');
  });

  it('admin console: a school card manager sees only their school and no audit log', async () => {
    const manager = await server.factory.newStaff('school_admin');
    const page = await openPage({ mobile: false });

    await page.goto(`${baseUrl}/admin/login`);
    await page.getByLabel('用户名').fill(manager.username);
    await page.getByLabel('密码').fill(manager.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(`${baseUrl}/admin/schools`);

    const menu = page.getByTestId('sider-menu');
    await menu.getByText('学校', { exact: true }).waitFor();
    expect(await menu.getByText('审计日志', { exact: true }).count()).toBe(0);
    const rows = page.getByTestId('schools-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    const own = await server.ctx.db.selectFrom('schools').select('code').where('id', '=', manager.school_id!).executeTakeFirstOrThrow();
    await rows.getByText(own.code, { exact: true }).waitFor();
    await page.getByText('English', { exact: true }).click();
    await menu.getByText('Schools', { exact: true }).waitFor();
    await page.getByRole('columnheader', { name: 'Students' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${baseUrl}/admin/login`);
  });
});
