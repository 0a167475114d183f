import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeTradesAtGateways } from '../../src/modules/payments/close-trades.js';
import { actAtCashier, openCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { refundFailureSetting, refundProcessingSetting } from '../../src/modules/payments/sandbox/sandbox-wechat.js';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
let operator: string;
let testNo = 0;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
/**
 * Each test starts an hour after the previous one, all on Monday 2026-11-23 (inside the fee
 * window): time never runs backwards, so the recurring jobs' time slots stay fresh.
 */
beforeEach(async () => {
  d.t.clock.set(new Date(Date.UTC(2026, 10, 23, 1 + testNo++)));
  operator = await d.t.factory.operatorToken();
});

const sandboxTrade = (orderNo: string) => d.t.ctx.db.selectFrom('sandbox_payments').selectAll().where('out_trade_no', '=', orderNo).executeTakeFirstOrThrow();
const refundsOf = (orderId: string) => d.t.ctx.db.selectFrom('payment_refunds').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();

describe('payments that arrive for a closed order', () => {
  it.each(['alipay', 'wechat'] as const)('are refunded automatically through %s after a cancel, and the ledger shows it', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cashierUrl = await d.cashierUrl(studentToken, order.id, gateway);
    expect((await d.request('POST', `/orders/${order.id}/cancel`, studentToken)).json()).toMatchObject({ status: 'cancelled' });
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功'); // the payer had the cashier open
    await d.runJobs();

    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'cancelled', refundedFen: 0 });
    expect(await d.purseFen(student.id)).toBe(0);
    const [refund] = await refundsOf(order.id);
    expect(refund).toMatchObject({ reason: 'late_payment', status: 'succeeded', amount_fen: 5000, gateway });
    expect(await sandboxTrade(order.orderNo)).toMatchObject({ status: 'paid', refunded_fen: 5000 });
    const ledger = await d.ledgerTransactionsOf(order.id);
    expect(ledger.map((t) => [t.type, t.idempotency_key.split(':')[0]])).toEqual([['adjustment', 'payment'], ['refund', 'refund-paid']]);
    expect(await d.balanceFen('refunds:payable')).toBe(0);
    await d.expectLedgerClean();
  });

  it('are refunded after the order expired, and a repeat of the notification refunds nothing more', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cashierUrl = await d.cashierUrl(studentToken, order.id, 'alipay');
    d.t.clock.advance(31 * 60_000);
    await d.runJobs(); // the expiry job asks the gateway (not paid) and expires the order
    expect((await d.order(studentToken, order.id)).status).toBe('expired');
    await actAtCashier(cashierUrl, 'pay', { copies: 3 });
    await d.runJobs();
    expect((await refundsOf(order.id)).map((r) => [r.reason, r.status])).toEqual([['late_payment', 'succeeded']]);
    expect((await sandboxTrade(order.orderNo)).refunded_fen).toBe(5000);
    await d.expectLedgerClean();
  });

  it('paid twice (both gateways) keeps the first and refunds the second', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const alipay = await d.cashierUrl(studentToken, order.id, 'alipay');
    const wechat = await d.cashierUrl(studentToken, order.id, 'wechat');
    await actAtCashier(alipay, 'pay');
    await actAtCashier(wechat, 'pay');
    await d.runJobs();
    expect(await d.purseFen(student.id)).toBe(5000);
    const refunds = await refundsOf(order.id);
    expect(refunds.map((r) => [r.reason, r.status])).toEqual([['duplicate_payment', 'succeeded']]);
    expect((await d.order(studentToken, order.id)).gateway).not.toBe(refunds[0]?.gateway);
    await d.expectLedgerClean();
  });

  it('is retried by the job when the gateway cannot be reached at first', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cashierUrl = await d.cashierUrl(studentToken, order.id, 'wechat');
    await d.request('POST', `/orders/${order.id}/cancel`, studentToken);
    await actAtCashier(cashierUrl, 'pay');
    // The gateway's address on the attempt is unreachable for a while.
    const attempt = await d.t.ctx.db.selectFrom('payment_attempts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: 'http://127.0.0.1:9/api/v1/sandbox/wechat' }).where('id', '=', attempt.id).execute();
    await d.runJobs();
    expect((await refundsOf(order.id))[0]).toMatchObject({ status: 'requested', attempts: 1 });
    expect(await d.balanceFen('refunds:payable')).toBeGreaterThanOrEqual(5000);
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: attempt.gateway_base_url }).where('id', '=', attempt.id).execute();
    d.t.clock.advance(2 * 60_000);
    await d.runJobs();
    expect((await refundsOf(order.id))[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    await d.expectLedgerClean();
  });
});

