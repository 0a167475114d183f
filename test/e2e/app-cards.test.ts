import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/card-numbers.js';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { maskCardNo } from '../../src/domain/masking.js';
import { apiAs } from './fulfilment-support.js';
import { describeE2E, settled, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * The app's card screens in Chromium against the real server: a student sees the card drawn as
 * its face (masked), reports it lost and unlosses it from the card page (the server's status and
 * history follow); the public 学生卡查询 answers "卡正常状态" without a login and shows the
 * server's 400 for a mistyped number; a parent sees each child's cards. Needs `npm run build:web`.
 */

describeE2E('app card screens in Chromium', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;

  const statusOf = async (cardId: string) => (await e2e.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;

  async function student(name: string, stage: 'primary' | 'middle' | 'high' = 'middle') {
    const school = await e2e.t.factory.newSchool({ stage, name: `卡面${stage}中学` });
    const s = await e2e.t.factory.newStudent({ name, birthDate: '2011-03-04', schoolId: school.id });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    return { school, student: s };
  }

  /** Signs the student in (their password already changed, see student()) on a new phone page. */
  const signInStudent = (s: { education_id: string; password: string }) => signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });

  /** A screenshot once toasts have faded and dialogs have closed. */
  async function shot(page: Page, name: string) {
    await settled(page);
    await e2e.screenshot(page, name);
  }

  /** Answers a confirmation dialog with its OK button. */
  async function confirmDialog(page: Page) {
    await page.locator('.adm-dialog').getByRole('button', { name: '确定' }).click();
    await expect.poll(() => page.locator('.adm-dialog').count()).toBe(0);
  }

  it('a student sees the card face, reports the card lost, sees the status change, and unlosses it', async () => {
    const { school, student: s } = await student('卡面测试生');
    // The school's own face, from the fixed set.
    await e2e.t.ctx.db.updateTable('schools').set({ card_theme: 'school-jade' }).where('id', '=', school.id).execute();
    const card = await e2e.t.factory.newCard(s.id, { validUntil: '2029-08-31' });
    const page = await signInStudent(s);

    await page.getByTestId('tab-bar').getByText('卡片').click();
    await page.waitForURL(url('/cards'));
    const face = page.getByTestId('card-face');
    await expect.poll(() => face.count()).toBe(1);
    await expect(face.getAttribute('data-theme')).resolves.toBe('school-jade');
    await expect(face.getByTestId('face-product').textContent()).resolves.toBe('北京通学生卡');
    await expect(face.getByTestId('face-holder').textContent()).resolves.toBe('卡****');
    await expect(face.textContent()).resolves.not.toContain('卡面测试生');
    const masked = await face.getByTestId('face-card-no').textContent();
    expect(masked).toBe(`${card.card_no.slice(0, 2)}${'*'.repeat(card.card_no.length - 5)}${card.card_no.slice(-3)}`);
    await expect(face.getByTestId('face-status').textContent()).resolves.toBe('正常');
    await expect(face.getByTestId('face-balance').textContent()).resolves.toBe('¥0.00');
    await expect(face.getByTestId('face-valid-until').textContent()).resolves.toContain('2029-08-31');
    await shot(page, 'app-cards-tab');

    // The card page: information, photo placeholder, actions by what the card allows now.
    await face.click();
    await page.waitForURL(url(`/cards/${card.id}`));
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('正常');
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('有效卡');
    // The number is masked until its holder asks to see it.
    await expect(page.getByTestId('detail-card-no').textContent()).resolves.toBe(maskCardNo(card.card_no));
    await page.getByTestId('detail-card-no-reveal').click();
    await expect(page.getByTestId('detail-card-no').textContent()).resolves.toBe(card.card_no);
    await page.getByTestId('photo-placeholder').waitFor();
    expect(await page.getByTestId('action-unloss').count()).toBe(0);
    expect(await page.getByTestId('action-replace').isDisabled()).toBe(true);

    // 挂失: a dialog first; cancelling changes nothing.
    await page.getByTestId('action-loss').click();
    await page.locator('.adm-dialog').getByRole('button', { name: '取消' }).click();
    await expect.poll(() => page.locator('.adm-dialog').count()).toBe(0);
    expect(await statusOf(card.id)).toBe('active');

    await page.getByTestId('action-loss').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('已挂失');
    // 公交有效性 is the card's dates, not its loss: as the replacement wizard shows a 待补卡 card (seed 000).
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('有效卡');
    // … with a word that the card cannot be used meanwhile; its face says 已挂失 alone, no 有效卡 beside it.
    await expect(page.getByTestId('detail-transit-lost').textContent()).resolves.toBe('挂失期间暂停使用');
    await expect(page.getByTestId('face-valid-until').textContent()).resolves.toBe('有效期至 2029-08-31');
    await expect(page.getByTestId('face-status').textContent()).resolves.toBe('已挂失');
    expect(await statusOf(card.id)).toBe('lost');
    await page.getByTestId('action-unloss').waitFor();
    expect(await page.getByTestId('action-loss').count()).toBe(0);
    expect(await page.getByTestId('action-topup').isDisabled()).toBe(true);
    await expect(page.getByTestId('topup-blocked').textContent()).resolves.toContain('卡片已挂失');
    // Only now may it be replaced.
    expect(await page.getByTestId('action-replace').isDisabled()).toBe(false);
    // The history shows the change, newest first.
    await expect.poll(() => page.getByTestId('history-status').first().textContent()).toBe('已挂失');
    await shot(page, 'app-cards-lost');

    // Back on the tab the face says so too.
    await page.goto(url('/cards'));
    await expect.poll(() => page.getByTestId('face-status').textContent()).toBe('已挂失');

    // 解挂 from the card page: back to normal.
    await page.getByTestId('card-face').click();
    await page.getByTestId('action-unloss').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('正常');
    expect(await statusOf(card.id)).toBe('active');
    await page.getByTestId('action-loss').waitFor();
    await expect.poll(() => page.getByTestId('history-status').allTextContents()).toEqual(['正常', '已挂失', '正常']);
    const events = await e2e.t.ctx.db.selectFrom('card_status_events').select(['to_status', 'denied']).where('card_id', '=', card.id).orderBy('version').execute();
    expect(events.map((e) => e.to_status)).toEqual(['active', 'lost', 'active']);
  });

  it('a new card is activated by its holder from the card page', async () => {
    const { student: s } = await student('激活测试生');
    const card = await e2e.t.factory.newCard(s.id, { active: false });
    const page = await signInStudent(s);
    await page.goto(url(`/cards/${card.id}`));
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('未激活');
    // No discounts before activation (its activation dialog says so).
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('无效卡');
    // Not offered before activation: the extension (the server's canExtend).
    expect(await page.getByTestId('action-extend').count()).toBe(0);
    await page.getByTestId('action-activate').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('正常');
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('有效卡');
    expect(await page.getByTestId('action-activate').count()).toBe(0);
    expect(await statusOf(card.id)).toBe('active');
  });

  it('the public status query says 卡正常状态 without a login, the reason for a lost card, and the server’s 400 for a bad check digit', async () => {
    const { student: s } = await student('查询测试生');
    const card = await e2e.t.factory.newCard(s.id);
    const lost = await e2e.t.factory.newCard((await student('挂失查询生')).student.id);
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', lost.id).execute();

    const page = await e2e.newPage();
    await page.goto(url('/login'));
    await page.getByTestId('login-status-query').click();
    await page.waitForURL(url('/card-status'));

    const input = page.getByTestId('status-query-input').locator('input');
    await input.fill(card.card_no);
    await page.getByTestId('status-query-submit').click();
    await expect.poll(() => page.getByTestId('status-query-message').textContent()).toBe('卡正常状态');
    await expect(page.getByTestId('status-query-transit').textContent()).resolves.toBe('有效卡');
    // Nothing personal: the holder's name is not on the page.
    await expect(page.locator('body').textContent()).resolves.not.toContain('查询测试生');
    await shot(page, 'app-cards-status-query');

    await input.fill(lost.card_no);
    await page.getByTestId('status-query-submit').click();
    await expect.poll(() => page.getByTestId('status-query-message').textContent()).toBe('已挂失');
    await expect(page.getByTestId('status-query-result').getAttribute('data-status')).resolves.toBe('lost');
    // 公交有效性 as the card's own page says it: lost within its dates, still 有效卡 (seed 000: 待补卡).
    await expect(page.getByTestId('status-query-transit').textContent()).resolves.toBe('有效卡');

    // Expired by date: 无效卡, and told to extend it.
    const expired = await e2e.t.factory.newCard((await student('过期查询生')).student.id, { validUntil: '2020-08-31' });
    await input.fill(expired.card_no);
    await page.getByTestId('status-query-submit').click();
    await expect.poll(() => page.getByTestId('status-query-message').textContent()).toBe('卡已过有效期（2020-08-31），请办理延期');
    await expect(page.getByTestId('status-query-transit').textContent()).resolves.toBe('无效卡');

    // One digit off: the check digit fails and the server's message is shown.
    const body = card.card_no.slice(0, -1);
    const wrong = body + String((luhnCheckDigit(body) + 1) % 10);
    await input.fill(wrong);
    await page.getByTestId('status-query-submit').click();
    await expect.poll(() => page.getByTestId('status-query-error').textContent()).toBe('卡号校验位不正确，请核对卡号');
    expect(await page.getByTestId('status-query-result').count()).toBe(0);

    // A number of no known length never leaves the browser.
    await input.fill('12345');
    await page.getByTestId('status-query-submit').click();
    await page.getByText('卡号为 11、16 或 19 位数字').waitFor();
    await shot(page, 'app-cards-status-query-error');
  });

  it('a parent sees each child’s cards, grouped by child, and a child without cards says so', async () => {
    const first = await student('王小一', 'primary');
    const second = await student('王小二', 'high');
    const third = await student('王小三', 'middle');
    const firstCard = await e2e.t.factory.newCard(first.student.id);
    const secondCard = await e2e.t.factory.newCard(second.student.id);
    const stranger = await student('别人家', 'middle');
    await e2e.t.factory.newCard(stranger.student.id);
    const parent = await e2e.t.factory.newParent({ children: [first.student.id, second.student.id, third.student.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();

    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    await page.goto(url('/cards'));

    const groups = page.getByTestId('child-cards');
    await expect.poll(() => groups.count()).toBe(3);
    const group = (studentId: string) => page.locator(`[data-testid="child-cards"][data-student-id="${studentId}"]`);
    await expect(group(first.student.id).getByTestId('card-face').getAttribute('data-card-id')).resolves.toBe(firstCard.id);
    await expect(group(first.student.id).getByTestId('card-face').getAttribute('data-theme')).resolves.toBe('stage-primary');
    await expect(group(second.student.id).getByTestId('card-face').getAttribute('data-card-id')).resolves.toBe(secondCard.id);
    await expect(group(second.student.id).getByTestId('face-holder').textContent()).resolves.toBe('王**');
    expect(await group(third.student.id).getByTestId('card-face').count()).toBe(0);
    await group(third.student.id).getByText('该学生暂无卡片').waitFor();
    // Only the parent's children: three faces at most, none of the stranger's.
    expect(await page.getByTestId('card-face').count()).toBe(2);
    await expect(page.locator('body').textContent()).resolves.not.toContain('王小');
    await shot(page, 'app-cards-parent');

    // The parent opens a child's card and reports it lost.
    await group(second.student.id).getByTestId('card-face').click();
    await page.waitForURL(url(`/cards/${secondCard.id}`));
    await page.getByTestId('action-loss').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('已挂失');
    expect(await statusOf(secondCard.id)).toBe('lost');
  });

  /** An API call as the operator (the console's side of a flow the app shows). */
  async function asOperator(method: 'POST' | 'PUT', path: string, payload: unknown) {
    const token = await e2e.t.factory.operatorToken();
    const res = await e2e.t.app.inject({ method, url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as Record<string, unknown>;
  }

  it('the replacement wizard: identity checked, the masked card information, home delivery, then the fee order and the progress timeline', async () => {
    const { student: s } = await student('补卡测试生');
    const card = await e2e.t.factory.newCard(s.id);
    const page = await signInStudent(s);
    await page.goto(url(`/cards/${card.id}`));
    await page.getByTestId('action-loss').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('已挂失');

    await page.getByTestId('action-replace').click();
    await page.waitForURL(url(`/cards/${card.id}/replace`));
    // A wrong ID number is refused by the server, whose message is shown.
    await page.getByTestId('wizard-name').locator('input').fill('补卡测试生');
    // A well-formed ID number (valid check digit) that is not the student's: the server's mismatch.
    const otherNumber = makeIdNumber({ areaCode: '110108', birthDate: '2011-03-04', sequence: 321, gender: 'F' });
    expect(otherNumber).not.toBe(s.id_number);
    await page.getByTestId('wizard-id-number').locator('input').fill(otherNumber);
    await page.getByTestId('wizard-education-id').locator('input').fill(s.education_id);
    await page.getByTestId('wizard-verify').click();
    await page.getByTestId('wizard-error').waitFor();
    // It names the field that differs and shows the record's ID number masked, never whole.
    await expect(page.getByTestId('wizard-mismatch').textContent()).resolves.toContain('不一致的项目：证件号');
    await expect(page.getByTestId('wizard-mismatch').textContent()).resolves.toContain(`${s.id_number.slice(0, 3)}***********${s.id_number.slice(-4)}`);
    await expect(page.locator('body').textContent()).resolves.not.toContain(s.id_number);
    expect(await page.getByTestId('wizard-card-info').count()).toBe(0);

    await page.getByTestId('wizard-id-number').locator('input').fill(s.id_number);
    await page.getByTestId('wizard-verify').click();
    await page.getByTestId('wizard-card-info').waitFor();
    await expect(page.getByTestId('wizard-card-name').textContent()).resolves.toBe('补****');
    await expect(page.getByTestId('wizard-hold-status').textContent()).resolves.toBe('待补卡');
    await page.getByText('学生卡补办需经三步操作：挂失、申请、缴费。').waitFor();
    await shot(page, 'app-cards-replace-info');
    await page.getByTestId('wizard-apply').click();

    // Home delivery needs the address and a valid phone.
    await page.getByTestId('delivery-home').click();
    await page.getByTestId('delivery-recipient').locator('input').fill('补卡家长');
    await page.getByTestId('delivery-phone').locator('input').fill('1381234');
    await page.getByTestId('delivery-address').locator('input').fill('北京市海淀区学院路 1 号');
    await page.getByTestId('delivery-submit').click();
    await page.getByText('请输入11位手机号').first().waitFor();
    await page.getByTestId('delivery-phone').locator('input').fill('13812345678');
    await shot(page, 'app-cards-replace-delivery');
    await page.getByTestId('delivery-submit').click();

    await page.waitForURL(/\/card-applications\//);
    const applicationId = page.url().split('/').at(-1)!;
    await expect.poll(() => page.getByTestId('application').getAttribute('data-status')).toBe('awaiting_payment');
    await expect(page.getByTestId('application-fee').textContent()).resolves.toBe('¥15.00');
    await expect(page.getByTestId('application-step').first().getAttribute('data-step')).resolves.toBe('applied');
    await expect(page.getByTestId('application-step-time').first().textContent()).resolves.toMatch(/^2026\/11\/23/);
    await expect(page.locator('body').textContent()).resolves.toContain('138****5678');
    await expect(page.locator('body').textContent()).resolves.not.toContain('13812345678');
    const row = await e2e.t.ctx.db.selectFrom('card_applications').selectAll().where('id', '=', applicationId).executeTakeFirstOrThrow();
    expect(row.old_card_id).toBe(card.id);
    await page.getByTestId('application-confirmation-needed').waitFor();
    await shot(page, 'app-cards-replace-progress');
    // Back on the card: the replacement under way shows as its progress, not as a second 补办.
    await page.goto(url(`/cards/${card.id}`));
    await page.getByTestId('application-link').waitFor();
    expect(await page.getByTestId('action-replace').count()).toBe(0);
    await page.goto(url(`/card-applications/${applicationId}`));

    // 补卡缴费 (Monday: inside the payment window) opens the ¥15 fee order on the money screens.
    await page.getByTestId('application-pay').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
    const orderId = page.url().split('/').at(-1)!;
    const order = await e2e.t.ctx.db.selectFrom('payment_orders').select(['amount_fen', 'kind', 'student_id']).where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ amount_fen: 1500, kind: 'fee', student_id: s.id });

    // The payer cancels the fee order; the application is still waiting for its fee.
    await page.getByTestId('cancel-order').click();
    await page.locator('.adm-dialog').getByText('取消订单').click();
    await page.getByText('订单已取消').first().waitFor();

    // The card page links to the progress, which shows the dead order and asks for a new one.
    await page.goto(url(`/cards/${card.id}`));
    await page.getByTestId('application-link').click();
    await page.waitForURL(url(`/card-applications/${applicationId}`));
    await expect(page.getByTestId('application-fee-order-status').textContent()).resolves.toBe('已取消');
    await expect(page.getByTestId('application-pay').textContent()).resolves.toContain('补卡缴费');
    await shot(page, 'app-cards-replace-fee-order-cancelled');
    await page.getByTestId('application-pay').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
    const secondOrderId = page.url().split('/').at(-1)!;
    expect(secondOrderId).not.toBe(orderId);
    await page.getByTestId('pay-order').waitFor();
    const linked = await e2e.t.ctx.db.selectFrom('card_applications').select('fee_order_id').where('id', '=', applicationId).executeTakeFirstOrThrow();
    expect(linked.fee_order_id).toBe(secondOrderId);

    // The card is made only once its information is confirmed: the progress says so and leads there.
    await page.goto(url(`/card-applications/${applicationId}`));
    await expect(page.getByTestId('application-confirmation-needed').getAttribute('data-confirmation')).resolves.toBe('pending');
    await page.getByTestId('application-confirm-link').click();
    await page.waitForURL(url(`/students/${s.id}/card-info`));
    await e2e.t.factory.givePhoto(s.id); // the school has taken the photo the family checks
    await page.reload();
    await page.getByTestId('confirmation-confirm').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('confirmation').getAttribute('data-status')).toBe('confirmed');
    await page.goto(url(`/card-applications/${applicationId}`));
    await page.getByTestId('application-fee').waitFor();
    expect(await page.getByTestId('application-confirmation-needed').count()).toBe(0);
  });

  it('sticker replacement for a middle-school student goes without a fee', async () => {
    const { student: s } = await student('卡贴测试生', 'middle');
    const sticker = await e2e.t.factory.newCard(s.id, { product: 'k12_sticker' });
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', sticker.id).execute();
    const page = await signInStudent(s);
    await page.goto(url(`/cards/${sticker.id}`));
    await page.getByTestId('action-sticker').click();
    await page.waitForURL(url(`/cards/${sticker.id}/sticker`));
    await page.getByTestId('wizard-name').locator('input').fill('卡贴测试生');
    await page.getByTestId('wizard-id-number').locator('input').fill(s.id_number);
    await page.getByTestId('wizard-education-id').locator('input').fill(s.education_id);
    await page.getByTestId('wizard-verify').click();
    await page.getByTestId('wizard-apply').click();
    await page.getByTestId('delivery-school').click();
    await page.getByTestId('delivery-submit').click();
    await page.waitForURL(/\/card-applications\//);
    await page.getByText('卡贴补换免工本费').waitFor();
    expect(await page.getByTestId('application-pay').count()).toBe(0);
    await expect(page.getByTestId('application-step').first().getAttribute('data-step')).resolves.toBe('applied');
  });

  it('a university student’s card tab offers no 制卡信息确认 (a K-12 service: FULFILMENT_NOT_K12)', async () => {
    const university = await e2e.t.factory.newSchool({ stage: 'university', name: '卡面测试大学' });
    const s = await e2e.t.factory.newStudent({ name: '大学测试生', birthDate: '2004-03-04', schoolId: university.id });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    await e2e.t.factory.newCard(s.id, { product: 'campus_card' });
    const page = await signInStudent(s);
    await page.goto(url('/cards'));
    await page.getByTestId('card-face').first().waitFor();
    await expect(page.getByTestId('confirm-info-link').count()).resolves.toBe(0);
  });

  it('information confirmation: no confirming without the photo; errors reported field by field with a summary; the school fixes them from the dialog; then confirmed', async () => {
    const { school, student: s } = await student('确认测试生', 'primary');
    await asOperator('POST', '/admin/fulfilment/confirmations/open', { schoolId: school.id });
    const page = await signInStudent(s);
    // 待办 asks for the confirmation the first card waits for.
    await page.goto(url('/'));
    await page.locator('[data-testid="todo"][data-kind="confirm_info"]').getByText('确****的制卡信息待确认', { exact: false }).waitFor();
    await page.goto(url('/cards'));
    // No card yet: the school's opening made a first card, to be produced once the information is confirmed.
    await page.getByTestId('first-card-progress').getByText('新生制卡').waitFor();
    await page.getByTestId('confirm-info-link').click();
    await page.waitForURL(url(`/students/${s.id}/card-info`));
    await expect.poll(() => page.getByTestId('confirmation').getAttribute('data-status')).toBe('pending');
    // The name is masked until the holder asks to see it.
    await expect(page.getByTestId('confirmation-name').textContent()).resolves.toBe('确****');
    await page.getByTestId('confirmation-reveal').click();
    await expect(page.getByTestId('confirmation-name').textContent()).resolves.toBe('确认测试生');
    // No photo yet: 确认无误 is off, and the page says whom to ask.
    await expect(page.getByTestId('confirmation-photo-missing').textContent()).resolves.toBe('照片尚未采集，请联系学校卡管员采集照片后再确认');
    expect(await page.getByTestId('confirmation-confirm').isDisabled()).toBe(true);
    await shot(page, 'app-cards-confirmation-no-photo');

    // 信息有误: the education ID cannot be reported; each ticked field needs what the school must know.
    await page.getByTestId('confirmation-report').click();
    await page.getByTestId('report-submit').click();
    await page.getByText('请至少选择一项').waitFor();
    await expect(page.getByTestId('report-fields').textContent()).resolves.not.toContain('教育ID');
    await page.getByTestId('report-fields').getByText('姓名').click();
    await page.getByTestId('report-fields').getByText('照片').click();
    await page.getByTestId('report-submit').click();
    await expect(page.getByTestId('report-error-name').textContent()).resolves.toBe('请填写姓名的正确内容');
    await expect(page.getByTestId('report-error-photo').textContent()).resolves.toBe('请说明照片有什么问题');
    await shot(page, 'app-cards-confirmation-report-errors');
    expect(await page.locator('.adm-dialog').count()).toBe(0);
    await page.getByTestId('report-value-name').locator('input').fill('确认测验生');
    await page.getByTestId('report-photo-note').locator('input').fill('照片不是本人');
    await expect.poll(() => page.getByTestId('report-error-name').count()).toBe(0);
    // A summary to read over before anything is sent.
    await page.getByTestId('report-submit').click();
    const summary = page.getByTestId('report-summary');
    await summary.waitFor();
    await expect(summary.locator('[data-field="name"]').textContent()).resolves.toBe('姓名：确认测验生');
    await expect(summary.locator('[data-field="photo"]').textContent()).resolves.toBe('照片：照片不是本人');
    await e2e.screenshot(page, 'app-cards-confirmation-report-summary');
    await page.locator('.adm-dialog').getByRole('button', { name: '提交给学校' }).click();
    await expect.poll(() => page.getByTestId('confirmation').getAttribute('data-status')).toBe('reported');
    const record = await e2e.t.ctx.db.selectFrom('card_confirmations').selectAll().where('student_id', '=', s.id).executeTakeFirstOrThrow();
    expect(record.corrections).toEqual([{ field: 'name', correctValue: '确认测验生', note: null }, { field: 'photo', correctValue: null, note: '照片不是本人' }]);
    await shot(page, 'app-cards-confirmation-reported');

    // The school's card manager sees the report and fixes it from the dialog: the name there (filled
    // in from the report), the photo on the student's page, which the dialog links to.
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: school.id });
    const consolePage = await signInToConsole(e2e, manager);
    await consolePage.goto(`${e2e.baseUrl}/admin/fulfilment/confirmations`);
    const table = consolePage.getByTestId('confirmations-table');
    await table.getByTestId('confirmation-correction').getByText('姓名: 确认测验生').waitFor();
    await table.getByTestId('confirmation-photo-missing').waitFor();
    await table.getByTestId('confirmation-fix').click();
    const photoFix = consolePage.locator('[data-testid="fix-field"][data-field="photo"]');
    await photoFix.getByText('请在学生页面重新上传照片', { exact: false }).waitFor();
    await expect(photoFix.getByTestId('fix-open-student').getAttribute('href')).resolves.toBe(`/admin/students/${s.id}`);
    await expect(consolePage.locator('[data-testid="fix-field"][data-field="name"]').textContent()).resolves.toContain('应为：确认测验生');
    await expect(consolePage.getByTestId('fix-name').inputValue()).resolves.toBe('确认测验生');
    await e2e.screenshot(consolePage, 'admin-confirmation-fix-dialog');
    await e2e.t.factory.givePhoto(s.id); // as the student's page uploads it
    await consolePage.getByTestId('fix-note').fill('姓名已更正，照片已重拍');
    await consolePage.locator('.ant-modal').getByRole('button', { name: /确\s*定|OK/ }).click();
    await expect.poll(async () => (await e2e.t.ctx.db.selectFrom('students').select('name').where('id', '=', s.id).executeTakeFirstOrThrow()).name).toBe('确认测验生');
    await consolePage.close();

    await page.reload();
    await expect.poll(() => page.getByTestId('confirmation').getAttribute('data-status')).toBe('pending');
    await page.getByTestId('confirmation-fixed').getByText('姓名已更正', { exact: false }).waitFor();
    expect(await page.getByTestId('confirmation-photo-missing').count()).toBe(0);
    await page.getByTestId('confirmation-confirm').click();
    await confirmDialog(page);
    await expect.poll(() => page.getByTestId('confirmation').getAttribute('data-status')).toBe('confirmed');
  });

  it('extension after the status check, inside the operator’s window; then return with nothing to refund', async () => {
    const { student: s } = await student('延期测试生', 'middle');
    const card = await e2e.t.factory.newCard(s.id, { validUntil: '2026-12-31' });
    const page = await signInStudent(s);

    // No window yet: the check says so and the button stays off.
    await page.goto(url(`/cards/${card.id}/extend`));
    await expect.poll(() => page.getByTestId('extension').getAttribute('data-eligible')).toBe('false');
    await expect(page.getByTestId('extension-status').textContent()).resolves.toBe('卡正常状态');
    expect(await page.getByTestId('extension-submit').isDisabled()).toBe(true);

    await asOperator('PUT', '/admin/card-extension-windows/2026', { startsOn: '2026-11-01', endsOn: '2026-11-30' });
    await page.reload();
    await expect.poll(() => page.getByTestId('extension').getAttribute('data-eligible')).toBe('true');
    await expect(page.getByTestId('extension-new-valid-until').textContent()).resolves.toBe('2027-11-30');
    await page.getByTestId('extension-submit').click();
    await confirmDialog(page);
    await expect.poll(async () => (await e2e.t.ctx.db.selectFrom('cards').select('valid_until').where('id', '=', card.id).executeTakeFirstOrThrow()).valid_until).toBe('2027-11-30');
    await expect.poll(() => page.getByTestId('extension-blocked').textContent()).toBe('该卡本年度已办理延期');

    // 退卡 from the card page.
    await page.goto(url(`/cards/${card.id}`));
    await page.getByTestId('action-return').click();
    await page.waitForURL(url(`/cards/${card.id}/return`));
    await expect.poll(() => page.getByTestId('return').getAttribute('data-returnable')).toBe('true');
    await expect(page.getByTestId('return-balance').textContent()).resolves.toBe('¥0.00');
    await page.getByTestId('return-submit').click();
    await confirmDialog(page);
    await page.getByTestId('return-result').waitFor();
    expect(await statusOf(card.id)).toBe('returned');
    await page.goto(url('/cards'));
    await expect.poll(() => page.getByTestId('face-status').textContent()).toBe('已退卡');
  });

  it('a card in its grace period: 待办 and the card face say until when it still rides; the late extension counts in the window that closed', async () => {
    const before = e2e.t.clock.now();
    e2e.t.clock.set('2027-11-10T02:00:00Z'); // ten days after the 2027 window closed
    try {
      await asOperator('PUT', '/admin/card-extension-windows/2027', { startsOn: '2027-10-01', endsOn: '2027-10-31' });
      const { student: s } = await student('宽限测试生', 'middle');
      const card = await e2e.t.factory.newCard(s.id, { validUntil: '2027-10-31' });
      const page = await signInStudent(s);

      const todo = page.locator('[data-testid="todo"][data-kind="extend_grace"]');
      await todo.getByText(`宽****的北京通学生卡（尾号 ${card.card_no.slice(-3)}）已于 2027-10-31 到期，宽限期至 2027-11-30，请尽快办理延期`).waitFor();
      await page.goto(url('/cards'));
      await expect.poll(() => page.getByTestId('face-valid-until').textContent()).toBe('有效期至 2027-10-31 · 有效卡 · 已过期，宽限期至 2027-11-30');
      await page.goBack();
      await todo.click();
      await page.waitForURL(url(`/cards/${card.id}/extend`));
      await expect.poll(() => page.getByTestId('extension').getAttribute('data-eligible')).toBe('true');
      await expect(page.getByTestId('extension-window').textContent()).resolves.toBe('已结束，宽限期内可补办');
      await expect(page.getByTestId('extension-grace-until').textContent()).resolves.toBe('2027-11-30');
      await expect(page.getByTestId('extension-new-valid-until').textContent()).resolves.toBe('2028-10-31');
      await shot(page, 'app-extension-grace');
      await page.getByTestId('extension-submit').click();
      await confirmDialog(page);
      await expect.poll(async () => (await e2e.t.ctx.db.selectFrom('cards').select('valid_until').where('id', '=', card.id).executeTakeFirstOrThrow()).valid_until).toBe('2028-10-31');
    } finally {
      e2e.t.clock.set(before);
    }
  });

  it('中小学生服务: a parent reaches every service of each child’s cards from one page, and the replacement in progress', async () => {
    const { student: first } = await student('服务甲', 'primary');
    const { student: second } = await student('服务乙', 'high');
    const lostCard = await e2e.t.factory.newCard(first.id);
    const sticker = await e2e.t.factory.newCard(second.id, { product: 'k12_sticker' });
    const newCard = await e2e.t.factory.newCard(second.id, { active: false });
    const parent = await e2e.t.factory.newParent({ children: [first.id, second.id] });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const token = await e2e.t.factory.loginAs('parent', parent.phone, parent.password);
    await apiAs(e2e, token, 'POST', `/cards/${lostCard.id}/loss`);
    const identity = { kind: 'replacement', name: first.name, idType: 'resident_id', idNumber: first.id_number, educationId: first.education_id };
    await apiAs(e2e, token, 'POST', '/fulfilment/applications', { ...identity, cardId: lostCard.id, delivery: { method: 'school' } });

    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: parent.password });
    await page.getByTestId('home-k12-services').click();
    await page.waitForURL(url('/k12-services'));
    await expect.poll(() => page.getByTestId('k12-services-student').count()).toBe(2);
    const cardRow = (id: string) => page.locator(`[data-testid="k12-services-card"][data-card-id="${id}"]`);
    // Each card offers what its kind has: the lost card, applied for, its replacement's progress (not a second application), the sticker its sticker service, the new card activation.
    await cardRow(lostCard.id).getByTestId('k12-service-replace-progress').waitFor();
    expect(await cardRow(lostCard.id).getByTestId('k12-service-replace').count()).toBe(0);
    expect(await cardRow(lostCard.id).getByTestId('k12-service-sticker').count()).toBe(0);
    // Top-up where the server allows it: not a lost card, not a sticker (no purse of its own to top up).
    expect(await cardRow(lostCard.id).getByTestId('k12-service-top-up').count()).toBe(0);
    expect(await cardRow(sticker.id).getByTestId('k12-service-top-up').count()).toBe(0);
    await cardRow(sticker.id).getByTestId('k12-service-sticker').waitFor();
    expect(await cardRow(sticker.id).getByTestId('k12-service-extend').count()).toBe(0);
    await cardRow(newCard.id).getByTestId('k12-service-activate').waitFor();
    const progress = page.locator(`[data-testid="k12-services-student"][data-student-id="${first.id}"]`).getByTestId('k12-services-application');
    await expect(progress.textContent()).resolves.toContain('补卡进度查询');
    await shot(page, 'app-k12-services');

    await progress.click();
    await page.waitForURL(/\/card-applications\//);
    await page.goBack();
    await cardRow(sticker.id).getByTestId('k12-service-transactions').click();
    await page.waitForURL(url(`/cards/${sticker.id}/transactions`));
    await page.goBack();
    await cardRow(newCard.id).getByTestId('k12-service-activate').click();
    await page.waitForURL(url(`/cards/${newCard.id}`));
  });

  it('a student without cards sees the empty state', async () => {
    const { student: s } = await student('无卡学生');
    const page = await signInStudent(s);
    await page.goto(url('/cards'));
    await page.getByText('暂无卡片').waitFor();
    expect(await page.getByTestId('card-face').count()).toBe(0);
    // The 卡片 tab leads to the phone e-cards, with or without cards.
    await page.getByTestId('ecards-link').click();
    await page.waitForURL(url('/ecards'));
    await page.getByTestId('ecards-empty').waitFor();
  });
});
