import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { apiAs } from './fulfilment-support.js';
import { describeE2E, settled, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * 改为快递到家, in Chromium against the real server: a damaged sticker was delivered to the school for
 * pickup, and the student has left. The card manager sees it, has no 确认领卡 but 改为快递到家 (home
 * only); the parent, on the app's 办理进度, gets the same choice. docs/cards.md. Needs `npm run build:web`.
 */
describeE2E('a replacement waiting at a school its student has left is sent home', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const rows = (page: Page) => page.getByTestId('applications-table').locator('tbody tr.ant-table-row');
  const statusOf = async (id: string) => (await e2e.t.ctx.db.selectFrom('card_applications').select(['status', 'delivery_method']).where('id', '=', id).executeTakeFirstOrThrow());

  /** A high-school sticker, damaged, delivered to the school and signed for there; then the student leaves. */
  async function waitingAtSchoolLeft(name: string) {
    const { t } = e2e;
    t.clock.set('2026-11-23T02:00:00Z');
    const school = await t.factory.newSchool({ stage: 'high', name: `${name}高中` });
    const student = await t.factory.newStudent({ name, schoolId: school.id });
    const sticker = await t.factory.newCard(student.id, { product: 'k12_sticker' });
    const parent = await t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const parentToken = await t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const operator = await t.factory.operatorToken();
    const application = await apiAs(e2e, parentToken, 'POST', '/fulfilment/applications', {
      kind: 'sticker', reason: 'damaged', name, idType: 'resident_id', idNumber: student.id_number, educationId: student.education_id, cardId: sticker.id, delivery: { method: 'school' },
    });
    await t.factory.givePhoto(student.id); // the school has taken the photo the family checks
    const confirmation = await apiAs(e2e, parentToken, 'GET', `/fulfilment/confirmation?studentId=${student.id}`);
    await apiAs(e2e, parentToken, 'POST', `/fulfilment/confirmations/${confirmation.id as string}/confirm`);
    const batch = await apiAs(e2e, operator, 'POST', '/admin/fulfilment/batches', { kind: 'sticker', schoolId: school.id });
    for (const step of ['export', 'produced', 'dispatch']) await apiAs(e2e, operator, 'POST', `/admin/fulfilment/batches/${batch.id as string}/${step}`);
    const deliveries = await apiAs(e2e, operator, 'GET', `/admin/fulfilment/deliveries?batchId=${batch.id as string}`);
    await apiAs(e2e, managerToken, 'POST', `/admin/fulfilment/deliveries/${(deliveries.items as { id: string }[])[0]!.id}/received`);
    const left = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${student.id}`, headers: { authorization: `Bearer ${operator}` }, payload: { status: 'left' } });
    expect(left.statusCode, left.body).toBe(200);
    return { school, student, parent, manager, applicationId: application.id as string };
  }

  it('the card manager sees that the student has left and sends the sticker home instead of handing it over', async () => {
    const { manager, applicationId } = await waitingAtSchoolLeft('离校补贴生');
    const page = await signInToConsole(e2e, manager);
    await page.getByTestId('sider-menu').getByText('补卡与卡贴申请', { exact: true }).click();
    await page.waitForURL(url('/admin/fulfilment/applications'));
    await expect.poll(() => rows(page).count()).toBe(1);
    const row = rows(page).first();
    await expect(row.getByTestId('application-student-left').textContent()).resolves.toBe('学生已离校');
    expect(await row.getByTestId('application-pickup').count()).toBe(0);
    expect(await row.getByTestId('application-void').count()).toBe(0);
    await row.getByTestId('application-send-home').click();
    const dialog = page.getByTestId('redelivery-modal');
    await dialog.getByText('学生已不在本校就读', { exact: false }).waitFor();
    // Home only: no choice of the school.
    expect(await dialog.getByRole('radio', { name: '配送到校' }).count()).toBe(0);
    await dialog.getByTestId('redelivery-recipient').fill('离校家长');
    await dialog.getByTestId('redelivery-phone').fill('13955556666');
    await dialog.getByTestId('redelivery-address').fill('北京市海淀区中关村大街1号');
    await e2e.screenshot(page, 'admin-send-home-modal');
    await page.getByTestId('redelivery-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => rows(page).first().getByTestId('application-status').getAttribute('data-status')).toBe('dispatched');
    expect(await statusOf(applicationId)).toEqual({ status: 'dispatched', delivery_method: 'home' });
  });

  it('the parent has it sent home from the app’s progress page, where the school is not offered', async () => {
    const { parent, applicationId } = await waitingAtSchoolLeft('离校补贴家');
    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    await page.goto(url(`/card-applications/${applicationId}`));
    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('delivered');
    const section = page.getByTestId('send-home');
    await expect(section.textContent()).resolves.toContain('学生已不在该校就读');
    expect(await section.getByTestId('delivery-school').count()).toBe(0);
    await settled(page);
    await section.getByTestId('delivery-recipient').locator('input').fill('离校家长');
    await section.getByTestId('delivery-phone').locator('input').fill('13955557777');
    await section.getByTestId('delivery-address').locator('input').fill('北京市海淀区中关村大街2号');
    await e2e.screenshot(page, 'app-send-home');
    await section.getByTestId('delivery-submit').click();
    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('dispatched');
    expect(await page.getByTestId('send-home').count()).toBe(0);
    expect(await statusOf(applicationId)).toEqual({ status: 'dispatched', delivery_method: 'home' });
  });
});