describe('closing the gateway trade of a cancelled or expired order (关单)', () => {
  const closeAuditsOf = async (orderId: string) => {
    const rows = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', orderId).where('action', '=', 'payments.order.trades_closed').execute();
    return rows.map((r) => r.after as { gateways: unknown; settledPayments: number });
  };
  const closesOf = async (orderId: string) => (await closeAuditsOf(orderId)).map((a) => a.gateways);

  it.each(['alipay', 'wechat'] as const)('a cancelled order\'s %s trade is closed: the payer can no longer pay it', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cashierUrl = await d.cashierUrl(studentToken, order.id, gateway);
    expect((await openCashier(cashierUrl)).status).toBe(200); // the trade is open at the gateway
    await d.request('POST', `/orders/${order.id}/cancel`, studentToken);
    await d.runJobs();

    expect((await sandboxTrade(order.orderNo)).status).toBe('closed');
    expect(await closesOf(order.id)).toEqual([[{ gateway, result: 'closed' }]]);
    const confirm = await d.request('POST', `/orders/${order.id}/confirm`, studentToken);
    expect(confirm.json()).toMatchObject({ confirmed: false, gateways: [{ gateway, state: 'closed' }] });
    // The payer who still has the cashier open is told so, and nothing is paid.
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('交易已关闭');
    await d.runJobs();
    expect((await sandboxTrade(order.orderNo)).status).toBe('closed');
    expect(await d.purseFen(student.id)).toBe(0);
    expect(await refundsOf(order.id)).toEqual([]);
    await d.expectLedgerClean();
  });

  it('a trade the payer never opened is not found at Alipay, and closing it again is harmless', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.cashierUrl(studentToken, order.id, 'alipay'); // a pay link nobody followed: Alipay has no trade yet
    await d.request('POST', `/orders/${order.id}/cancel`, studentToken);
    await d.runJobs();
    expect(await closesOf(order.id)).toEqual([[{ gateway: 'alipay', result: 'not_found' }]]);
    expect(await closeTradesAtGateways(d.t.ctx, order.id)).toEqual([{ gateway: 'alipay', result: 'not_found' }]);
  });

  it('asks every gateway even when one cannot be reached, retries, and then finds the other closed already', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    expect((await openCashier(await d.cashierUrl(studentToken, order.id, 'alipay'))).status).toBe(200);
    await d.cashierUrl(studentToken, order.id, 'wechat');
    const wechat = await d.t.ctx.db.selectFrom('payment_attempts').select(['id', 'gateway_base_url']).where('order_id', '=', order.id).where('gateway', '=', 'wechat').executeTakeFirstOrThrow();
    const setWechatEndpoint = (url: string) => d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: url }).where('id', '=', wechat.id).execute();
    const trade = (gateway: 'alipay' | 'wechat') => d.t.ctx.db.selectFrom('sandbox_payments').select('status').where('out_trade_no', '=', order.orderNo).where('gateway', '=', gateway).executeTakeFirstOrThrow();
    const job = () => d.t.ctx.db.selectFrom('jobs').select(['status', 'attempts', 'max_attempts', 'last_error']).where('unique_key', '=', `payments.close-trades:${order.id}`).executeTakeFirstOrThrow();

    await setWechatEndpoint('http://127.0.0.1:9'); // nothing listens there: the connection is refused
    await d.request('POST', `/orders/${order.id}/cancel`, studentToken);
    await d.runJobs();
    expect(await job()).toMatchObject({ status: 'queued', attempts: 1, max_attempts: 10, last_error: expect.any(String) });
    expect(await trade('alipay')).toEqual({ status: 'closed' });
    expect(await trade('wechat')).toEqual({ status: 'pending' });
    expect(await closesOf(order.id)).toEqual([]);

    await setWechatEndpoint(wechat.gateway_base_url);
    d.t.clock.advance(11_000); // past the first retry's backoff
    await d.runJobs();
    expect(await job()).toMatchObject({ status: 'done', attempts: 2 });
    expect(await trade('wechat')).toEqual({ status: 'closed' });
    // Alipay refuses to close a closed trade (ACQ.TRADE_STATUS_ERROR); asked, it says closed, not paid.
    expect(await closeAuditsOf(order.id)).toEqual([{ gateways: [{ gateway: 'alipay', result: 'closed' }, { gateway: 'wechat', result: 'closed' }], settledPayments: 0 }]);
    expect(await refundsOf(order.id)).toEqual([]);
  });

  it.each(['alipay', 'wechat'] as const)('a %s trade paid just before the close is credited and refunded at once, without waiting for its notification', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, order.id, gateway, { lateMs: 3600_000 }); // its notification is an hour late
    expect((await d.request('POST', `/orders/${order.id}/cancel`, studentToken)).json()).toMatchObject({ status: 'cancelled' });
    await d.runJobs();

    expect(await closeAuditsOf(order.id)).toEqual([{ gateways: [{ gateway, result: 'paid' }], settledPayments: 1 }]);
    expect((await refundsOf(order.id)).map((r) => [r.reason, r.status, r.amount_fen])).toEqual([['late_payment', 'succeeded', 5000]]);
    expect(await sandboxTrade(order.orderNo)).toMatchObject({ status: 'paid', refunded_fen: 5000 });
    expect(await d.purseFen(student.id)).toBe(0);
    // The late notification then changes nothing.
    d.t.clock.advance(61 * 60_000);
    await d.runJobs();
    expect(await refundsOf(order.id)).toHaveLength(1);
    await d.expectLedgerClean();
  });
});

