import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { apiAs } from './fulfilment-support.js';
import { describeE2E, pressDialogOk, signInToConsole, useE2E } from './support.js';

/**
 * 作废 in the console, in Chromium against the real server: a newcomer's first card went into a
 * batch, then the student moved to another school; the card still reaches the old school, where
 * the card manager sees that the student has moved and voids the card with a reason instead of
 * handing it over. The new school then opens its own first card. Needs `npm run build:web` first.
 */
describeE2E('a first card whose student moved is voided in the console', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const rows = (page: Page) => page.getByTestId('applications-table').locator('tbody tr.ant-table-row');
  const applicationRow = (id: string) => e2e.t.ctx.db.selectFrom('card_applications').select(['status', 'new_card_no']).where('id', '=', id).executeTakeFirstOrThrow();

  it('the card manager sees the move, voids the delivered card with a reason, and the new school opens its own', async () => {
    const { t } = e2e;
    t.clock.set('2026-11-23T02:00:00Z');
    const school = await t.factory.newSchool({ stage: 'middle', name: '作废测试中学' });
    const newSchool = await t.factory.newSchool({ stage: 'middle', name: '转入测试中学' });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const operator = await t.factory.operatorToken();
    const student = await t.factory.newStudent({ schoolId: school.id, name: '转学新生' });
    const parent = await t.factory.newParent({ children: [student.id] });
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);

    // Opened, confirmed, batched; then the move; then printed, sent and signed for by the old school.
    await apiAs(e2e, managerToken, 'POST', '/admin/fulfilment/confirmations/open', { schoolId: school.id });
    await t.factory.givePhoto(student.id); // the school has taken the photo the family checks
    const confirmation = await apiAs(e2e, parentToken, 'GET', `/fulfilment/confirmation?studentId=${student.id}`);
    await apiAs(e2e, parentToken, 'POST', `/fulfilment/confirmations/${confirmation.id as string}/confirm`);
    const batch = await apiAs(e2e, operator, 'POST', '/admin/fulfilment/batches', { kind: 'new_card', schoolId: school.id });
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${student.id}`, headers: { authorization: `Bearer ${operator}` }, payload: { schoolId: newSchool.id, classId: null } });
    expect(res.statusCode, res.body).toBe(200);
    for (const step of ['export', 'produced', 'dispatch']) await apiAs(e2e, operator, 'POST', `/admin/fulfilment/batches/${batch.id as string}/${step}`);
    const deliveries = await apiAs(e2e, operator, 'GET', `/admin/fulfilment/deliveries?batchId=${batch.id as string}`);
    await apiAs(e2e, managerToken, 'POST', `/admin/fulfilment/deliveries/${(deliveries.items as { id: string }[])[0]!.id}/received`);
    const { id: applicationId } = await t.ctx.db.selectFrom('card_applications').select('id').where('student_id', '=', student.id).executeTakeFirstOrThrow();
    const { new_card_no: cardNo } = await applicationRow(applicationId);
    expect(cardNo).not.toBeNull();

    const page = await signInToConsole(e2e, manager);
    await page.getByTestId('sider-menu').getByText('补卡与卡贴申请', { exact: true }).click();
    await page.waitForURL(url('/admin/fulfilment/applications'));
    await expect.poll(() => rows(page).count()).toBe(1);
    const row = rows(page).first();
    await expect(row.getByTestId('application-status').getAttribute('data-status')).resolves.toBe('delivered');
    await expect(row.getByTestId('application-student-left').textContent()).resolves.toBe('学生已转学');
    // Not handed over: 作废 instead of 确认领卡.
    expect(await row.getByTestId('application-pickup').count()).toBe(0);
    await e2e.screenshot(page, 'admin-first-card-moved');

    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/v1/admin/fulfilment/applications/${applicationId}/void`)) keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await row.getByTestId('application-void').click();
    const dialog = page.getByTestId('void-modal');
    await dialog.getByText('该学生已不在本校就读', { exact: false }).waitFor();
    // A reason is required.
    await page.getByTestId('void-submit').click();
    await dialog.getByText('请填写作废原因（2至200个字）').waitFor();
    expect(keys).toEqual([]);
    await page.getByTestId('void-reason').fill('学生已转学至转入测试中学');
    await dialog.getByText('请填写作废原因（2至200个字）').waitFor({ state: 'detached' });
    await e2e.screenshot(page, 'admin-first-card-void-modal');
    await pressDialogOk(page, 'void-submit');
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => rows(page).first().getByTestId('application-status').getAttribute('data-status')).toBe('cancelled');
    expect(await rows(page).first().getByTestId('application-void').count()).toBe(0);
    expect(keys).toHaveLength(1);
    expect(await applicationRow(applicationId)).toMatchObject({ status: 'cancelled', new_card_no: cardNo });
    const steps = await t.ctx.db.selectFrom('card_application_steps').select(['step', 'note']).where('application_id', '=', applicationId).where('step', '=', 'voided').execute();
    expect(steps).toEqual([{ step: 'voided', note: '学生已转学至转入测试中学' }]);
    expect(await t.ctx.db.selectFrom('cards').select('id').where('card_no', '=', cardNo!).execute()).toEqual([]);

    // The progress drawer tells the story.
    await rows(page).first().click();
    await page.getByText('已作废（学生已不在该校就读） ·', { exact: false }).waitFor();
    await e2e.screenshot(page, 'admin-first-card-voided');

    // The new school opens its own first card.
    expect(await apiAs(e2e, operator, 'POST', '/admin/fulfilment/confirmations/open', { schoolId: newSchool.id })).toMatchObject({ newCards: 1 });
    expect(e2e.takePageErrors()).toEqual([]);
  });
});
