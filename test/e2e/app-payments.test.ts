import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { purseFen } from '../api/ecards-support.js';
import { runAutoTopUps } from '../../src/modules/payments/auto-top-up.js';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { sendLowBalanceAlerts } from '../../src/modules/payments/balance-alerts.js';
import { fund } from '../support/money.js';
import { addDays, shanghaiDate } from '../../src/domain/calendar.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { describeE2E, loseFirstAnswer, settled, signInToApp, useE2E } from './support.js';

/**
 * The app's money screens in Chromium against the real server and its sandbox gateway: a parent
 * tops up a child's card through the sandbox cashier (返回商户 at Alipay and WeChat Pay, or the
 * back button), sees the new balance and the top-up in the card's transactions, and requests the
 * e-invoice (refused the same day, issued the next); the orders list shows pending orders, the
 * seed-000 fee order page, and cancelling. Needs `npm run build:web` first.
 */

describeE2E('app money screens in Chromium', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  /** A parent (password already changed) bound to one primary-school child who holds an active card. */
  async function family(childName: string) {
    const school = await e2e.t.factory.newSchool({ stage: 'primary', name: '端到端缴费小学' });
    const student = await e2e.t.factory.newStudent({ name: childName, birthDate: '2015-06-01', schoolId: school.id });
    const card = await e2e.t.factory.newCard(student.id);
    const parent = await e2e.t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    return { school, student, card, parent };
  }

  /** Signs the parent of family() in, on a new phone page unless one is given. */
  const signInParent = (parent: { phone: string }, page?: Page) => signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' }, { page });

  it('a parent tops up a child’s card at the Alipay sandbox cashier, comes back, and sees the balance and the transaction', async () => {
    const { card, parent } = await family('钱小多');
    expect(await purseFen(e2e.t, card.id)).toBe(0);
    const page = await signInParent(parent);

    // Home → 充值: the child's card (masked name), its balance, the preset amounts.
    await page.getByTestId('home-topup').click();
    await page.waitForURL(url('/top-up'));
    const cardOption = page.getByTestId('topup-card');
    await expect.poll(() => cardOption.count()).toBe(1);
    await expect(cardOption.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(cardOption.textContent()).resolves.toContain('钱**');
    await expect(cardOption.textContent()).resolves.not.toContain('钱小多');
    await expect(page.getByTestId('topup-card-balance').textContent()).resolves.toBe('¥0.00');

    // A typed amount beyond the limit is refused on the spot; a preset is taken.
    await page.getByTestId('topup-custom').locator('input').fill('1000.01');
    await page.getByTestId('topup-amount-error').getByText('请输入 1 至 1000 元的金额，最多两位小数').waitFor();
    await page.getByTestId('topup-custom').locator('input').fill('');
    await page.getByTestId('topup-presets').getByText('¥100.00', { exact: true }).click();
    await expect(page.getByTestId('topup-submit').textContent()).resolves.toContain('确认充值 ¥100.00');
    await e2e.screenshot(page, 'app-payments-top-up');
    const topUpSent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/orders/top-up'));
    const paySent = page.waitForRequest((r) => r.method() === 'POST' && /\/api\/v1\/orders\/[0-9a-f-]{36}\/pay$/.test(r.url()));
    await page.getByTestId('topup-submit').click();
    // Both mutations carry an Idempotency-Key; 支付 asks to come back to the result page.
    expect((await topUpSent).headers()['idempotency-key']).toMatch(uuidPattern);
    const payRequest = await paySent;
    expect(payRequest.headers()['idempotency-key']).toMatch(uuidPattern);
    expect(payRequest.postDataJSON()).toEqual({ gateway: 'alipay', returnPath: `/pay/result?orderId=${payRequest.url().split('/').at(-2)}` });

    // The sandbox's Alipay cashier, served by Onecard under /api/v1/sandbox.
    await page.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    await page.getByText('¥100.00').first().waitFor();
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.getByRole('heading', { name: '支付成功' }).waitFor();
    // The cashier paid, but nothing is credited until the server has heard from the gateway.
    await page.getByRole('link', { name: '返回商户' }).click();

    // Back in the app: the result page asks the gateway and shows the outcome and the new balance.
    await page.waitForURL(/\/pay\/result\?orderId=/);
    await page.locator('[data-testid="pay-result"][data-outcome="paid"]').waitFor();
    await expect(page.getByTestId('pay-result-amount').textContent()).resolves.toBe('¥100.00');
    await expect.poll(() => page.getByTestId('result-balance').textContent()).toBe('¥100.00');
    expect(await purseFen(e2e.t, card.id)).toBe(10_000);
    const orderId = new URL(page.url()).searchParams.get('orderId');
    expect(orderId).toBeTruthy();
    await e2e.screenshot(page, 'app-payments-result-paid');

    // The card's transactions: the top-up, signed, with the running balance.
    await page.getByTestId('result-transactions').click();
    await page.waitForURL(url(`/cards/${card.id}/transactions`));
    await expect.poll(() => page.getByTestId('card-balance').textContent()).toBe('¥100.00');
    const rows = page.getByTestId('tx-row');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().getByTestId('tx-type').textContent()).resolves.toBe('充值');
    await expect(rows.first().getByTestId('tx-amount').textContent()).resolves.toBe('+¥100.00');
    await expect(rows.first().textContent()).resolves.toContain('余额 ¥100.00');
    await e2e.screenshot(page, 'app-payments-transactions');

    // Filtered to fares there is nothing: the seed's empty state.
    await page.getByTestId('tx-filter-type').click();
    await page.getByTestId('tx-type-choices').getByText('乘车', { exact: true }).click();
    await page.getByTestId('tx-empty').getByText('当前暂无交易记录').waitFor();
    // Filtered to top-ups: the top-up again.
    await page.getByTestId('tx-filter-type').click();
    await page.getByTestId('tx-type-choices').getByText('充值', { exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);

    // The card itself gets the money at its next tap: until then its page says so.
    await page.goto(url(`/cards/${card.id}`));
    await expect.poll(() => page.getByTestId('detail-pending-top-up').textContent()).toBe('¥100.00');
    await page.getByText('下次在公交、地铁等终端刷卡时自动写入卡内').waitFor();

    // The order is complete; its invoice cannot be had the same day …
    await page.goto(url(`/orders/${orderId}`));
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('已完成');
    await page.getByTestId('invoice-rule').waitFor();
    // … so the page says from when (by the server's day), with no form that would be refused.
    await page.getByTestId('invoice-unavailable').getByText('可于 2026-11-24 起申请').waitFor();
    expect(await page.getByTestId('invoice-request').count()).toBe(0);
    expect(await page.getByTestId('invoice-title').count()).toBe(0);
    await e2e.screenshot(page, 'app-payments-invoice-not-yet');

    // … but the next day it is issued (sign in again: a day outlives the session).
    const today = e2e.t.clock.now();
    e2e.t.clock.advance(24 * 3600_000);
    try {
      await signInParent(parent, page);
      await page.goto(url(`/orders/${orderId}`));
      await page.getByTestId('invoice-title').locator('input').fill('钱小多家长');
      await page.getByTestId('invoice-request').click();
      await page.getByTestId('invoice-no').waitFor();
      expect(await page.getByTestId('invoice-no').textContent()).toMatch(/^20261124\d{12}$/);
      await page.getByTestId('invoice-download').waitFor();
      await settled(page);
      await e2e.screenshot(page, 'app-payments-invoice-issued');

      // An operator then refunds all of it: the order is refunded, and its page still shows the
      // invoice with a red-letter invoice for the whole amount.
      const operator = await e2e.t.factory.operatorToken();
      const refund = await e2e.t.app.inject({ method: 'POST', url: `/api/v1/admin/orders/${orderId}/refunds`, headers: { authorization: `Bearer ${operator}` }, payload: {} });
      expect(refund.statusCode, refund.body).toBe(201);
      await page.reload();
      await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('已退款');
      await page.getByTestId('invoice-red-letter').getByText('红字发票（退款冲红） -¥100.00').waitFor();
      await expect.poll(() => page.getByTestId('invoice-net').textContent()).toBe('¥0.00');
      await settled(page);
      await e2e.screenshot(page, 'app-payments-invoice-red-letter');
    } finally {
      e2e.t.clock.set(today);
    }
  });

  it('WeChat Pay returns through its redirect_url, and the back button lands on the result page too', async () => {
    const { card, parent } = await family('周小微');
    const page = await signInParent(parent);
    await page.goto(url(`/cards/${card.id}/top-up`));
    await page.getByTestId('topup-custom').locator('input').fill('12.5');
    await page.getByTestId('gateway-choice').getByText('微信', { exact: true }).click();
    await page.getByTestId('topup-submit').getByText('确认充值 ¥12.50').waitFor();
    await page.getByTestId('topup-submit').click();

    await page.waitForURL(/\/api\/v1\/sandbox\/wechat\/cashier\//);
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.getByRole('heading', { name: '支付成功' }).waitFor();
    // 返回商户 leads to the app's result page (the redirect_url the app asked the server for).
    const back = await page.getByRole('link', { name: '返回商户' }).getAttribute('href');
    expect(back).toMatch(new RegExp(`^${e2e.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/pay/result\\?orderId=[0-9a-f-]{36}$`));
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/\/pay\/result\?orderId=/);
    await page.locator('[data-testid="pay-result"][data-outcome="paid"]').waitFor();
    await expect.poll(() => page.getByTestId('result-balance').textContent()).toBe('¥12.50');
    expect(await purseFen(e2e.t, card.id)).toBe(1_250);
  });

  it('a top-up paid after its card was reported lost is sent back, and the order says so', async () => {
    const { student, card, parent } = await family('毛小退');
    const page = await signInParent(parent);
    await page.getByTestId('home-topup').click();
    await page.waitForURL(url('/top-up'));
    await expect.poll(() => page.getByTestId('topup-card').getAttribute('aria-pressed')).toBe('true');
    // ¥50.00, the first preset, is chosen to start with.
    await expect.poll(() => page.getByTestId('topup-submit').textContent()).toContain('确认充值 ¥50.00');
    await page.getByTestId('topup-submit').click();
    await page.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    // While the parent is at the cashier, the child reports the card lost.
    const studentToken = await e2e.t.factory.loginAs('student', student.education_id, student.password);
    const loss = await e2e.t.app.inject({ method: 'POST', url: `/api/v1/cards/${card.id}/loss`, headers: { authorization: `Bearer ${studentToken}` } });
    expect(loss.statusCode, loss.body).toBe(200);
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.getByRole('heading', { name: '支付成功' }).waitFor();
    await page.getByRole('link', { name: '返回商户' }).click();
    await page.waitForURL(/\/pay\/result\?orderId=/);
    const orderId = new URL(page.url()).searchParams.get('orderId')!;
    await page.locator('[data-testid="pay-result"][data-outcome="failed"]').waitFor();
    await expect.poll(() => page.getByTestId('pay-result-hint').textContent()).toBe('订单已关闭，您付的 ¥50.00 没有入账，将原路退回');
    await expect.poll(async () => (await e2e.t.ctx.db.selectFrom('payment_refunds').select('amount_fen').where('order_id', '=', orderId).execute()).length).toBe(1);
    expect(await purseFen(e2e.t, card.id)).toBe(0);
    await page.goto(url(`/orders/${orderId}`));
    await expect.poll(() => page.getByTestId('order-late-refund').textContent()).toBe('¥50.00');
    await page.getByTestId('order-late-refund-note').waitFor();
    await settled(page);
    await e2e.screenshot(page, 'app-payments-late-refund');
  });

  it('a payer who cancels at the cashier sees the payment as not completed and can pay again', async () => {
    const { card, parent } = await family('吴小退');
    const page = await signInParent(parent);
    await page.goto(url(`/cards/${card.id}/top-up`));
    await page.getByTestId('topup-presets').getByText('¥200.00', { exact: true }).click();
    await page.getByTestId('topup-submit').getByText('确认充值 ¥200.00').waitFor();
    await page.getByTestId('topup-submit').click();
    await page.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    await page.getByRole('button', { name: '取消' }).click();
    await page.getByRole('heading', { name: '已取消支付' }).waitFor();
    await page.getByRole('link', { name: '返回商户' }).click();

    await page.locator('[data-testid="pay-result"][data-outcome="failed"]').waitFor();
    await page.getByText('支付渠道显示这笔订单没有付款').waitFor();
    expect(await purseFen(e2e.t, card.id)).toBe(0);
    // The order still waits: it can be given up from here too, not only from the order page.
    await page.getByTestId('result-cancel').getByText('取消订单').waitFor();
    const resultUrl = page.url();
    await page.getByTestId('result-continue').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
    await expect(page.getByTestId('order-status').textContent()).resolves.toBe('等待支付');
    await page.getByTestId('pay-order').getByText('继续支付').waitFor();
    await page.getByTestId('confirm-order').getByText('已完成支付').waitFor();

    await page.goto(resultUrl);
    await page.getByTestId('result-cancel').click();
    await page.locator('.adm-dialog').getByRole('button', { name: '取消订单' }).click();
    await page.locator('.adm-toast-main').getByText('订单已取消').waitFor();
    await page.getByTestId('pay-result-hint').getByText('订单已关闭', { exact: false }).waitFor();
    expect(await page.getByTestId('result-cancel').count()).toBe(0);
    const orderId = new URL(resultUrl).searchParams.get('orderId')!;
    expect((await e2e.t.ctx.db.selectFrom('payment_orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status).toBe('cancelled');
  });

  it('a campus card is topped up with the holder’s query password (seed 004)', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端大学' });
    const student = await e2e.t.factory.newStudent({ name: '校园卡充值生', schoolId: school.id, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const card = await e2e.t.factory.newCard(student.id, { product: 'campus_card' });
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.goto(url(`/cards/${card.id}/top-up`));
    // A campus card's page is titled 校园卡充值, not 学生卡充值.
    await page.locator('.adm-nav-bar-title').getByText('校园卡充值', { exact: true }).waitFor();
    await page.getByTestId('topup-presets').getByText('¥100.00', { exact: true }).click();
    await page.getByTestId('topup-submit').click();
    await page.getByTestId('topup-password-error').getByText('请输入 6 位数字查询密码').waitFor();
    await page.getByTestId('topup-query-password').locator('input').fill('975310');
    await page.getByTestId('topup-submit').click();
    await page.locator('.adm-toast-main').getByText('查询密码不正确', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-payments-campus-password');
    await settled(page);
    // The initial query password (the last six of the ID number) signs in but moves no money: a dialog says what to do.
    await page.getByTestId('topup-query-password').locator('input').fill(student.id_number.replace(/X$/, '').slice(-6));
    await page.getByTestId('topup-submit').click();
    await page.getByTestId('query-password-initial').getByText('按提示修改查询密码', { exact: false }).waitFor();
    await page.locator('.adm-dialog').getByText('请先修改查询密码').waitFor();
    await e2e.screenshot(page, 'app-payments-query-password-initial');
    await page.locator('.adm-dialog').getByText('知道了').click();
    expect(await e2e.t.ctx.db.selectFrom('payment_orders').select('id').where('card_id', '=', card.id).execute()).toEqual([]);

    // Changed (in a campus card session), it pays.
    await e2e.t.ctx.db.updateTable('students').set({ campus_password_hash: await hashPassword('246813'), campus_must_change: false }).where('id', '=', student.id).execute();
    await settled(page);
    await page.getByTestId('topup-query-password').locator('input').fill('246813');
    await page.getByTestId('topup-submit').click();
    await page.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    const orders = await e2e.t.ctx.db.selectFrom('payment_orders').select(['amount_fen']).where('card_id', '=', card.id).execute();
    expect(orders).toEqual([{ amount_fen: 10_000 }]);
  });

  it('a card that cannot be topped up says why, and a family with no orders sees the empty state', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'primary', name: '端到端未激活小学' });
    const student = await e2e.t.factory.newStudent({ name: '冯小新', birthDate: '2016-02-02', schoolId: school.id });
    await e2e.t.factory.newCard(student.id, { active: false });
    const parent = await e2e.t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const page = await signInParent(parent);

    await page.getByTestId('home-topup').click();
    const cardOption = page.getByTestId('topup-card');
    await cardOption.getByText('卡片尚未激活，激活后即可充值').waitFor();
    await expect(cardOption.getAttribute('aria-disabled')).resolves.toBe('true');
    // Tapping it anyway selects nothing.
    await cardOption.click({ force: true });
    await expect(cardOption.getAttribute('aria-pressed')).resolves.toBe('false');
    expect(await page.getByTestId('topup-submit').isDisabled()).toBe(true);

    await page.goto(url('/orders'));
    await page.getByTestId('orders-empty').getByText('暂无订单').waitFor();
    expect(await e2e.t.ctx.db.selectFrom('payment_orders').select('id').where('student_id', '=', student.id).execute()).toEqual([]);

    // The same screens in English.
    await page.evaluate(() => localStorage.setItem('onecard.lang', 'en'));
    await page.reload();
    await page.getByTestId('orders-empty').getByText('No orders yet').waitFor();
    await page.getByRole('tab', { name: 'To pay' }).waitFor();
    await page.goto(url('/top-up'));
    await page.getByTestId('topup-card').getByText('The card is not activated yet; activate it to top up').waitFor();
    await page.getByText('Choose how to pay').waitFor();
  });

  it('the home page lists what the children’s cards ask for (待办), each leading to the screen that does it', async () => {
    const { student, card, parent } = await family('邹小办');
    // The app dates its reminders by the phone's clock.
    const soon = addDays(shanghaiDate(new Date()), 10);
    await e2e.t.ctx.db.updateTable('cards').set({ valid_until: soon }).where('id', '=', card.id).execute();
    const sibling = await e2e.t.factory.newStudent({ name: '邹小失', birthDate: '2016-03-03', schoolId: student.school_id });
    const lostCard = await e2e.t.factory.newCard(sibling.id);
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', lostCard.id).execute();
    await e2e.t.ctx.db.insertInto('parent_students').values({ parent_id: parent.id, student_id: sibling.id, relation: '父亲', bound_at: e2e.t.clock.now() }).execute();
    // A third child lost a card and the parent has applied for its replacement (补办), not paid yet.
    const third = await e2e.t.factory.newStudent({ name: '邹小补', birthDate: '2017-04-04', schoolId: student.school_id });
    const replacedCard = await e2e.t.factory.newCard(third.id);
    await e2e.t.ctx.db.insertInto('parent_students').values({ parent_id: parent.id, student_id: third.id, relation: '父亲', bound_at: e2e.t.clock.now() }).execute();
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const api = (path: string, payload: object) => e2e.t.app.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` }, payload });
    expect((await api(`/cards/${replacedCard.id}/loss`, {})).statusCode).toBe(200);
    const applied = await api('/fulfilment/applications', {
      kind: 'replacement', name: third.name, idType: 'resident_id', idNumber: third.id_number, educationId: third.education_id, cardId: replacedCard.id, delivery: { method: 'school' },
    });
    expect(applied.statusCode, applied.body).toBe(201);
    const applicationId = (applied.json() as { id: string }).id;

    const page = await signInParent(parent);
    const todos = page.getByTestId('todo');
    await expect.poll(() => todos.count()).toBe(5);
    await expect(todos.evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')))).resolves.toEqual(['confirm_info', 'lost', 'replacing', 'extend_soon', 'low_balance']);
    // The replacement is made once the card information is confirmed: that is asked first.
    await todos.nth(0).getByText('邹**的制卡信息待确认，确认后才能制卡').waitFor();
    await todos.nth(1).getByText(`邹**的北京通学生卡（尾号 ${lostCard.card_no.slice(-3)}）已挂失：找回可解挂，找不回可补办`).waitFor();
    await todos.nth(2).getByText(`邹**的北京通学生卡（尾号 ${replacedCard.card_no.slice(-3)}）补办中：待缴费`).waitFor();
    await todos.nth(3).getByText(`邹**的北京通学生卡（尾号 ${card.card_no.slice(-3)}）将于 ${soon} 到期，请及时办理延期`).waitFor();
    await todos.nth(4).getByText(`邹**的北京通学生卡（尾号 ${card.card_no.slice(-3)}）余额 ¥0.00，去充值`).waitFor();
    await e2e.screenshot(page, 'app-home-todos');
    await todos.nth(0).click();
    await page.waitForURL(url(`/students/${third.id}/card-info`));
    await page.goBack();
    await todos.nth(2).click();
    await page.waitForURL(url(`/card-applications/${applicationId}`));
    await page.goBack();
    await todos.nth(4).click();
    await page.waitForURL(url(`/cards/${card.id}/top-up`));
    await page.goBack();
    await todos.nth(3).click();
    await page.waitForURL(url(`/cards/${card.id}/extend`));
  });

  it('a parent signs Alipay’s withholding agreement and sets an auto top-up on the child’s page; the job tops the card up (自动充值)', async () => {
    const { student, card, parent } = await family('柳小自');
    const page = await signInParent(parent);
    await page.goto(url(`/children/${student.id}`));
    await page.getByTestId('auto-top-up').getByText('自动充值需要先开通免密支付：支付宝免密代扣（商户代扣）或微信支付委托代扣，任选其一。').waitFor();
    // Alipay is chosen at first.
    await expect(page.getByTestId('auto-top-up-sign').textContent()).resolves.toBe('开通支付宝免密支付');
    await page.getByTestId('auto-top-up-sign').click();
    // Alipay's signing page (the sandbox's), then back to the child's page, where the server has asked Alipay.
    await page.getByRole('button', { name: '同意并签约' }).click();
    await page.waitForURL(url(`/children/${student.id}`));
    await page.getByTestId('auto-top-up-agreement').waitFor();

    await page.getByTestId('auto-top-up-switch').click();
    await page.getByTestId('auto-top-up-below').locator('input').fill('10');
    await page.getByTestId('auto-top-up-amount').locator('input').fill('600');
    await page.getByTestId('auto-top-up-error').getByText('余额低于 1 至 500 元，充值金额 10 至 500 元').waitFor();
    await expect(page.getByTestId('auto-top-up-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('auto-top-up-amount').locator('input').fill('50');
    // A monthly cap below one top-up is refused; one of ¥200 is kept.
    await page.getByTestId('auto-top-up-cap').locator('input').fill('30');
    await page.getByTestId('auto-top-up-error').getByText('每月上限 10 至 5000 元，且不低于充值金额；不填则不设上限').waitFor();
    await expect(page.getByTestId('auto-top-up-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('auto-top-up-cap').locator('input').fill('200');
    await page.getByTestId('auto-top-up-save').click();
    await page.locator('.adm-toast-main').getByText('已设置：余额低于 ¥10.00 时充值 ¥50.00').waitFor();
    await expect(page.getByTestId('auto-top-up-rule').textContent()).resolves.toBe('余额低于 ¥10.00 时充值 ¥50.00，每月最多 ¥200.00');
    await expect(page.getByTestId('auto-top-up-month').textContent()).resolves.toBe('本月已自动充值 ¥0.00');

    // The card holds ¥0.00: the job charges the parent's Alipay and the page lists the charge.
    await runAutoTopUps(e2e.t.ctx);
    expect(await purseFen(e2e.t, card.id)).toBe(5_000);
    await page.reload();
    await page.getByTestId('auto-top-up-charge').getByText('已充值').waitFor();
    await expect(page.getByTestId('auto-top-up-month').textContent()).resolves.toBe('本月已自动充值 ¥50.00');
    await e2e.screenshot(page, 'app-payments-auto-top-up');
    const texts = await e2e.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).execute();
    expect(texts.map((m) => m.body)).toEqual([expect.stringContaining('已为其自动充值 ¥50.00（支付宝免密代扣）')]);
  });

  it('a parent chooses WeChat Pay for 自动充值, signs its 委托代扣 contract in the browser, and the charge is 扣款中 until WeChat reports it', async () => {
    const { student, card, parent } = await family('柳小微');
    const page = await signInParent(parent);
    await page.goto(url(`/children/${student.id}`));
    await page.getByTestId('auto-top-up-gateway').getByText('微信支付', { exact: true }).click();
    await expect(page.getByTestId('auto-top-up-sign').textContent()).resolves.toBe('开通微信支付免密支付');
    await e2e.screenshot(page, 'app-payments-auto-top-up-choose');
    const signing = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/me/payment-agreement'));
    await page.getByTestId('auto-top-up-sign').click();
    expect(JSON.parse((await signing).request().postData() ?? '{}')).toMatchObject({ gateway: 'wechat' });
    // WeChat Pay's signing page (the sandbox's, reached through the pre-sign link): cancelled first, so the page says the signing is not finished.
    await page.waitForURL(/\/api\/v1\/sandbox\/wechat\/agreement\/[0-9a-f-]{36}$/);
    await page.getByText('微信支付 · 委托代扣').waitFor();
    await page.getByRole('button', { name: '取消' }).click();
    await page.waitForURL(url(`/children/${student.id}`));
    await page.getByTestId('auto-top-up-signing').getByText('签约尚未完成：请在微信支付页面同意签约后返回').waitFor();
    await page.getByTestId('auto-top-up-sign').click();
    await page.getByRole('button', { name: '同意并签约' }).click();
    await page.waitForURL(url(`/children/${student.id}`));
    // Back on the child's page: the server asked WeChat (contract query) before showing it signed.
    await page.getByTestId('auto-top-up-agreement').getByText('微信支付委托代扣').waitFor();
    await expect(page.getByTestId('auto-top-up').textContent()).resolves.toMatch(/已开通 Wx\d{2}\*{4}\d{4}/);

    await page.getByTestId('auto-top-up-switch').click();
    await page.getByTestId('auto-top-up-below').locator('input').fill('10');
    await page.getByTestId('auto-top-up-amount').locator('input').fill('50');
    await page.getByTestId('auto-top-up-save').click();
    await page.locator('.adm-toast-main').getByText('已设置：余额低于 ¥10.00 时充值 ¥50.00').waitFor();

    // WeChat accepts the charge and makes it afterwards: 扣款中 on the page meanwhile.
    expect(await runAutoTopUps(e2e.t.ctx)).toMatchObject({ pending: 1 });
    await page.reload();
    await page.getByTestId('auto-top-up-charge').getByText('扣款中').waitFor();
    expect(await purseFen(e2e.t, card.id)).toBe(0);
    // WeChat makes the charge and notifies it (TRANSACTION.SUCCESS, signed and encrypted) over HTTP.
    for (let round = 0; round < 10 && (await e2e.t.ctx.jobs.runDue(100)) > 0; round++);
    expect(await purseFen(e2e.t, card.id)).toBe(5_000);
    await page.reload();
    await page.getByTestId('auto-top-up-charge').getByText('已充值').waitFor();
    await e2e.screenshot(page, 'app-payments-auto-top-up-wechat');
    await runAutoTopUps(e2e.t.ctx);
    const texts = await e2e.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).execute();
    expect(texts.map((m) => m.body)).toEqual([expect.stringContaining('已为其自动充值 ¥50.00（微信支付委托代扣）')]);

    // Ended on the page: terminated at WeChat, and the choice of gateway is offered again.
    await page.getByTestId('auto-top-up-end-agreement').click();
    await page.locator('.adm-dialog').getByRole('button', { name: /^确[定认]$/ }).click();
    await page.locator('.adm-toast-main').getByText('已关闭免密支付').waitFor();
    await page.getByTestId('auto-top-up-gateway').waitFor();
    const atWechat = await e2e.t.ctx.db.selectFrom('sandbox_agreements as s').innerJoin('payment_agreements as a', 'a.external_agreement_no', 's.external_agreement_no')
      .select('s.status').where('s.gateway', '=', 'wechat').where('a.parent_id', '=', parent.id).execute();
    expect(atWechat).toEqual([{ status: 'UNSIGN' }]);
  });

  it('a parent sets a low-balance alert on the child’s page and is texted once the balance falls below it (余额提醒)', async () => {
    const { student, card, parent } = await family('孔小提');
    await fund(e2e.t, card.id, 2_000);
    const page = await signInParent(parent);
    await page.goto(url(`/children/${student.id}`));
    const section = page.getByTestId('balance-alert');
    await section.getByText('余额不足时短信提醒我').waitFor();
    await page.getByTestId('balance-alert-switch').click();
    await page.getByTestId('balance-alert-input').locator('input').fill('600');
    await page.getByTestId('balance-alert-error').getByText('请输入 1 至 500 元').waitFor();
    await expect(page.getByTestId('balance-alert-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('balance-alert-input').locator('input').fill('25.5');
    await page.getByTestId('balance-alert-save').click();
    await page.locator('.adm-toast-main').getByText('已设置：余额低于 ¥25.50 时提醒').waitFor();
    await expect(page.getByTestId('balance-alert-amount').textContent()).resolves.toBe('¥25.50');

    // ¥20.00 is below ¥25.50: the next check texts the parent, and the page says when.
    await sendLowBalanceAlerts(e2e.t.ctx);
    const texts = await e2e.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).execute();
    expect(texts.map((m) => m.body)).toEqual(['【北京学生卡】您孩子孔**的学生卡余额为 ¥20.00，低于您设置的提醒金额 ¥25.50，请及时充值。']);
    await page.reload();
    await page.getByTestId('balance-alert-sent').getByText('发送提醒，充值后恢复', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-payments-balance-alert');

    await settled(page);
    await page.getByTestId('balance-alert-switch').click();
    await page.locator('.adm-toast-main').getByText('已关闭余额提醒').waitFor();
    await expect(page.getByTestId('balance-alert-amount').count()).resolves.toBe(0);
    expect(await e2e.t.ctx.db.selectFrom('balance_alerts').select('threshold_fen').where('parent_id', '=', parent.id).execute()).toEqual([]);
  });

  it('我的订单 lists a pending top-up and the seed-000 fee order; cancelling closes the order', async () => {
    const { student, card, parent } = await family('孙小单');
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const post = async (path: string, payload: object) => {
      const res = await e2e.t.app.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` }, payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; orderNo: string };
    };
    const topUp = await post('/orders/top-up', { cardId: card.id, amountFen: 5_000 });
    const fee = await post('/orders/fee', { studentId: student.id, feeCode: '174011' });

    const page = await signInParent(parent);
    // The home page counts the orders waiting for payment and opens the 待支付 tab.
    await page.getByTestId('home-orders').getByText('2').waitFor();
    await page.getByTestId('home-orders').click();
    await page.waitForURL(url('/orders?tab=pending'));
    const rows = page.getByTestId('order-row');
    await expect.poll(() => rows.count()).toBe(2);
    const topUpRow = page.locator(`[data-order-no="${topUp.orderNo}"]`);
    await expect(topUpRow.getByTestId('order-status').textContent()).resolves.toBe('等待支付');
    await expect(topUpRow.textContent()).resolves.toContain('¥50.00');
    await expect(topUpRow.textContent()).resolves.toContain('孙**');
    await e2e.screenshot(page, 'app-payments-orders-pending');

    // The fee order page: payee, order number, item, fee code, document number, window, total.
    await page.locator(`[data-order-no="${fee.orderNo}"]`).click();
    await page.waitForURL(url(`/orders/${fee.id}`));
    await expect(page.getByTestId('order-payee').textContent()).resolves.toBe('北京教育网络信息中心');
    await expect(page.getByTestId('order-no').textContent()).resolves.toBe(fee.orderNo);
    await expect(page.getByTestId('order-item').textContent()).resolves.toBe('北京市中小学生学习卡补卡工本费');
    await expect(page.getByTestId('order-fee-code').textContent()).resolves.toBe('174011');
    await expect(page.getByTestId('order-document-no').textContent()).resolves.toBe('京发函【2007】623号');
    await expect(page.getByTestId('order-amount').textContent()).resolves.toBe('¥15.00');
    await page.locator('.adm-nav-bar-title').getByText('缴费确认', { exact: true }).waitFor();
    await page.getByTestId('payment-window').getByText('今天可以缴费').waitFor();
    await page.getByTestId('gateway-choice').getByText('支付宝').waitFor();
    expect(await page.getByTestId('pay-order').isEnabled()).toBe(true);
    await e2e.screenshot(page, 'app-payments-fee-order');

    // 取消订单 on the top-up: asked first, then closed, and it leaves the 待支付 tab. The first
    // request reaches the server but its answer is lost; the retry of that same action carries
    // the same Idempotency-Key, so the server replays its stored answer rather than acting again.
    const cancelUrl = `**/api/v1/orders/${topUp.id}/cancel`;
    const keys = await loseFirstAnswer(page, cancelUrl);
    await page.goto(url(`/orders/${topUp.id}`));
    await page.getByTestId('cancel-order').click();
    await page.locator('.adm-dialog').getByRole('button', { name: '取消订单' }).click();
    await page.getByText('网络连接失败，请检查网络后重试').waitFor();
    await settled(page);
    const replayed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/orders/${topUp.id}/cancel`));
    await page.getByTestId('cancel-order').click();
    await page.locator('.adm-dialog').getByRole('button', { name: '取消订单' }).click();
    expect((await replayed).headers()['idempotent-replayed']).toBe('true');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(uuidPattern);
    expect(keys[1]).toBe(keys[0]);
    await page.unroute(cancelUrl);
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('已取消');
    expect(await page.getByTestId('pay-order').count()).toBe(0);
    const stored = await e2e.t.ctx.db.selectFrom('payment_orders').select('status').where('id', '=', topUp.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('cancelled');
    await settled(page);

    await page.goto(url('/orders?tab=pending'));
    await expect.poll(() => rows.count()).toBe(1);
    await page.locator(`[data-order-no="${fee.orderNo}"]`).waitFor();
    await page.getByRole('tab', { name: '已关闭' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect(page.locator(`[data-order-no="${topUp.orderNo}"]`).getByTestId('order-status').textContent()).resolves.toBe('已取消');

    // Once the fee is paid its page is the order's details, no longer 缴费确认.
    // Over real HTTP (not inject): the sandbox cashier is reached at the address the request came to.
    const paying = await fetch(`${e2e.baseUrl}/api/v1/orders/${fee.id}/pay`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ gateway: 'wechat' }) });
    const { cashierUrl } = (await paying.json()) as { cashierUrl: string };
    expect(paying.status, cashierUrl).toBe(200);
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    for (let round = 0; round < 20 && (await e2e.t.ctx.jobs.runDue(100)) > 0; round++);
    await page.goto(url(`/orders/${fee.id}`));
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('已完成');
    await page.locator('.adm-nav-bar-title').getByText('订单详情', { exact: true }).waitFor();
  });

  it('outside the payment window a fee cannot be paid and the next window is shown', async () => {
    const { student, parent } = await family('郑小窗');
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    // Placed on a Monday (inside the window); looked at on the Wednesday.
    const res = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/orders/fee', headers: { authorization: `Bearer ${token}` }, payload: { studentId: student.id, feeCode: '174011' } });
    expect(res.statusCode, res.body).toBe(201);
    const fee = res.json() as { id: string };
    const saved = e2e.t.clock.now();
    // Keep the order open (it would expire after 30 minutes): move its deadline with the clock.
    e2e.t.clock.set(nextWednesdayNoon(saved));
    await e2e.t.ctx.db.updateTable('payment_orders').set({ expires_at: new Date(e2e.t.clock.now().getTime() + 30 * 60_000) }).where('id', '=', fee.id).execute();
    try {
      const page = await signInParent(parent);
      await page.goto(url(`/orders/${fee.id}`));
      await page.getByTestId('payment-window').getByText('当前不在缴费时间内').waitFor();
      await expect(page.getByTestId('payment-window-next').textContent()).resolves.toMatch(/^下次缴费时间：\d{4}-\d{2}-\d{2}/);
      expect(await page.getByTestId('pay-order').isDisabled()).toBe(true);
      await e2e.screenshot(page, 'app-payments-fee-window-closed');
    } finally {
      e2e.t.clock.set(saved);
    }
  });
});

/** Noon in Beijing on the Wednesday after `from`'s Beijing date. */
function nextWednesdayNoon(from: Date): Date {
  const beijing = new Date(from.getTime() + 8 * 3600_000);
  const daysAhead = ((3 - beijing.getUTCDay() + 7) % 7) || 7;
  const day = new Date(Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() + daysAhead, 4));
  return day;
}