describe('order expiry (a recurring job)', () => {
  it('expires unpaid orders after 30 minutes but credits one the gateway says is paid', async () => {
    const { student, studentToken } = await d.family();
    const unpaid = await d.topUp(studentToken, student.id, 5000);
    await d.cashierUrl(studentToken, unpaid.id, 'wechat');
    const neverSent = await d.topUp(studentToken, student.id, 6000);
    const paidSilently = await d.topUp(studentToken, student.id, 7000);
    await d.payAtCashier(studentToken, paidSilently.id, 'alipay', { lateMs: 24 * 3600_000 });
    d.t.clock.advance(29 * 60_000);
    await d.runJobs();
    expect((await d.order(studentToken, unpaid.id)).status).toBe('paying');
    d.t.clock.advance(2 * 60_000);
    await d.runJobs();
    expect((await d.order(studentToken, unpaid.id)).status).toBe('expired');
    expect((await d.order(studentToken, neverSent.id)).status).toBe('expired');
    expect((await d.order(studentToken, paidSilently.id)).status).toBe('fulfilled');
    expect(await d.purseFen(student.id)).toBe(7000);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', unpaid.id).orderBy('at').orderBy('id').execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'payments.order.expired', actor_role: 'system' }, { action: 'payments.order.trades_closed', actor_role: 'system' }]));
    // The expired order's trade is closed at the gateway, so it can no longer be paid there.
    expect((await sandboxTrade(unpaid.orderNo)).status).toBe('closed');
  });
});

