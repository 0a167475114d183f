import { expect, it } from 'vitest';
import { describeE2E, settled, signInToApp, useE2E } from './support.js';
import { dispatchUndeliverableSticker, hoursLater } from './fulfilment-support.js';

/**
 * The app's screens for a damaged sticker and for a parcel the courier could not deliver, in
 * Chromium against the real server: the sticker wizard offers 损坏 for a sticker still in use (no
 * loss report; the sticker keeps working), and once a home parcel is back at the card centre the
 * progress page lets the student have it sent again to a new address. Needs `npm run build:web`.
 */
describeE2E('damaged sticker and re-delivery in the app', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  async function highSchoolStudent(name: string) {
    const school = await e2e.t.factory.newSchool({ stage: 'high', name: '补换卡贴高中' });
    const s = await e2e.t.factory.newStudent({ name, schoolId: school.id });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    const sticker = await e2e.t.factory.newCard(s.id, { product: 'k12_sticker' });
    return { student: s, sticker };
  }

  const statusOf = async (cardId: string) => (await e2e.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;

  it('a sticker in use is replaced as damaged, without a loss report, and keeps working meanwhile', async () => {
    const { student: s, sticker } = await highSchoolStudent('卡贴损坏生');
    const page = await signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });
    await page.goto(url(`/cards/${sticker.id}`));
    await page.getByTestId('sticker-hint').waitFor();
    await page.getByTestId('action-sticker').click();
    await page.waitForURL(url(`/cards/${sticker.id}/sticker`));
    await page.getByTestId('wizard-name').locator('input').fill('卡贴损坏生');
    await page.getByTestId('wizard-id-number').locator('input').fill(s.id_number);
    await page.getByTestId('wizard-education-id').locator('input').fill(s.education_id);
    await page.getByTestId('wizard-verify').click();
    // The server offers only 损坏 for a sticker in use, and the wizard says what that means.
    const reason = page.getByTestId('wizard-reason');
    await expect.poll(() => reason.getAttribute('data-reason')).toBe('damaged');
    await expect(reason.textContent()).resolves.toContain('新卡贴领取前，原卡贴仍可正常使用');
    await page.getByTestId('wizard-apply').click();
    await page.getByTestId('delivery-school').click();
    await page.getByTestId('delivery-submit').click();
    await page.waitForURL(/\/card-applications\//);
    await expect.poll(() => page.getByTestId('application-reason').textContent()).toBe('损坏');
    const applicationId = page.url().split('/').at(-1)!;
    const row = await e2e.t.ctx.db.selectFrom('card_applications').select(['reason', 'old_card_id', 'status']).where('id', '=', applicationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ reason: 'damaged', old_card_id: sticker.id, status: 'ready_for_production' });
    expect(await statusOf(sticker.id)).toBe('active');
    await settled(page);
    await e2e.screenshot(page, 'h4-sticker-damaged-progress');
  });

  it('a parcel back at the card centre is sent home again from the progress page', async () => {
    const { t } = e2e;
    // Applied for (damaged, to a phone nobody answers in the sandbox), confirmed, produced and dispatched;
    // two days later the courier has given up and the card centre has it back.
    const { student: s, sticker, applicationId, batchId } = await dispatchUndeliverableSticker(e2e, '退回重寄生', '2026-11-23');
    await hoursLater(e2e, '2026-11-23', 48);
    expect((await t.ctx.db.selectFrom('card_applications').select('status').where('id', '=', applicationId).executeTakeFirstOrThrow()).status).toBe('returned_to_centre');

    const page = await signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });
    await page.goto(url(`/card-applications/${applicationId}`));
    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('returned_to_centre');
    await expect(page.getByTestId('application-status').textContent()).resolves.toBe('已退回制卡中心，请选择配送方式');
    const redelivery = page.getByTestId('redelivery');
    await expect(redelivery.textContent()).resolves.toContain('卡片已退回制卡中心');
    await settled(page);
    await e2e.screenshot(page, 'h4-redelivery-choice');
    await redelivery.getByTestId('delivery-home').click();
    await redelivery.getByTestId('delivery-recipient').locator('input').fill('新收件人');
    await redelivery.getByTestId('delivery-phone').locator('input').fill('13922223333');
    await redelivery.getByTestId('delivery-address').locator('input').fill('北京市东城区东直门内大街2号');
    await redelivery.getByTestId('delivery-submit').click();

    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('dispatched');
    expect(await page.getByTestId('redelivery').count()).toBe(0);
    await expect(page.locator('body').textContent()).resolves.toContain('139****3333');
    await expect(page.locator('body').textContent()).resolves.not.toContain('13922223333');
    const steps = await page.getByTestId('application-step').evaluateAll((els) => els.map((el) => el.getAttribute('data-step')));
    expect(steps.slice(-3)).toEqual(['delivery_failed', 'returned_to_centre', 'redispatched']);
    const row = await t.ctx.db.selectFrom('card_applications').select(['status', 'delivery_method', 'phone', 'address']).where('id', '=', applicationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'dispatched', delivery_method: 'home', phone: '13922223333', address: '北京市东城区东直门内大街2号' });
    // The new parcel is with the courier already; the damaged sticker still works until it arrives.
    const parcels = await t.ctx.db.selectFrom('deliveries').select(['status', 'tracking_no']).where('batch_id', '=', batchId).orderBy('created_at').execute();
    expect(parcels.map((p) => p.status)).toEqual(['returned', 'in_transit']);
    expect(await statusOf(sticker.id)).toBe('active');
  });
});
