import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { projectRoot, webDistDir } from '../../src/platform/paths.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * The set-up every browser suite shares: the real server on a fresh database, headless Chromium,
 * pages that record uncaught errors, and screenshots into test-results/. Needs
 * `npm run build:web` first (the server serves dist/web).
 *
 *   describeE2E('my screens', () => {
 *     const e2e = useE2E();
 *     it('…', async () => { const page = await e2e.newPage(); await page.goto(`${e2e.baseUrl}/`); });
 *   });
 *
 * Below it, the steps many suites take: signing in to the console (signInToConsole) or the app
 * (signInToApp, submitAppSignIn), the app's password change, waiting for toasts to fade, losing
 * a response on the way back, and checking that a card manager is kept from operators' screens.
 */

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(executablePath);
const browserRequired = process.env.REQUIRE_E2E === '1';
export const resultsDir = resolve(projectRoot(), 'test-results');

/** True when there is no browser and none is required: the suites are skipped, loudly. */
export const e2eSkipped = !hasBrowser && !browserRequired;

if (e2eSkipped) {
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${executablePath}. ` +
      'Install Debian\'s chromium or set CHROMIUM_PATH; set REQUIRE_E2E=1 to make this a failure.\n',
  );
}

/** `describe` that is skipped without a browser unless REQUIRE_E2E=1 (then startE2E fails). */
export function describeE2E(name: string, body: () => void): void {
  describe.skipIf(e2eSkipped)(name, body);
}

export interface NewPageOptions {
  /** A 390×844 touch phone (default) or a 1280×800 desktop. */
  mobile?: boolean;
  locale?: string;
}

export interface E2E {
  /** The server under test: `t.factory` makes records, `t.ctx.db` reads and writes the database. */
  t: TestApp;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  browser: Browser;
  /** A page in its own browser context (own localStorage), closed by `close()`. */
  newPage(options?: NewPageOptions): Promise<Page>;
  /** Waits for spinners to settle, then writes test-results/<name>.png (full page). */
  screenshot(page: Page, name: string): Promise<void>;
  /** Uncaught exceptions and console errors since the last call, except failed resource loads. */
  takePageErrors(): string[];
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  if (!hasBrowser) {
    throw new Error(`REQUIRE_E2E=1 but there is no Chromium at ${executablePath}: install chromium or point CHROMIUM_PATH at one`);
  }
  for (const app of ['app', 'admin'] as const) {
    if (!existsSync(resolve(webDistDir(app), 'index.html'))) {
      throw new Error(`dist/web/${app} is not built: run \`npm run build:web\` before the e2e tests`);
    }
  }
  mkdirSync(resultsDir, { recursive: true });

  const t = await createTestApp();
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    await t.close();
    throw error;
  }
  const { port } = t.app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const launched = browser;

  return {
    t,
    baseUrl,
    browser: launched,
    async newPage({ mobile = true, locale = 'zh-CN' } = {}) {
      const context = await launched.newContext(
        mobile ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale } : { viewport: { width: 1280, height: 800 }, locale },
      );
      contexts.push(context);
      const page = await context.newPage();
      // Generous: CI machines are shared and slow at times; a wait that is long enough never hides a failure, it only reports it later.
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
    async screenshot(page, name) {
      for (let i = 0; i < 100 && (await page.locator('.ant-spin-spinning, .adm-skeleton, .adm-spin-loading').count()) > 0; i++) {
        await page.waitForTimeout(100);
      }
      // antd-mobile's dialogs and their masks fade in by script, which `animations: 'disabled'` does not stop.
      for (let i = 0; i < 20 && (await page.locator('.adm-mask').evaluateAll((masks) => masks.some((m) => getComputedStyle(m).opacity !== '1'))); i++) {
        await page.waitForTimeout(50);
      }
      await page.screenshot({ path: resolve(resultsDir, `${name}.png`), fullPage: true, animations: 'disabled' });
    },
    takePageErrors: () => pageErrors.splice(0),
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await launched.close();
      await t.close();
    },
  };
}

/**
 * Starts the server and the browser for the enclosing suite (in its first beforeAll), fails each
 * test that left uncaught page errors, and closes everything afterwards. The handle it returns
 * forwards to the started one, so suites can keep it in a const.
 */
