import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { apiAs, dispatchUndeliverableSticker, hoursLater } from './fulfilment-support.js';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * 重新配送 in the console, in Chromium against the real server: a home parcel the sandbox courier
 * could not deliver is back at the card centre; the school card manager finds the application by
 * its status, sends the card to the school instead, signs for the new parcel and hands the sticker
 * over. An operator who chooses after the holder already has sees the refusal in the dialog.
 * Needs `npm run build:web` first.
 */
describeE2E('re-delivery of a returned parcel in the console', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /**
   * A damaged sticker sent home to a phone nobody answers; two days after dispatch the parcel is
   * back at the card centre and the application waits for a choice.
   */
  async function returnedApplication(name: string, day: string) {
    const { school, student, sticker, applicationId: id, batchId } = await dispatchUndeliverableSticker(e2e, name, day);
    await hoursLater(e2e, day, 48);
    expect(await applicationRow(id)).toMatchObject({ status: 'returned_to_centre', delivery_method: 'home' });
    return { school, student, sticker, applicationId: id, batchId };
  }

  const applicationRow = (id: string) =>
    e2e.t.ctx.db.selectFrom('card_applications').select(['status', 'delivery_method', 'phone', 'address', 'delivery_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const rows = (page: Page, table: string) => page.getByTestId(table).locator('tbody tr.ant-table-row');

  async function filterApplications(page: Page, status: string) {
    await page.getByTestId('application-status-select').click();
    await page.locator('.ant-select-item-option', { hasText: status }).click();
  }

  it('a card manager finds the returned sticker and sends it to the school, then hands it over', async () => {
    const { t } = e2e;
    const returned = await returnedApplication('退回到校', '2026-11-23');
    const manager = await t.factory.newStaff('school_admin', { schoolId: returned.school.id });
    const page = await signInToConsole(e2e, manager);
    await page.getByTestId('sider-menu').getByText('补卡与卡贴申请', { exact: true }).click();
    await page.waitForURL(url('/admin/fulfilment/applications'));
    await filterApplications(page, '已退回，待选择配送');
    await page.waitForURL(/status=returned_to_centre/);
    await expect.poll(() => rows(page, 'applications-table').count()).toBe(1);
    const row = rows(page, 'applications-table').first();
    await expect(row.getByTestId('application-status').getAttribute('data-status')).resolves.toBe('returned_to_centre');
    await expect(row.getByTestId('application-reason').textContent()).resolves.toBe('损坏');

    await e2e.screenshot(page, 'admin-redelivery-returned-list');
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/v1/fulfilment/applications/${returned.applicationId}/redelivery`)) keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await row.getByTestId('application-redeliver').click();
    const dialog = page.getByTestId('redelivery-modal');
    await dialog.getByText('配送失败的卡片已退回制卡中心', { exact: false }).waitFor();
    await expect(dialog.getByRole('radio', { name: '配送到校' }).isChecked()).resolves.toBe(true);
    await e2e.screenshot(page, 'admin-redelivery-modal');
    await page.getByTestId('redelivery-submit').click();
    await dialog.waitFor({ state: 'detached' });

    // Filtered by 已退回 it has left the list; unfiltered it is on its way to the school.
    await expect.poll(() => rows(page, 'applications-table').count()).toBe(0);
    await page.goto(url('/admin/fulfilment/applications'));
    await expect.poll(() => rows(page, 'applications-table').first().getByTestId('application-status').getAttribute('data-status')).toBe('dispatched');
    await expect(rows(page, 'applications-table').first().textContent()).resolves.toContain('配送到校');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[\w-]{16,}$/);
    const after = await applicationRow(returned.applicationId);
    expect(after).toMatchObject({ status: 'dispatched', delivery_method: 'school', phone: null, address: null });
    const parcels = await t.ctx.db.selectFrom('deliveries').select(['id', 'method', 'status']).where('batch_id', '=', returned.batchId).orderBy('created_at').execute();
    expect(parcels.map((p) => [p.method, p.status])).toEqual([['home', 'returned'], ['school', 'in_transit']]);
    expect(after.delivery_id).toBe(parcels[1]!.id);

    // The deliveries page tells the returned parcel from the new one, and signs for the new one.
    await page.getByTestId('sider-menu').getByText('配送与领卡', { exact: true }).click();
    await page.waitForURL(url('/admin/fulfilment/deliveries'));
    await page.getByTestId('delivery-status-select').click();
    await page.locator('.ant-select-item-option', { hasText: '已退回制卡中心' }).click();
    await expect.poll(() => rows(page, 'deliveries-table').count()).toBe(1);
    await expect(rows(page, 'deliveries-table').first().getByTestId('delivery-status').textContent()).resolves.toBe('已退回制卡中心');
    await page.goto(url('/admin/fulfilment/deliveries'));
    await page.getByTestId('delivery-received').click();
    await expect.poll(() => t.ctx.db.selectFrom('deliveries').select('status').where('id', '=', parcels[1]!.id).executeTakeFirstOrThrow().then((d) => d.status)).toBe('delivered');

    await page.goto(url('/admin/fulfilment/applications'));
    await page.getByTestId('application-pickup').click();
    await expect.poll(() => rows(page, 'applications-table').first().getByTestId('application-status').getAttribute('data-status')).toBe('completed');
    const history = await t.ctx.db.selectFrom('card_status_events').select('to_status').where('card_id', '=', returned.sticker.id).orderBy('version').execute();
    expect(history.map((e) => e.to_status)).toEqual(['active', 'replaced']);
  });

  it('an operator who chooses after the holder already did sees the refusal in the dialog', async () => {
    const { t } = e2e;
    const returned = await returnedApplication('晚一步', '2026-11-26');
    const operator = await t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.goto(url('/admin/fulfilment/applications?status=returned_to_centre'));
    await expect.poll(() => rows(page, 'applications-table').count()).toBe(1);
    await rows(page, 'applications-table').first().getByTestId('application-redeliver').click();
    const dialog = page.getByTestId('redelivery-modal');
    await dialog.getByText('配送失败的卡片已退回制卡中心', { exact: false }).waitFor();
    // A click that lands while the dialog is still opening can be lost (CI saw one): click until it is chosen.
    const home = dialog.getByRole('radio', { name: '配送到家' });
    await expect.poll(async () => {
      if (!(await home.isChecked())) await home.click();
      return home.isChecked();
    }).toBe(true);
    await page.getByLabel('收件人').fill('新收件人');
    await page.getByLabel('手机号').fill('1392222');
    await page.getByLabel('收件地址').fill('北京市东城区东直门内大街2号');
    await page.getByTestId('redelivery-submit').click();
    await dialog.getByText('请填写11位手机号').waitFor();
    expect((await applicationRow(returned.applicationId)).status).toBe('returned_to_centre');

    // Meanwhile the student chose pickup at school in the app (signed in again: two days have passed).
    const studentToken = await t.factory.loginAs('student', returned.student.education_id, returned.student.password);
    await apiAs(e2e, studentToken, 'POST', `/fulfilment/applications/${returned.applicationId}/redelivery`, { method: 'school' });
    await page.getByLabel('手机号').fill('13922223333');
    await page.getByTestId('redelivery-submit').click();
    const refusal = page.getByTestId('redelivery-error');
    await expect.poll(() => refusal.getAttribute('data-code')).toBe('FULFILMENT_STATUS_INVALID');
    await expect(refusal.textContent()).resolves.toContain('申请当前状态不能执行该操作');
    await expect(refusal.textContent()).resolves.toContain('列表已刷新');
    await e2e.screenshot(page, 'admin-redelivery-refused');
    // The list behind the dialog is refreshed: nothing is waiting for a choice any more.
    await expect.poll(() => rows(page, 'applications-table').count()).toBe(0);
    expect(await applicationRow(returned.applicationId)).toMatchObject({ status: 'dispatched', delivery_method: 'school', phone: null });
    const steps = await t.ctx.db.selectFrom('card_application_steps').select('step').where('application_id', '=', returned.applicationId).where('step', '=', 'redispatched').execute();
    expect(steps).toHaveLength(1);
  });
});
