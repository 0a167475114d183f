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
      page.setDefaultTimeout(15_000);
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
