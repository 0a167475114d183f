import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * A console tab opened before a deploy (lazyPage.tsx, reloadOnce.ts): the page chunk it knows is gone. The tab reloads once;
 * if the chunk is still missing right after, the page shows the load error instead of looping.
 */
describeE2E('admin console: a missing page chunk', () => {
  const e2e = useE2E();

  /** Counts the console's document loads (first load and reloads) from now on. */
  function countDocuments(page: Page) {
    const counter = { documents: 0 };
    page.on('request', (request) => {
      if (request.resourceType() === 'document') counter.documents += 1;
    });
    return counter;
  }

  it('reloads once and shows the page when the reload finds the new files', async () => {
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    let refused = 0;
    await page.route(/\/assets\/StaffPage-[^/]*\.js$/, (route) => (refused++ === 0 ? route.fulfill({ status: 404, body: 'gone' }) : route.continue()));
    const loads = countDocuments(page);
    await page.getByTestId('sider-menu').getByText('工作人员', { exact: true }).click();
    await page.getByTestId('staff-table').waitFor();
    expect(loads.documents).toBe(1);
    expect(refused).toBe(2); // the stale request, then the one after the reload
  });

  it('shows the load error, not a reload loop, when the files are still missing after the reload', async () => {
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.route(/\/assets\/StaffPage-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
    const loads = countDocuments(page);
    await page.getByTestId('sider-menu').getByText('工作人员', { exact: true }).click();
    await page.getByTestId('load-error').getByText('加载失败').waitFor();
    expect(loads.documents).toBe(1);
    expect(page.url()).toBe(`${e2e.baseUrl}/admin/staff`);
    await page.getByTestId('sider-menu').waitFor(); // the layout stays usable
    for (const error of e2e.takePageErrors()) expect(error).toContain('Failed to fetch dynamically imported module');
  });
});