describe('operator refunds through the gateway', () => {
  it('refund part, then the rest; the order ends refunded and the purse pays it back', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 10_000);
    await d.payAtCashier(studentToken, order.id, 'alipay');
    await d.runJobs();
    const part = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { amountFen: 3000 });
    expect(part.statusCode).toBe(201);
    expect(part.json()).toMatchObject({ amountFen: 3000, reason: 'operator', status: 'succeeded' });
    expect(await d.purseFen(student.id)).toBe(7000);
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'fulfilled', refundedFen: 3000 });
    const tooMuch = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { amountFen: 7001 });
    expect(tooMuch.json()).toMatchObject({ error: { code: 'REFUND_AMOUNT_INVALID', details: { refundableFen: 7000 } } });
    const rest = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {});
    expect(rest.json()).toMatchObject({ amountFen: 7000, status: 'succeeded' });
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded', refundedFen: 10_000 });
    expect((await sandboxTrade(order.orderNo)).refunded_fen).toBe(10_000);
    expect(await d.purseFen(student.id)).toBe(0);
    expect((await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {})).json()).toMatchObject({ error: { code: 'REFUND_NOT_ALLOWED' } });
    await d.expectLedgerClean();
  });

  it('refuses an unpaid order, money already spent, and anyone but an operator', async () => {
    const { student, studentToken } = await d.family();
    const unpaid = await d.topUp(studentToken, student.id, 5000);
    expect((await d.request('POST', `/admin/orders/${unpaid.id}/refunds`, operator, {})).json()).toMatchObject({ error: { code: 'REFUND_NOT_ALLOWED' } });
    const paid = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, paid.id, 'wechat');
    await d.runJobs();
    expect((await d.request('POST', `/admin/orders/${paid.id}/refunds`, studentToken, {})).statusCode).toBe(403);
    await d.spend(student.id, 4000);
    const spent = await d.request('POST', `/admin/orders/${paid.id}/refunds`, operator, {});
    expect(spent.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect((await d.request('POST', `/admin/orders/${paid.id}/refunds`, operator, { amountFen: 1000 })).json()).toMatchObject({ status: 'succeeded' });
    expect(await d.purseFen(student.id)).toBe(0);
    await d.expectLedgerClean();
  });

  it('refunds a fee from fee income', async () => {
    const { student, parentToken } = await d.family();
    const fee = await d.feeOrder(parentToken, student.id);
    await d.payAtCashier(parentToken, fee.id, 'wechat');
    await d.runJobs();
    const before = await d.balanceFen('income:fees');
    expect((await d.request('POST', `/admin/orders/${fee.id}/refunds`, operator, {})).json()).toMatchObject({ status: 'succeeded', amountFen: 1500 });
    expect(await d.balanceFen('income:fees')).toBe(before - 1500);
  });
});

