import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { dispatchUndeliverableSticker, hoursLater } from './fulfilment-support.js';
import { describeE2E, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * 退件已签收 in the console, in Chromium against the real server: a home parcel the sandbox courier
 * gave up on is back at the card centre although the courier never says so; an operator marks it,
 * and the parcel and its application move on. A card manager does not get the action. Meanwhile
 * the holder's 退卡 screen explains why the card waits for its replacement. Needs `npm run build:web` first.
 */
describeE2E('a home parcel marked back at the card centre', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /**
   * A damaged sticker sent home to a phone nobody answers; 25 hours after dispatch the sandbox
   * courier reports the parcel failed (it would say it is back only after 48 hours) and the
   * application waits for the card to come back.
   */
  async function failedParcel(name: string, day: string) {
    const { school, student, sticker, applicationId } = await dispatchUndeliverableSticker(e2e, name, day);
    await hoursLater(e2e, day, 25);
    const app = await applicationRow(applicationId);
    expect(app).toMatchObject({ status: 'delivery_failed', delivery_method: 'home' });
    const parcel = await deliveryRow(app.delivery_id!);
    expect(parcel).toMatchObject({ method: 'home', status: 'failed' });
    return { school, student, sticker, applicationId, deliveryId: parcel.id, trackingNo: parcel.tracking_no! };
  }

  const applicationRow = (id: string) =>
    e2e.t.ctx.db.selectFrom('card_applications').select(['status', 'delivery_method', 'delivery_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const deliveryRow = (id: string) =>
    e2e.t.ctx.db.selectFrom('deliveries').select(['id', 'method', 'status', 'tracking_no', 'tracking_error']).where('id', '=', id).executeTakeFirstOrThrow();
  const rows = (page: Page, table: string) => page.getByTestId(table).locator('tbody tr.ant-table-row');

  it('an operator marks a failed home parcel back at the card centre; the parcel and its application move on', async () => {
    const { t } = e2e;
    const parcel = await failedParcel('退件签收', '2026-11-23');
    // A tracking round that failed since (the courier's system down): the console says so until a round goes well.
    await t.ctx.db.updateTable('deliveries').set({ tracking_error: '快递接口超时', tracked_at: t.clock.now() }).where('id', '=', parcel.deliveryId).execute();

    const operator = await t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.goto(url(`/admin/fulfilment/deliveries?schoolId=${parcel.school.id}`));
    const row = rows(page, 'deliveries-table').filter({ hasText: parcel.trackingNo });
    await expect.poll(() => row.getByTestId('delivery-status').getAttribute('data-status')).toBe('failed');
    const warning = row.getByTestId('delivery-tracking-error');
    await expect(warning.textContent()).resolves.toBe('物流查询失败：快递接口超时');
    await warning.hover();
    await page.locator('.ant-tooltip').getByText('上次查询：', { exact: false }).waitFor();
    await e2e.screenshot(page, 'admin-parcel-returned-failed');

    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/v1/admin/fulfilment/deliveries/${parcel.deliveryId}/returned`)) keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await row.getByTestId('delivery-mark-returned').click();
    await page.locator('.ant-popconfirm').getByText('制卡中心已收到退回的包裹？').waitFor();
    await e2e.screenshot(page, 'admin-parcel-returned-confirm');
    await page.getByTestId('delivery-mark-returned-confirm').click();

    // The list is refreshed: the parcel is back, its tracking failure gone, and nothing is left to mark.
    await expect.poll(() => row.getByTestId('delivery-status').getAttribute('data-status')).toBe('returned');
    await expect(row.getByTestId('delivery-status').textContent()).resolves.toBe('已退回制卡中心');
    expect(await row.getByTestId('delivery-tracking-error').count()).toBe(0);
    expect(await row.getByTestId('delivery-mark-returned').count()).toBe(0);
    expect(await row.textContent()).toContain('运营人员确认');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[\w-]{16,}$/);
    expect(await deliveryRow(parcel.deliveryId)).toMatchObject({ status: 'returned', tracking_error: null });
    expect((await applicationRow(parcel.applicationId)).status).toBe('returned_to_centre');
    const steps = await t.ctx.db.selectFrom('card_application_steps').select(['step', 'actor_role']).where('application_id', '=', parcel.applicationId).where('step', '=', 'returned_to_centre').execute();
    expect(steps).toEqual([{ step: 'returned_to_centre', actor_role: 'operator' }]);

    // The application now waits for a delivery choice in the applications list.
    await page.goto(url(`/admin/fulfilment/applications?schoolId=${parcel.school.id}&status=returned_to_centre`));
    await expect.poll(() => rows(page, 'applications-table').count()).toBe(1);
    await expect(rows(page, 'applications-table').first().getByTestId('application-status').getAttribute('data-status')).resolves.toBe('returned_to_centre');
    await rows(page, 'applications-table').first().getByTestId('application-redeliver').waitFor();
  });

  it('a card manager sees the failed parcel but not the action', async () => {
    const { t } = e2e;
    const parcel = await failedParcel('卡管不可见', '2026-11-26');
    const manager = await t.factory.newStaff('school_admin', { schoolId: parcel.school.id });
    const page = await signInToConsole(e2e, manager);
    await page.goto(url('/admin/fulfilment/deliveries'));
    const row = rows(page, 'deliveries-table').filter({ hasText: parcel.trackingNo });
    await expect.poll(() => row.getByTestId('delivery-status').getAttribute('data-status')).toBe('failed');
    // The actions cell is drawn (refreshing the tracking is the manager's too); marking the parcel back is not.
    await row.getByRole('button', { name: '刷新物流' }).waitFor();
    expect(await row.getByTestId('delivery-mark-returned').count()).toBe(0);
    expect((await deliveryRow(parcel.deliveryId)).status).toBe('failed');
  });

  it('the holder cannot return the card while its replacement is under way, and is shown the application', async () => {
    const { t } = e2e;
    const parcel = await failedParcel('补换中退卡', '2026-11-29');
    const page = await signInToApp(e2e, { as: 'student', login: parcel.student.education_id, password: parcel.student.password });
    await page.goto(url(`/cards/${parcel.sticker.id}/return`));
    await expect.poll(() => page.getByTestId('return').getAttribute('data-returnable')).toBe('false');
    const blocked = page.getByTestId('return-blocked');
    await expect(blocked.getAttribute('data-code')).resolves.toBe('FULFILMENT_APPLICATION_OPEN');
    await expect(blocked.textContent()).resolves.toBe('该卡正在办理补卡（补换卡贴），暂不能退卡');
    await expect(page.getByTestId('return-application-open').textContent()).resolves.toContain('领取新卡后，对新卡办理退卡');
    expect(await page.getByTestId('return-submit').count()).toBe(0);
    await page.getByTestId('return-application-link').waitFor();
    await e2e.screenshot(page, 'app-return-application-open');

    await page.getByTestId('return-application-link').click();
    await page.waitForURL(url(`/card-applications/${parcel.applicationId}`));
    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('delivery_failed');
    const card = await t.ctx.db.selectFrom('cards').select('status').where('id', '=', parcel.sticker.id).executeTakeFirstOrThrow();
    expect(card.status).toBe('active');
    expect(await t.ctx.db.selectFrom('card_returns').select('id').where('card_id', '=', parcel.sticker.id).execute()).toEqual([]);
  });
});