export function useE2E(): E2E {
  let started: E2E | undefined;
  const current = (): E2E => {
    if (!started) throw new Error('the browser suite has not started: use the handle inside tests and hooks');
    return started;
  };
  beforeAll(async () => {
    started = await startE2E();
  });
  afterEach(() => {
    expect(current().takePageErrors()).toEqual([]);
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get t() {
      return current().t;
    },
    get baseUrl() {
      return current().baseUrl;
    },
    get browser() {
      return current().browser;
    },
    newPage: (options) => current().newPage(options),
    screenshot: (page, name) => current().screenshot(page, name),
    takePageErrors: () => current().takePageErrors(),
    close: () => current().close(),
  };
}

/** A staff member's console account, as `t.factory.newStaff` returns it. */
export interface StaffAccount {
  username: string;
  password: string;
}

/**
 * Signs a staff member in to the admin console on a desktop page (a new one unless given) and
 * waits for the page the console opens with, the schools list. Staff are not stopped for a
 * password change (the console only reminds them), so nothing stands in between.
 */
export async function signInToConsole(e2e: E2E, who: StaffAccount, { page }: { page?: Page } = {}): Promise<Page> {
  const target = page ?? (await e2e.newPage({ mobile: false }));
  await target.goto(`${e2e.baseUrl}/admin/login`);
  await target.getByLabel('用户名').fill(who.username);
  await target.getByLabel('密码').fill(who.password);
  await target.getByRole('button', { name: /登\s*录/ }).click();
  await target.waitForURL(`${e2e.baseUrl}/admin/schools`);
  return target;
}

/** An app account and the sign-in tab it uses: education ID, parent's phone, or campus card (student number or ID number). */
export interface AppAccount {
  as: 'student' | 'parent' | 'campus';
  login: string;
  password: string;
}

/** The Chinese sign-in page's tab and field placeholders for each kind of account. */
const appSignInForm = {
  student: { tab: '学生', login: '请输入8位教育ID', password: '请输入密码' },
  parent: { tab: '家长', login: '请输入手机号', password: '请输入密码' },
  campus: { tab: '校园卡', login: '请输入学号或身份证号', password: '请输入6位查询密码' },
} as const;

/**
 * Opens the app's sign-in page, fills in the account on its tab and sends it. What follows is the
 * caller's to check: a wrong password's message, or the forced change of a first password.
 */
export async function submitAppSignIn(e2e: E2E, page: Page, who: AppAccount): Promise<void> {
  const form = appSignInForm[who.as];
  await page.goto(`${e2e.baseUrl}/login`);
  await page.getByRole('tab', { name: form.tab }).click();
  await page.getByPlaceholder(form.login).fill(who.login);
  await page.getByPlaceholder(form.password).fill(who.password);
  await page.getByTestId('login-submit').click();
}

/**
 * Signs in to the app on a phone page (a new one unless given) and waits for the tab bar. Only for
 * accounts past their first password; the others stop at the forced change (see submitAppSignIn).
 */
export async function signInToApp(e2e: E2E, who: AppAccount, { page }: { page?: Page } = {}): Promise<Page> {
  const target = page ?? (await e2e.newPage());
  await submitAppSignIn(e2e, target, who);
  await target.getByTestId('tab-bar').waitFor();
  return target;
}

/** Fills in and sends the app's change-password form (the forced one after a first sign-in, or 修改密码). */
export async function changeAppPassword(page: Page, current: string, next: string): Promise<void> {
  await page.getByPlaceholder('请输入当前密码').fill(current);
  await page.getByPlaceholder('请输入新密码').fill(next);
  await page.getByPlaceholder('请再次输入新密码').fill(next);
  await page.getByTestId('change-password-submit').click();
}

/** Waits until the app's toasts have faded and its dialogs have closed: before a clean screenshot or the next tap. */
export async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.adm-toast-mask, .adm-dialog').count()).toBe(0);
}

/**
 * Presses a console confirmation's OK (antd Modal.confirm) until the dialog takes it: under load a
 * press can land while the dialog is still opening and be lost (CI saw it). A press while the
 * button shows its loading state is not repeated, so the action runs once.
 */
export async function pressDialogOk(page: Page, testId: string): Promise<void> {
  const ok = page.getByTestId(testId);
  await expect.poll(async () => {
    if ((await ok.count()) === 0) return true;
    const busy = await ok.evaluate((el) => el.classList.contains('ant-btn-loading')).catch(() => true);
    if (!busy) await ok.click({ timeout: 2_000 }).catch(() => undefined);
    return (await ok.count()) === 0;
  }, { timeout: 30_000 }).toBe(true);
}

/**
 * Lets the first request to `url` (a glob) reach the server but loses its answer, as a dropped
 * mobile connection does; later ones pass. Returns each request's Idempotency-Key in order, so a
 * test can check that the retry sent the same one. `page.unroute(url)` ends it.
 */
export async function loseFirstAnswer(page: Page, url: string): Promise<string[]> {
  const keys: string[] = [];
  await page.route(url, async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (keys.length > 1) return route.continue();
    await route.fetch();
    return route.abort('connectionreset');
  });
  return keys;
}

/**
 * Signs in a new school card manager and checks that the console keeps operators' screens from
 * them: none of `menu` is in the side menu, and each of `paths` (under /admin/) says so instead
 * of showing the page. Returns the manager's page, left on the last path.
 */
export async function expectOperatorsOnly(e2e: E2E, { menu, paths }: { menu: string[]; paths: string[] }): Promise<Page> {
  const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('school_admin'));
  const sider = page.getByTestId('sider-menu');
  await sider.getByText('卡片查询', { exact: true }).waitFor(); // the menu is drawn: an absent entry means something
  for (const item of menu) expect(await sider.getByText(item).count(), item).toBe(0);
  for (const path of paths) {
    await page.goto(`${e2e.baseUrl}/admin/${path}`);
    await page.getByText('只有运营人员可以使用此页面').waitFor();
  }
  return page;
}

/**
 * At the sandbox's cashier (Alipay or WeChat Pay, served under /api/v1/sandbox): pays, goes back to
 * the merchant, and waits for the app's result page to show the order paid.
 */
export async function payAtSandboxCashier(page: Page, gateway: 'alipay' | 'wechat'): Promise<void> {
  await page.waitForURL(new RegExp(`/api/v1/sandbox/${gateway}/cashier/`));
  await page.getByRole('button', { name: '确认支付' }).click();
  await page.getByRole('heading', { name: '支付成功' }).waitFor();
  await page.getByRole('link', { name: '返回商户' }).click();
  await page.locator('[data-testid="pay-result"][data-outcome="paid"]').waitFor();
}