describe('WeChat Pay refunds that are processing: the outcome comes as a notification', () => {
  /** The sandbox answers WeChat refunds PROCESSING for this long, then notifies REFUND.SUCCESS. */
  async function refundsTakeMs(ms: number | null): Promise<void> {
    await d.t.ctx.db.deleteFrom('settings').where('key', '=', refundProcessingSetting).execute();
    if (ms !== null) await d.t.ctx.db.insertInto('settings').values({ key: refundProcessingSetting, value: JSON.stringify(ms), updated_at: d.t.clock.now(), updated_by: null }).execute();
  }

  async function paidWechatTopUp(amountFen: number) {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, amountFen);
    await d.payAtCashier(studentToken, order.id, 'wechat');
    await d.runJobs();
    return { student, studentToken, order };
  }

  const refundRow = (refundId: string) => d.t.ctx.db.selectFrom('payment_refunds').selectAll().where('id', '=', refundId).executeTakeFirstOrThrow();

  it('a refund answered PROCESSING is booked when REFUND.SUCCESS arrives, once, however often it is delivered', async () => {
    await refundsTakeMs(30_000);
    try {
      const { student, studentToken, order } = await paidWechatTopUp(8000);
      const payableBefore = await d.balanceFen('refunds:payable');
      const res = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {});
      expect(res.json()).toMatchObject({ amountFen: 8000, status: 'requested' });
      const refundId = (res.json() as { id: string }).id;
      // The money is taken from the purse at once and waits in refunds payable; the order is not refunded yet.
      expect(await d.purseFen(student.id)).toBe(0);
      expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 8000);
      expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'fulfilled' });
      await d.runJobs();
      expect((await refundRow(refundId)).status).toBe('requested');

      // The gateway finishes the refund and POSTs REFUND.SUCCESS to the notify_url the refund named.
      d.t.clock.advance(30_000);
      await d.runJobs();
      const booked = await refundRow(refundId);
      expect(booked).toMatchObject({ status: 'succeeded', gateway_refund_no: expect.stringMatching(/^50\d{26}$/) });
      expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded', refundedFen: 8000 });
      expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
      const refundNotices = (await d.notifications(order.orderNo)).filter((n) => n.trade_no === booked.gateway_refund_no);
      expect(refundNotices).toMatchObject([{ gateway: 'wechat', verified: true, outcome: 'processed', amount_fen: 8000 }]);
      const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', refundId).orderBy('at').orderBy('id').execute();
      expect(audit).toEqual([{ action: 'payments.refund.requested', actor_role: 'operator' }, { action: 'payments.refund.succeeded', actor_role: 'gateway' }]);

      // The same notification again (a retry the gateway sends when it missed our answer): a duplicate.
      const delivered = await d.t.ctx.db.selectFrom('sandbox_notifications').select(['body', 'delivered_at']).where('notify_id', '=', refundNotices[0]!.notify_id!).executeTakeFirstOrThrow();
      expect(delivered.delivered_at).not.toBeNull();
      const again = await d.postWechatNotify(await d.signedWechat(delivered.body));
      expect(again.statusCode).toBe(204);
      expect((await d.notifications(order.orderNo)).filter((n) => n.trade_no === booked.gateway_refund_no).map((n) => n.outcome)).toEqual(['processed', 'duplicate']);
      expect(await d.purseFen(student.id)).toBe(0);
      await d.expectLedgerClean();
    } finally {
      await refundsTakeMs(null);
    }
  });

  it('refuses a refund outcome naming no refund of ours, or another amount, and changes nothing', async () => {
    await refundsTakeMs(30_000);
    try {
      const { order } = await paidWechatTopUp(5000);
      const res = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { amountFen: 2000 });
      const refund = await refundRow((res.json() as { id: string }).id);
      const fields = { out_trade_no: order.orderNo, out_refund_no: refund.out_request_no, refund_id: '50000000000000000000000000001', amount: { total: 5000, refund: 2000 } };

      const unknown = await d.postWechatNotify(await d.wechatRefundNotification({ ...fields, out_refund_no: 'no-such-refund' }));
      expect(unknown.statusCode).toBe(400);
      const otherOrder = await d.postWechatNotify(await d.wechatRefundNotification({ ...fields, out_trade_no: 'another-order' }));
      expect(otherOrder.statusCode).toBe(400);
      const otherAmount = await d.postWechatNotify(await d.wechatRefundNotification({ ...fields, amount: { total: 5000, refund: 2500 } }));
      expect(otherAmount.statusCode).toBe(400);
      const refused = await d.t.ctx.db.selectFrom('gateway_notifications').select(['outcome', 'error_code']).where('outcome', '=', 'rejected').where('error_code', 'like', 'NOTIFY_REFUND_%').orderBy('received_at').execute();
      expect(refused.map((r) => r.error_code).slice(-3)).toEqual(['NOTIFY_REFUND_UNKNOWN', 'NOTIFY_REFUND_UNKNOWN', 'NOTIFY_REFUND_AMOUNT_MISMATCH']);
      expect((await refundRow(refund.id)).status).toBe('requested');
      await d.expectLedgerClean();
    } finally {
      await refundsTakeMs(null);
    }
  });

  it('answered SUCCESS at once and then notified REFUND.SUCCESS too: booked once, by the answer', async () => {
    const { student, order } = await paidWechatTopUp(4000);
    const res = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {});
    expect(res.json()).toMatchObject({ status: 'succeeded' });
    const refundId = (res.json() as { id: string }).id;
    await d.runJobs(); // delivers the REFUND.SUCCESS the sandbox sent as well
    const booked = await refundRow(refundId);
    expect((await d.notifications(order.orderNo)).filter((n) => n.trade_no === booked.gateway_refund_no).map((n) => n.outcome)).toEqual(['processed']);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', refundId).orderBy('at').orderBy('id').execute();
    expect(audit).toEqual([{ action: 'payments.refund.requested', actor_role: 'operator' }, { action: 'payments.refund.succeeded', actor_role: 'system' }]);
    const paidOut = await d.t.ctx.db.selectFrom('ledger_transactions').select('id').where(sql<boolean>`metadata @> ${JSON.stringify({ refundId })}::jsonb`).where('type', '=', 'refund').execute();
    expect(paidOut).toHaveLength(2); // reserved, then paid out: never paid out twice
    expect(await d.purseFen(student.id)).toBe(0);
    await d.expectLedgerClean();
  });

  it('the answer to the refund call says CLOSED: the refund fails at once and is left to an operator, the money reserved', async () => {
    await d.t.ctx.db.insertInto('settings').values({ key: refundFailureSetting, value: JSON.stringify('CLOSED'), updated_at: d.t.clock.now(), updated_by: null }).execute();
    try {
      const { student, order } = await paidWechatTopUp(2500);
      const payableBefore = await d.balanceFen('refunds:payable');
      const res = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {});
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ status: 'failed', lastError: 'CLOSED at the gateway (answer)' });
      d.t.clock.advance(10 * 60_000);
      await d.runJobs();
      const refund = await refundRow((res.json() as { id: string }).id);
      expect(refund).toMatchObject({ status: 'failed', attempts: 1, last_error: 'CLOSED at the gateway (answer)' });
      expect((await sandboxTrade(order.orderNo)).refunded_fen).toBe(0); // the money never left the merchant
      expect(await d.purseFen(student.id)).toBe(0);
      expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 2500);
      await d.expectLedgerClean();
    } finally {
      await d.t.ctx.db.deleteFrom('settings').where('key', '=', refundFailureSetting).execute();
    }
  });

  it('REFUND.ABNORMAL leaves the refund open, the money reserved, and says why for an operator', async () => {
    await refundsTakeMs(24 * 3600_000); // the gateway's own outcome would come much later
    try {
      const { student, order } = await paidWechatTopUp(3000);
      const payableBefore = await d.balanceFen('refunds:payable');
      const res = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {});
      const refund = await refundRow((res.json() as { id: string }).id);
      const abnormal = await d.wechatRefundNotification({ out_trade_no: order.orderNo, out_refund_no: refund.out_request_no, refund_id: '50000000000000000000000000002', amount: { total: 3000, refund: 3000 } }, 'REFUND.ABNORMAL');
      expect((await d.postWechatNotify(abnormal)).statusCode).toBe(204);
      const failed = await refundRow(refund.id);
      expect(failed).toMatchObject({ status: 'failed', last_error: 'ABNORMAL at the gateway (notification)', gateway_refund_no: '50000000000000000000000000002' });
      const audit = await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', refund.id).orderBy('at').orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['payments.refund.requested', 'payments.refund.failed_at_gateway']);
      // The retry job leaves it to an operator: nothing is sent again, and the reason stays.
      d.t.clock.advance(10 * 60_000);
      await d.runJobs();
      expect(await refundRow(refund.id)).toEqual(failed);
      expect((await d.request('GET', `/admin/orders/${order.id}`, operator)).json()).toMatchObject({ refunds: [{ status: 'failed', lastError: 'ABNORMAL at the gateway (notification)' }] });
      expect(await d.purseFen(student.id)).toBe(0);
      expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 3000);
      await d.expectLedgerClean();

      // Once the abnormal refund is settled at WeChat Pay (to a bank card, say), its REFUND.SUCCESS books it.
      const success = await d.wechatRefundNotification({ out_trade_no: order.orderNo, out_refund_no: refund.out_request_no, refund_id: '50000000000000000000000000002', amount: { total: 3000, refund: 3000 } });
      expect((await d.postWechatNotify(success)).statusCode).toBe(204);
      expect(await refundRow(refund.id)).toMatchObject({ status: 'succeeded', last_error: null });
      expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
      await d.expectLedgerClean();
    } finally {
      await refundsTakeMs(null);
    }
  });
});

