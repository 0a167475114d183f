import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { dispatchUndeliverableSticker, hoursLater } from './fulfilment-support.js';
import { describeE2E, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * A home parcel's tracking as the family and the console read it, in Chromium against the real
 * server: the courier by name (模拟快递 / Sandbox courier, not "sandbox"), the status in words
 * (运输中 / In transit, not in_transit), the courier's scans, and each step's note in the reader's
 * language; the console's 物流信息 in its own language, never one 'zh / en' string. Needs
 * `npm run build:web`.
 */
describeE2E('home delivery tracking in the reader’s language', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const day = '2026-11-23';
  const inLanguage = async (page: Page, lang: 'en' | 'zh-CN', path: string) => {
    await page.evaluate((value) => localStorage.setItem('onecard.lang', value), lang);
    await page.goto(url(path));
  };

  it('the family sees the courier, the status in words, its scans and the notes in zh and en; the console in its language', async () => {
    const { student, applicationId, batchId } = await dispatchUndeliverableSticker(e2e, '物流查看生', day);
    const trackingNo = (await e2e.t.ctx.db.selectFrom('deliveries').select('tracking_no').where('batch_id', '=', batchId).executeTakeFirstOrThrow()).tracking_no!;
    const account = { as: 'student', login: student.education_id, password: student.password } as const;
    let app = await signInToApp(e2e, account);

    // On its way: zh.
    await inLanguage(app, 'zh-CN', `/card-applications/${applicationId}`);
    await expect.poll(() => app.getByTestId('application-tracking-status').textContent()).toBe('运输中');
    await expect(app.getByTestId('application-courier').textContent()).resolves.toBe('模拟快递');
    await expect(app.getByTestId('application-tracking-no').textContent()).resolves.toBe(trackingNo);
    await expect(app.getByTestId('application-tracking-event').allTextContents()).resolves.toEqual([expect.stringContaining('快递员已揽收')]);
    const zhNotes = await app.getByTestId('application-step-note').allTextContents();
    expect(zhNotes).toContain('配送到家');
    expect(await app.getByTestId('application').textContent()).not.toMatch(/in_transit|sandbox| \/ /);
    await app.getByTestId('application-tracking-events').scrollIntoViewIfNeeded();
    await e2e.screenshot(app, 'fulfilment-tracking-zh');

    // The courier gives up a day later: en, newest scan first, the failure's note in English.
    await hoursLater(e2e, day, 25);
    app = await signInToApp(e2e, account); // a session of the new time
    await inLanguage(app, 'en', `/card-applications/${applicationId}`);
    await expect.poll(() => app.getByTestId('application-tracking-status').textContent()).toBe('Not delivered; being returned');
    await expect(app.getByTestId('application-courier').textContent()).resolves.toBe('Sandbox courier');
    const events = await app.getByTestId('application-tracking-event').allTextContents();
    expect(events).toHaveLength(3);
    expect(events[0]).toContain('Not delivered: the recipient could not be reached');
    expect(events[2]).toContain('Picked up by the courier');
    const enNotes = await app.getByTestId('application-step-note').allTextContents();
    expect(enNotes).toContain('Sent home by courier');
    expect(enNotes).toContain(`Sandbox courier ${trackingNo}: Not delivered: the recipient could not be reached; no fee collected; returning to the sender`);
    const page = (await app.getByTestId('application').textContent())!;
    expect(page).not.toMatch(/sandbox|in_transit|配送到家|快递员已揽收/);
    await app.getByTestId('application-tracking-events').scrollIntoViewIfNeeded();
    await e2e.screenshot(app, 'fulfilment-tracking-en');

    // The console, operator, in English: the courier by name and each scan in English only.
    const operator = await e2e.t.factory.newStaff('operator');
    const desk = await signInToConsole(e2e, operator);
    await desk.evaluate(() => localStorage.setItem('onecard.lang', 'en'));
    await desk.goto(url('/admin/fulfilment/deliveries'));
    const row = desk.getByTestId('deliveries-table').locator('tbody tr.ant-table-row').filter({ hasText: trackingNo });
    await expect.poll(() => row.getByTestId('delivery-tracking-no').textContent()).toBe(`Sandbox courier ${trackingNo}`);
    const scans = await row.getByTestId('delivery-event').allTextContents();
    expect(scans.at(0)).toContain('Picked up by the courier');
    expect(scans.join('\n')).not.toMatch(/[\u4e00-\u9fff]| \/ /);
    // And in Chinese, Chinese only.
    await desk.evaluate(() => localStorage.setItem('onecard.lang', 'zh-CN'));
    await desk.reload();
    await expect.poll(() => row.getByTestId('delivery-tracking-no').textContent()).toBe(`模拟快递 ${trackingNo}`);
    const zhScans = await row.getByTestId('delivery-event').allTextContents();
    expect(zhScans.at(0)).toContain('快递员已揽收');
    expect(zhScans.join('\n')).not.toMatch(/[a-z]{3,}/);
  });
});
