import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { fund } from '../support/money.js';
import { describeE2E, loseFirstAnswer, signInToConsole, useE2E } from './support.js';

/**
 * The admin console's money screens in a real browser: an operator finds a paid order, reads
 * what happened to it and refunds part of it; edits a day of the working calendar; reconciles
 * the day and sees that nothing differs. Needs `npm run build:web` first.
 */

describeE2E('admin console: orders, refunds, calendar, reconciliation', () => {
  const e2e = useE2E();
  let paid: { id: string; orderNo: string; schoolId: string };

  beforeAll(async () => {
    e2e.t.clock.set('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing: inside the fee window
    paid = await paidFeeOrder();
  });

  async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const res = await fetch(`${e2e.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** A parent pays the ¥15 replacement fee at the sandbox WeChat Pay cashier; the notification is delivered. */
  async function paidFeeOrder() {
    const school = await e2e.t.factory.newSchool({ name: '端到端缴费中学' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '赵小雨' });
    const parent = await e2e.t.factory.newParent({ children: [student.id] });
    const token = await e2e.t.factory.loginAs('parent', parent.phone, parent.password);
    const order = await api<{ id: string; orderNo: string }>('POST', '/orders/fee', token, { studentId: student.id, feeCode: '174011' });
    const { cashierUrl } = await api<{ cashierUrl: string }>('POST', `/orders/${order.id}/pay`, token, { gateway: 'wechat' });
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    for (let round = 0; round < 20 && (await e2e.t.ctx.jobs.runDue(100)) > 0; round++);
    expect((await api<{ status: string }>('GET', `/orders/${order.id}`, token)).status).toBe('fulfilled');
    return { ...order, schoolId: school.id };
  }

  async function signInAsOperator(): Promise<Page> {
    return signInToConsole(e2e, await e2e.t.factory.newStaff('operator'));
  }

  const menu = (page: Page) => page.getByTestId('sider-menu');

  it('an operator searches an order by its number, reads its history and refunds ¥5 of it', async () => {
    const page = await signInAsOperator();
    await menu(page).getByText('订单查询', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/orders`);

    const search = page.getByTestId('table-search').locator('input');
    await search.fill(paid.orderNo.slice(0, 16));
    await search.press('Enter');
    const rows = page.getByTestId('orders-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByText('赵**').waitFor();
    await rows.first().getByText('已完成').waitFor();
    expect(await page.getByText('赵小雨').count()).toBe(0); // names are masked on screen
    await e2e.screenshot(page, 'admin-orders-search');

    await rows.first().click();
    const drawer = page.getByTestId('order-drawer');
    await drawer.getByTestId('order-summary').getByText(paid.orderNo).waitFor();
    await drawer.getByTestId('order-attempts').getByText('微信支付').waitFor();
    await drawer.getByTestId('order-notifications').getByText('已处理').waitFor();
    await drawer.getByTestId('order-ledger').getByText('缴费', { exact: true }).waitFor();
    await drawer.getByTestId('order-refunds').getByText('没有退款').waitFor();
    await e2e.screenshot(page, 'admin-order-drawer');

    await drawer.getByTestId('order-refund').click();
    const dialog = page.getByRole('dialog', { name: '订单退款' });
    await dialog.getByTestId('refundable').getByText('¥15.00').waitFor();
    // More than is left is refused on the form, before anything is sent.
    await dialog.getByLabel('退款金额（元）').fill('16');
    await dialog.getByLabel('退款原因').fill('家长重复缴费，核实后部分退回');
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByText('请输入 0.01 至 ¥15.00 之间的金额').waitFor();
    await dialog.getByLabel('退款金额（元）').fill('5');

    // The first 确认退款 reaches the server but its answer is lost on the way back; confirming the
    // same refund again sends the same Idempotency-Key, and the server replays its stored answer.
    const refundsUrl = `**/api/v1/admin/orders/${paid.id}/refunds`;
    const keys = await loseFirstAnswer(page, refundsUrl);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/admin/orders/${paid.id}/refunds`));
    await dialog.getByRole('button', { name: '下一步' }).click();
    const confirm = page.getByRole('dialog', { name: '确认退款？' });
    await confirm.getByText('将通过微信支付向订单', { exact: false }).waitFor();
    await confirm.getByText('¥5.00', { exact: false }).waitFor();
    await e2e.screenshot(page, 'admin-order-refund-confirm');
    await confirm.getByRole('button', { name: '确认退款' }).click();
    const request = await sent;
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(request.postDataJSON()).toEqual({ amountFen: 500, note: '家长重复缴费，核实后部分退回' });
    await dialog.getByText('网络连接失败，请检查网络后重试').first().waitFor();
    const replayed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/admin/orders/${paid.id}/refunds`));
    await dialog.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('dialog', { name: '确认退款？' }).getByRole('button', { name: '确认退款' }).click();
    expect((await replayed).headers()['idempotent-replayed']).toBe('true');
    expect(keys).toEqual([keys[0], keys[0]]);
    await page.unroute(refundsUrl);
    expect(await e2e.t.ctx.db.selectFrom('payment_refunds').select('id').where('order_id', '=', paid.id).execute()).toHaveLength(1);

    const refunds = drawer.getByTestId('order-refunds');
    await refunds.getByText('运营人员退款').waitFor();
    await refunds.getByText('¥5.00').waitFor();
    await drawer.getByTestId('order-summary').getByText('¥5.00').waitFor(); // refunded so far
    await drawer.getByTestId('order-refund').getByText('¥10.00', { exact: false }).waitFor(); // what is left
    const stored = await e2e.t.ctx.db.selectFrom('payment_refunds').selectAll().where('order_id', '=', paid.id).execute();
    expect(stored.map((r) => [r.reason, r.amount_fen, r.status])).toEqual([['operator', 500, 'succeeded']]);
    const audit = await e2e.t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('action', '=', 'payments.refund.requested').where('entity_id', '=', stored[0]!.id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_role: 'operator', after: { note: '家长重复缴费，核实后部分退回', amountFen: 500 } });
    await e2e.screenshot(page, 'admin-order-refunded');

    // Another ¥5 with the same note is a new action once the first succeeded: a new key, a second refund.
    const again = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/admin/orders/${paid.id}/refunds`));
    await drawer.getByTestId('order-refund').click();
    const secondDialog = page.getByRole('dialog', { name: '订单退款' });
    await secondDialog.getByTestId('refundable').getByText('¥10.00').waitFor();
    await secondDialog.getByLabel('退款金额（元）').fill('5');
    await secondDialog.getByLabel('退款原因').fill('家长重复缴费，核实后部分退回');
    await secondDialog.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('dialog', { name: '确认退款？' }).getByRole('button', { name: '确认退款' }).click();
    const secondKey = (await again).headers()['idempotency-key'];
    expect(secondKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(secondKey).not.toBe(keys[0]);
    await expect.poll(async () => (await e2e.t.ctx.db.selectFrom('payment_refunds').select('amount_fen').where('order_id', '=', paid.id).execute()).map((r) => r.amount_fen)).toEqual([500, 500]);
    await drawer.getByTestId('order-refund').getByText('¥5.00', { exact: false }).waitFor(); // what is left
  });

  it('an operator makes Christmas Eve 2026 a holiday in the calendar', async () => {
    const page = await signInAsOperator();
    await page.goto(`${e2e.baseUrl}/admin/calendar?month=2026-12`);
    const day = page.getByTestId('day-2026-12-24');
    await day.waitFor();
    expect(await day.getAttribute('data-working')).toBe('true');
    expect(await page.getByTestId('year-not-loaded').count()).toBe(0); // 2026 is loaded

    await page.locator('td[title="2026-12-24"]').click();
    const dialog = page.getByRole('dialog', { name: '编辑 2026-12-24' });
    await dialog.getByText('法定节假日（休）').click();
    await dialog.getByLabel('名称').fill('平安夜');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'hidden' });

    await expect.poll(() => day.getAttribute('data-holiday')).toBe('true');
    expect(await day.getAttribute('data-working')).toBe('false');
    await day.getByText('平安夜').waitFor();
    await day.getByText('休', { exact: true }).waitFor();
    const row = await e2e.t.ctx.db.selectFrom('calendar_days').selectAll().where('date', '=', '2026-12-24').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ is_working_day: false, is_holiday: true, is_vacation: false, name: '平安夜' });
    await e2e.screenshot(page, 'admin-calendar-edited');

    // A year the calendar does not hold is said so, not guessed; an operator may open it from weekdays.
    await page.goto(`${e2e.baseUrl}/admin/calendar?month=2099-01`);
    await page.getByTestId('year-not-loaded').getByText('2099 年的日历尚未加载', { exact: false }).waitFor();
    await page.getByTestId('open-year').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '按周末生成 2099 年日历' }).click();
    await page.getByTestId('year-provisional').getByText('2099 年日历由运营人员按周末生成', { exact: false }).waitFor();
    expect(await page.getByTestId('year-not-loaded').count()).toBe(0);
    await expect.poll(() => page.getByTestId('day-2099-01-01').getAttribute('data-working')).toBe('true'); // a Thursday, until marked
    expect(await page.getByTestId('day-2099-01-03').getAttribute('data-working')).toBe('false'); // a Saturday
    await e2e.screenshot(page, 'admin-calendar-year-opened');
  });

  it("an operator reconciles the order's day and sees no differences", async () => {
    const page = await signInAsOperator();
    await menu(page).getByText('对账', { exact: true }).click();
    // It opens on yesterday (by the browser's Beijing day) and says so, and that today comes after midnight.
    const yesterday = new Date(Date.parse(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())) - 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('recon-day').getByText(`对账日期 ${yesterday}（昨日）`, { exact: false }).waitFor();
    expect(await page.getByTestId('recon-day').textContent()).toContain('今日的支付在次日零点后对账');
    await page.goto(`${e2e.baseUrl}/admin/reconciliation?date=2026-11-23`);
    await page.getByTestId('recon-day').getByText('对账日期 2026-11-23：', { exact: false }).waitFor();
    await page.getByTestId('recon-not-run').waitFor();
    await page.getByTestId('recon-run').click();
    const report = page.getByTestId('reconciliation-report');
    await report.waitFor();
    expect(await report.getAttribute('data-balanced')).toBe('true');
    await page.getByTestId('recon-balanced').getByText('无差异').waitFor();
    const totals = page.getByTestId('recon-totals');
    await totals.getByText('¥15.00').first().waitFor(); // WeChat Pay: paid at the gateway and booked in the ledger
    // The day is not over, so its bills are not asked for: each order was asked about instead, and the page says why.
    expect(await page.getByTestId('recon-source-wechat').getAttribute('data-source')).toBe('query');
    await page.getByTestId('recon-source-wechat').getByText('逐笔查询').waitFor();
    await page.getByTestId('recon-source-wechat').getByText('当日尚未结束，对账单次日 9:00 后生成').waitFor();
    // Its bills not being made yet is no difference: the findings say so (the server's needsAttention), none in red.
    const kinds = page.getByTestId('recon-findings').getByTestId('recon-finding-kind');
    expect(await kinds.count()).toBeGreaterThan(0);
    expect(new Set(await kinds.evaluateAll((tags) => tags.map((tag) => tag.getAttribute('data-attention'))))).toEqual(new Set(['false']));
    expect(await page.getByTestId('recon-findings').locator('.ant-tag-red').count()).toBe(0);
    await e2e.screenshot(page, 'admin-reconciliation');
    const stored = await e2e.t.ctx.db.selectFrom('payment_reconciliations').selectAll().where('date', '=', '2026-11-23').executeTakeFirstOrThrow();
    expect(stored.report).toMatchObject({ balanced: true, orders: 1 });
  });

  it('the next morning an operator reconciles the day against the bill files and sees the fees', async () => {
    e2e.t.clock.set('2026-11-24T02:00:00Z'); // 10:00 the next day: the bills are made
    try {
      const page = await signInAsOperator();
      await page.goto(`${e2e.baseUrl}/admin/reconciliation?date=2026-11-23`);
      await page.getByTestId('recon-run').click();
      const source = page.getByTestId('recon-source-wechat');
      await expect.poll(() => source.getAttribute('data-source')).toBe('bill');
      await source.getByText('对账单').waitFor();
      // ¥15.00 paid, twice ¥5.00 refunded: 0.6% of what stayed, ¥0.03.
      await page.getByTestId('recon-fees-wechat').getByText('¥0.03').waitFor();
      // Nothing was paid through Alipay: said in words, not as the server's NO_GATEWAY_ENDPOINT.
      await page.getByTestId('recon-source-alipay').getByText('尚无经此渠道的支付，无对账单可下载').waitFor();
      expect(await page.getByTestId('reconciliation-report').textContent()).not.toContain('NO_GATEWAY_ENDPOINT');
      expect(await page.getByTestId('reconciliation-report').getAttribute('data-balanced')).toBe('true');
      await e2e.screenshot(page, 'admin-reconciliation-bill');
    } finally {
      e2e.t.clock.set('2026-11-23T02:00:00Z');
    }
  });

  it('an operator checks the holder and pays a ¥320 balance out at the outlet', async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端退卡中学' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '钱多多' });
    const card = await e2e.t.factory.newCard(student.id);
    await fund(e2e.t, card.id, 32_000);
    const operatorToken = await e2e.t.factory.operatorToken();
    const requested = await api<{ id: string; route: string }>('POST', '/balance-refunds', operatorToken, { cardId: card.id });
    expect(requested.route).toBe('outlet');

    const page = await signInAsOperator();
    await menu(page).getByText('余额退款', { exact: true }).click();
    const row = page.getByTestId('balance-refunds-table').locator('tbody tr.ant-table-row', { hasText: student.education_id });
    await row.getByText('待网点办理').waitFor();
    await row.getByText('¥320.00').waitFor();
    await row.click();

    const drawer = page.getByTestId('balance-refund-drawer');
    await drawer.getByTestId('holder-name').getByText('钱**').waitFor();
    expect(await drawer.getByTestId('holder-id-number').textContent()).toBe(`${student.id_number.slice(0, 3)}***********${student.id_number.slice(-4)}`);
    const form = drawer.getByTestId('outlet-form');
    await form.getByLabel('办理网点').fill('海淀服务网点');
    await form.getByLabel('凭证号').fill('CASH-2026-0001');
    // Not without the identity check.
    await form.getByTestId('payout-submit').click();
    await form.getByText('请先核对持卡人身份').waitFor();
    await form.getByTestId('identity-checked').click();
    await form.getByTestId('payout-submit').click();
    const confirm = page.getByRole('dialog', { name: '确认已向持卡人支付 ¥320.00？' });
    await confirm.getByRole('button', { name: '确认支付 ¥320.00' }).click();

    const payout = drawer.getByTestId('payout');
    await payout.getByText('¥320.00').waitFor();
    await payout.getByText('CASH-2026-0001').waitFor();
    await payout.getByText('海淀服务网点').waitFor();
    await e2e.screenshot(page, 'admin-balance-refund-paid-out');
    const stored = await e2e.t.ctx.db.selectFrom('balance_refunds').selectAll().where('id', '=', requested.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'completed', outlet: '海淀服务网点', outlet_reference: 'CASH-2026-0001' });
  });

  it('an operator opens fees on Wednesdays too and sees the next window move', async () => {
    e2e.t.clock.set('2026-11-25T02:00:00Z'); // Wednesday in Beijing: closed with Mondays and Tuesdays
    const page = await signInAsOperator();
    await menu(page).getByText('缴费时段', { exact: true }).click();
    const preview = page.getByTestId('payment-window-preview');
    await preview.getByText('今天不能缴费').waitFor();
    await preview.getByTestId('next-window').getByText('2026-11-30 至 2026-12-01').waitFor();

    await page.getByTestId('weekdays-form').getByText('周三', { exact: true }).click();
    await page.getByTestId('weekdays-save').click();
    await preview.getByText('今天可以缴费').waitFor();
    await preview.getByText('周一、周二、周三').waitFor();
    // Open now: the window named is this one, whole (from Monday), not "next" from tomorrow.
    await preview.getByText('本次缴费时段').waitFor();
    await preview.getByTestId('next-window').getByText('2026-11-23 至 2026-11-25').waitFor();
    await e2e.screenshot(page, 'admin-payment-window');
    // In English with an English comma, not 、.
    await page.getByText('English', { exact: true }).click();
    await preview.getByText('Mon, Tue, Wed', { exact: true }).waitFor();
    await page.getByText('中文', { exact: true }).click();
    await preview.getByText('周一、周二、周三').waitFor();
    const setting = await e2e.t.ctx.db.selectFrom('settings').select('value').where('key', '=', 'payment_window_weekdays').executeTakeFirstOrThrow();
    expect(setting.value).toEqual([1, 2, 3]);
  });

  it("a school's card manager reads their orders (in English too) but cannot refund or reconcile", async () => {
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: paid.schoolId });
    const page = await signInToConsole(e2e, manager);
    for (const item of ['订单查询', '余额退款', '工作日历', '缴费时段']) await menu(page).getByText(item, { exact: true }).waitFor();
    expect(await menu(page).getByText('对账', { exact: true }).count()).toBe(0);

    await menu(page).getByText('订单查询', { exact: true }).click();
    const rows = page.getByTestId('orders-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1); // only their school's order
    expect(await page.getByTestId('school-select').count()).toBe(0);
    await rows.first().click();
    const drawer = page.getByTestId('order-drawer');
    await drawer.getByText('只读：退款由运营人员办理').waitFor();
    expect(await drawer.getByTestId('order-refund').count()).toBe(0);

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    await page.getByText('English', { exact: true }).click();
    await page.getByTestId('orders-table').getByText('Completed', { exact: true }).waitFor();
    await rows.first().click();
    await drawer.getByText('Read only: refunds are made by operators').waitFor();
    await drawer.getByTestId('order-refunds').getByText('Operator refund').first().waitFor(); // two ¥5 refunds by then
    await e2e.screenshot(page, 'admin-orders-manager-en');

    await page.goto(`${e2e.baseUrl}/admin/reconciliation`);
    await page.getByText('Only operators can use this page').waitFor();
  });
});