describe('balance refunds (card return)', () => {
  it('up to ¥200 go back in the app through the top-ups, newest first', async () => {
    const { student, parentToken } = await d.family();
    const older = await d.topUp(parentToken, student.id, 10_000);
    await d.payAtCashier(parentToken, older.id, 'alipay');
    const newer = await d.topUp(parentToken, student.id, 5_000);
    await d.payAtCashier(parentToken, newer.id, 'wechat');
    await d.runJobs();
    await d.spend(student.id, 2_000);

    const res = await d.request('POST', '/balance-refunds', parentToken, { cardId: await d.cardOf(student.id) });
    expect(res.statusCode).toBe(201);
    const refund = res.json();
    expect(refund).toMatchObject({ amountFen: 13_000, route: 'gateway', status: 'completed' });
    expect(refund.refunds.map((r: { orderId: string; amountFen: number; status: string }) => [r.orderId, r.amountFen, r.status])).toEqual([[newer.id, 5000, 'succeeded'], [older.id, 8000, 'succeeded']]);
    expect(await d.purseFen(student.id)).toBe(0);
    expect((await d.order(parentToken, newer.id)).status).toBe('refunded');
    expect(await d.order(parentToken, older.id)).toMatchObject({ status: 'fulfilled', refundedFen: 8000 });
    expect((await d.request('POST', '/balance-refunds', parentToken, { cardId: await d.cardOf(student.id) })).json()).toMatchObject({ error: { code: 'BALANCE_REFUND_NOTHING' } });
    await d.expectLedgerClean();
  });

  it('above ¥200 wait for an outlet, which an operator records', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 30_000);
    await d.payAtCashier(studentToken, order.id, 'alipay');
    await d.runJobs();
    const requested = (await d.request('POST', '/balance-refunds', studentToken, { cardId: await d.cardOf(student.id) })).json();
    expect(requested).toMatchObject({ amountFen: 30_000, route: 'outlet', status: 'awaiting_outlet', refunds: [] });
    expect(await d.purseFen(student.id)).toBe(0);
    expect((await d.request('POST', `/admin/balance-refunds/${requested.id}/complete`, studentToken, { outlet: '西单网点', reference: 'X1' })).statusCode).toBe(403);
    const done = await d.request('POST', `/admin/balance-refunds/${requested.id}/complete`, operator, { outlet: '西单网点', reference: 'CASH-20261123-0001' });
    expect(done.json()).toMatchObject({ status: 'completed', outlet: '西单网点', outletReference: 'CASH-20261123-0001' });
    expect((await d.request('POST', `/admin/balance-refunds/${requested.id}/complete`, operator, { outlet: '西单网点', reference: 'again' })).json()).toMatchObject({ error: { code: 'BALANCE_REFUND_NOT_AT_OUTLET' } });
    expect(await d.balanceFen('clearing:outlet')).toBe(-30_000);
    expect((await d.request('GET', `/balance-refunds/${requested.id}`, studentToken)).json()).toMatchObject({ status: 'completed' });
    // 退资记录 of the card: what the student sees again later.
    const ofCard = await d.request('GET', `/balance-refunds?cardId=${await d.cardOf(student.id)}`, studentToken);
    expect(ofCard.json()).toEqual({ items: [expect.objectContaining({ id: requested.id, amountFen: 30_000, route: 'outlet', status: 'completed', outlet: '西单网点' })] });
    await d.expectLedgerClean();
  });

  it('a parent of another family can neither request nor see one', async () => {
    const mine = await d.family();
    const theirs = await d.family();
    expect((await d.request('POST', '/balance-refunds', mine.parentToken, { cardId: await d.cardOf(theirs.student.id) })).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect((await d.request('GET', `/balance-refunds?cardId=${await d.cardOf(theirs.student.id)}`, mine.parentToken)).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect((await d.request('GET', `/balance-refunds?cardId=${await d.cardOf(mine.student.id)}`, mine.parentToken)).json()).toEqual({ items: [] });
    expect((await d.request('GET', '/balance-refunds?cardId=not-a-card', mine.parentToken)).statusCode).toBe(400);
  });
});
