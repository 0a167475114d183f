import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { abnormalRefundBusySetting, refundFailureSetting, refundProcessingSetting } from '../../src/modules/payments/sandbox/sandbox-wechat.js';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * The console's refunds WeChat Pay gave up on (decision 0012), in a real browser: an operator
 * sends an ABNORMAL refund to the payer's bank card and sees where it went, and asks a CLOSED one
 * again. Needs `npm run build:web` first.
 */

describeE2E('admin console: abnormal refunds', () => {
  const e2e = useE2E();

  beforeAll(() => {
    e2e.t.clock.set('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing: inside the fee window
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

  const runJobs = async () => {
    for (let round = 0; round < 20 && (await e2e.t.ctx.jobs.runDue(100)) > 0; round++);
  };

  /** A ¥15 fee paid at the sandbox WeChat Pay cashier, refunded by an operator, the refund failed at WeChat as `failure`. */
  async function failedRefund(failure: 'ABNORMAL' | 'CLOSED', name: string) {
    const school = await e2e.t.factory.newSchool({ name: '异常退款中学' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name });
    const parent = await e2e.t.factory.newParent({ children: [student.id] });
    const token = await e2e.t.factory.loginAs('parent', parent.phone, parent.password);
    const order = await api<{ id: string; orderNo: string }>('POST', '/orders/fee', token, { studentId: student.id, feeCode: '174011' });
    const { cashierUrl } = await api<{ cashierUrl: string }>('POST', `/orders/${order.id}/pay`, token, { gateway: 'wechat' });
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    await runJobs();
    await e2e.t.ctx.db.insertInto('settings').values({ key: refundFailureSetting, value: JSON.stringify(failure), updated_at: e2e.t.clock.now(), updated_by: null }).execute();
    try {
      const refund = await api<{ status: string }>('POST', `/admin/orders/${order.id}/refunds`, await e2e.t.factory.operatorToken(), { note: '学生转学，核实后退回' });
      expect(refund.status).toBe('failed');
    } finally {
      await e2e.t.ctx.db.deleteFrom('settings').where('key', '=', refundFailureSetting).execute();
    }
    return order;
  }

  async function openOrder(orderNo: string) {
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('operator'));
    await page.goto(`${e2e.baseUrl}/admin/orders`);
    await findOrder(page, orderNo);
    return { page, refunds: page.getByTestId('order-drawer').getByTestId('order-refunds') };
  }

  async function findOrder(page: Page, orderNo: string) {
    const search = page.getByTestId('table-search').locator('input');
    await search.fill(orderNo);
    await search.press('Enter');
    const rows = page.getByTestId('orders-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().click();
  }

  it('an operator sends an ABNORMAL refund to the payer’s bank card; it is refunded once WeChat pays it', async () => {
    const order = await failedRefund('ABNORMAL', '钱小雨');
    const { page, refunds } = await openOrder(order.orderNo);
    await refunds.getByText('退款异常，需人工处理').waitFor();
    await refunds.getByTestId('abnormal-to-card').click();
    const dialog = page.getByRole('dialog', { name: '异常退款：退至用户银行卡' });
    await dialog.getByTestId('abnormal-bank').click();
    await page.locator('.ant-select-item-option').getByText('中国工商银行', { exact: true }).click();
    await dialog.getByTestId('abnormal-account').fill('1234');
    await dialog.getByTestId('abnormal-name').fill('钱大伟');
    await dialog.getByTestId('abnormal-card-ok').click();
    await dialog.getByText('请输入 12 至 19 位借记卡号').waitFor(); // refused on the form, nothing sent
    await dialog.getByTestId('abnormal-account').fill('6222 0212 3456 7890 123');
    await e2e.screenshot(page, 'admin-abnormal-refund-card');
    await dialog.getByTestId('abnormal-card-ok').click();
    await refunds.getByText('中国工商银行 尾号 0123').waitFor();
    await refunds.getByText('退款中').waitFor();
    expect(await page.getByText('6222021234567890123').count()).toBe(0);

    await runJobs(); // WeChat pays it and notifies REFUND.SUCCESS
    await page.reload(); // read afresh
    await findOrder(page, order.orderNo);
    await refunds.getByText('已退款').waitFor();
    expect(await refunds.innerText()).toContain('中国工商银行 尾号 0123');
    await e2e.screenshot(page, 'admin-abnormal-refund-done');
  });

  /** A sandbox switch on while `body` runs. */
  async function withSwitch<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
    await e2e.t.ctx.db.insertInto('settings').values({ key, value: JSON.stringify(value), updated_at: e2e.t.clock.now(), updated_by: null }).execute();
    try {
      return await body();
    } finally {
      await e2e.t.ctx.db.deleteFrom('settings').where('key', '=', key).execute();
    }
  }

  it('says an application WeChat has not answered is awaiting it, and a success reported elsewhere than sent is not booked and must be checked', async () => {
    const order = await failedRefund('ABNORMAL', '周小雨');
    const { page, refunds } = await openOrder(order.orderNo);
    // WeChat busy (SYSTEM_ERROR): no refusal, the application waits.
    await withSwitch(abnormalRefundBusySetting, 'SYSTEM_ERROR', async () => {
      await refunds.getByTestId('abnormal-to-merchant').click();
      await page.getByTestId('abnormal-confirm-ok').click();
      await refunds.getByText('商户银行账户（已提交，待微信支付受理）').waitFor();
    });
    const refund = await e2e.t.ctx.db.selectFrom('payment_refunds').selectAll().where('status', '=', 'requested').where('abnormal_pending_route', '=', 'merchant_bank_card').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    e2e.t.clock.advance(2 * 60_000);
    await runJobs(); // the job asks WeChat: still ABNORMAL (the busy application never arrived)
    // Applied again, WeChat pays the merchant's account; our record says the payer's card (what the review found could happen).
    const operator = await e2e.t.factory.operatorToken();
    await withSwitch(refundProcessingSetting, 60_000, () => api('POST', `/admin/refunds/${refund.id}/abnormal-refund`, operator, { route: 'merchant_bank_card' }));
    await e2e.t.ctx.db.updateTable('payment_refunds').set({ abnormal_route: 'user_bank_card', abnormal_bank_type: 'ICBC_DEBIT', abnormal_account_last4: '0123' }).where('id', '=', refund.id).execute();
    e2e.t.clock.advance(61_000);
    await runJobs(); // REFUND.SUCCESS, user_received_account 商户结算银行账户
    await page.reload();
    await findOrder(page, order.orderNo);
    await refunds.getByText('微信支付称已退至“商户结算银行账户”，与发起的方式不符：未记账，请先在商户平台核实，勿重复付款').waitFor();
    expect(await refunds.getByTestId('offline-transfer').count()).toBe(0);
    await e2e.screenshot(page, 'admin-abnormal-refund-conflict');
  });

  it('an operator asks a CLOSED refund again, and the new one goes through', async () => {
    const order = await failedRefund('CLOSED', '孙小雨');
    const { page, refunds } = await openOrder(order.orderNo);
    await refunds.getByTestId('refund-rerequest').click();
    await page.getByRole('dialog').getByText('将以新的退款单号重新退款 ¥15.00').waitFor();
    await page.getByTestId('abnormal-confirm-ok').click();
    await refunds.getByText('已关闭，已重新发起').waitFor();
    await refunds.getByText('已退款').waitFor();
    expect(await refunds.getByTestId('refund-rerequest').count()).toBe(0);
  });
});
