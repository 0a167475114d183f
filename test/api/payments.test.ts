import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actAtCashier, openCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { alipayForm, signAlipayRequest, verifiedAlipayResponse } from '../../src/modules/payments/gateways/alipay.js';
import { sandboxKeys } from '../../src/modules/payments/gateways/registry.js';
import type { OrderView } from '../../src/modules/payments/order-view.js';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
/** An ordinary Monday, 10:00 in Beijing: inside the fee payment window. */
beforeEach(() => d.t.clock.set('2026-11-23T02:00:00Z'));

describe('top-up orders', () => {
  it.each(['alipay', 'wechat'] as const)('are paid at the %s cashier and credited to the purse by the signed notification', async (gateway) => {
    const { student, parentToken } = await d.family();
    const order = await d.topUp(parentToken, student.id, 10_000);
    expect(order).toMatchObject({ kind: 'top_up', status: 'created', pending: true, amountFen: 10_000, studentName: '张**', item: { payee: '北京市政交通一卡通有限公司' } });
    expect(order.orderNo).toMatch(/^[0-9a-f]{31}$/);

    const cashierUrl = await d.cashierUrl(parentToken, order.id, gateway);
    const { html } = await openCashier(cashierUrl);
    for (const text of ['确认支付', '取消', '¥100.00', '北京市政交通一卡通有限公司', '学生卡充值', order.orderNo]) expect(html).toContain(text);
    expect((await d.order(parentToken, order.id)).status).toBe('paying');

    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    expect(await d.purseFen(student.id)).toBe(0); // nothing until the gateway's notification arrives
    await d.runJobs();
    expect(await d.order(parentToken, order.id)).toMatchObject({ status: 'fulfilled', gateway, pending: false });
    expect(await d.purseFen(student.id)).toBe(10_000);
    expect(await d.balanceFen(`clearing:${gateway}`)).toBeGreaterThanOrEqual(10_000);
    const notes = await d.notifications(order.orderNo);
    expect(notes.map((n) => [n.verified, n.outcome])).toEqual([[true, 'processed']]);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', order.id).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['payments.order.created', 'payments.order.paying', 'payments.order.fulfilled']);
    await d.expectLedgerClean();
  });

  it('accepts the preset and custom amounts from ¥1 to ¥1000 and refuses others with a stable code', async () => {
    const { student, studentToken } = await d.family();
    const options = await d.request('GET', '/payments/options');
    expect(options.json()).toMatchObject({ presetsFen: [5000, 10000, 20000, 50000], minFen: 100, maxFen: 100000 });
    for (const amountFen of [100, 5000, 12_345, 100_000]) await d.topUp(studentToken, student.id, amountFen);
    for (const amountFen of [99, 0, -100, 100_001]) {
      const res = await d.request('POST', '/orders/top-up', studentToken, { cardId: await d.cardOf(student.id), amountFen });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'TOP_UP_AMOUNT_INVALID', message: expect.stringContaining('充值'), messageEn: expect.any(String) } });
    }
    const fractional = await d.request('POST', '/orders/top-up', studentToken, { cardId: await d.cardOf(student.id), amountFen: 10.5 });
    expect(fractional.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('needs a card in normal status: not lost, not yet activated, superseded by an e-card or expired', async () => {
    const { student, parentToken, studentToken } = await d.family();
    const topUp = (cardId: string) => d.request('POST', '/orders/top-up', parentToken, { cardId, amountFen: 5000 });
    const card = await d.cardOf(student.id);
    expect((await d.request('POST', `/cards/${card}/loss`, studentToken)).statusCode).toBe(200);
    expect((await topUp(card)).json()).toMatchObject({ error: { code: 'CARD_NOT_TOP_UP_ABLE', details: { reason: 'lost' } } });
    expect((await d.request('POST', `/cards/${card}/unloss`, studentToken)).statusCode).toBe(200);
    expect((await topUp(card)).statusCode).toBe(201);

    const other = await d.family();
    const fresh = await d.t.factory.newCard(other.student.id, { active: false });
    expect((await d.request('POST', '/orders/top-up', other.parentToken, { cardId: fresh.id, amountFen: 5000 })).json()).toMatchObject({ error: { code: 'CARD_NOT_TOP_UP_ABLE', details: { reason: 'inactive' } } });
    const third = await d.family();
    const expired = await d.t.factory.newCard(third.student.id, { validUntil: '2020-09-30' });
    const res = await d.request('POST', '/orders/top-up', third.parentToken, { cardId: expired.id, amountFen: 5000 });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'CARD_NOT_TOP_UP_ABLE', details: { reason: 'expired' } } });
  });

  it('a top-up paid after its card stopped taking top-ups (reported lost meanwhile) is refunded, not credited to the card', async () => {
    const { student, parentToken, studentToken } = await d.family();
    const card = await d.cardOf(student.id);
    const order = await d.topUp(parentToken, student.id, 5_000);
    const cashierUrl = await d.cashierUrl(parentToken, order.id, 'alipay');
    expect((await d.request('POST', `/cards/${card}/loss`, studentToken)).statusCode).toBe(200);
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    await d.runJobs();
    expect(await d.order(parentToken, order.id)).toMatchObject({ status: 'cancelled', pending: false, autoTopUp: false, lateRefundFen: 5_000 });
    expect(await d.purseFen(student.id)).toBe(0);
    const refunds = await d.t.ctx.db.selectFrom('payment_refunds').select(['amount_fen', 'reason']).where('order_id', '=', order.id).execute();
    expect(refunds).toEqual([{ amount_fen: 5_000, reason: 'late_payment' }]);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', order.id).where('action', '=', 'payments.order.cancelled').executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ reason: 'card_not_top_up_able', cardBlock: 'lost' });
    await d.expectLedgerClean();
  });

  it('is idempotent per Idempotency-Key', async () => {
    const { student, studentToken } = await d.family();
    const cardId = await d.cardOf(student.id);
    const first = await d.request('POST', '/orders/top-up', studentToken, { cardId, amountFen: 5000 }, { 'idempotency-key': 'topup-1' });
    const again = await d.request('POST', '/orders/top-up', studentToken, { cardId, amountFen: 5000 }, { 'idempotency-key': 'topup-1' });
    expect(again.json().id).toBe(first.json().id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await d.request('POST', '/orders/top-up', studentToken, { cardId, amountFen: 6000 }, { 'idempotency-key': 'topup-1' });
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });
});

describe('campus card top-ups (seed 004: 输入金额和查询密码)', () => {
  it('ask for the holder’s query password; a wrong one is refused, counted and throttled, the initial one refused, and neither orders anything', async () => {
    const school = await d.t.factory.newSchool({ stage: 'university' });
    const queryPassword = '246813';
    const student = await d.t.factory.newStudent({ schoolId: school.id, queryPassword });
    const card = await d.t.factory.newCard(student.id, { product: 'campus_card' });
    const token = await d.t.factory.loginAs('student', student.education_id, student.password);
    const order = (password?: string, ip = '10.3.0.1') =>
      d.t.app.inject({ method: 'POST', url: '/api/v1/orders/top-up', remoteAddress: ip, headers: { authorization: `Bearer ${token}` }, payload: { cardId: card.id, amountFen: 5000, ...(password === undefined ? {} : { queryPassword: password }) } });
    const ordersOfCard = async () => (await d.t.ctx.db.selectFrom('payment_orders').select('id').where('card_id', '=', card.id).execute()).length;

    expect((await order()).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_REQUIRED', message: '请输入校园卡查询密码' } });
    expect((await order('12345')).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    for (let i = 0; i < 5; i++) expect((await order('975310')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect((await order(queryPassword)).json()).toMatchObject({ error: { code: 'AUTH_THROTTLED' } });
    expect(await ordersOfCard()).toBe(0);

    // From another place, the right one orders the top-up.
    const ok = await order(queryPassword, '10.3.0.2');
    expect(ok.statusCode, ok.body).toBe(201);
    // It pays the university's campus-card account, which the e-invoice then names as seller.
    expect(ok.json()).toMatchObject({ cardId: card.id, amountFen: 5000, item: { name: '校园卡充值', payee: school.name } });
    expect(await ordersOfCard()).toBe(1);
    // The password is not kept anywhere the order's answer or audit can show it.
    expect(ok.body).not.toContain(queryPassword);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', ok.json().id).execute();
    expect(JSON.stringify(audit)).not.toContain(queryPassword);

    // The initial query password (the last six of the ID number, never changed) signs in but moves no money.
    const fresh = await d.t.factory.newStudent({ schoolId: school.id });
    const freshCard = await d.t.factory.newCard(fresh.id, { product: 'campus_card' });
    const freshToken = await d.t.factory.loginAs('student', fresh.education_id, fresh.password);
    const initialRefused = await d.request('POST', '/orders/top-up', freshToken, { cardId: freshCard.id, amountFen: 5000, queryPassword: fresh.id_number.replace(/X$/, '').slice(-6) });
    expect(initialRefused.statusCode).toBe(403);
    expect(initialRefused.json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_INITIAL', message: expect.stringContaining('初始查询密码只能用于登录') } });
    expect(await d.t.ctx.db.selectFrom('payment_orders').select('id').where('card_id', '=', freshCard.id).execute()).toEqual([]);

    // A K-12 card needs none.
    const { student: k12, studentToken } = await d.family();
    expect((await d.request('POST', '/orders/top-up', studentToken, { cardId: await d.cardOf(k12.id), amountFen: 5000 })).statusCode).toBe(201);
  });
});

describe('fee orders (seed 000: the ¥15 replacement card fee)', () => {
  it('carry the payee, fee code and document number, and credit fee income', async () => {
    const { student, parentToken } = await d.family();
    const order = await d.feeOrder(parentToken, student.id);
    expect(order).toMatchObject({
      kind: 'fee', amountFen: 1500,
      item: { name: '北京市中小学生学习卡补卡工本费', projectName: '北京市中小学生学习卡补卡缴费项目', feeCode: '174011', documentNo: '京发函【2007】623号', payee: '北京教育网络信息中心' },
    });
    const before = await d.balanceFen('income:fees');
    const { html } = await openCashier(await d.cashierUrl(parentToken, order.id, 'alipay'));
    expect(html).toContain('北京教育网络信息中心');
    expect(html).toContain('¥15.00');
    await d.payAtCashier(parentToken, order.id, 'alipay');
    await d.runJobs();
    expect((await d.order(parentToken, order.id)).status).toBe('fulfilled');
    expect(await d.balanceFen('income:fees')).toBe(before + 1500);
    expect(await d.purseFen(student.id)).toBe(0);
  });

  it('refuses an unknown fee code', async () => {
    const { student, parentToken } = await d.family();
    const res = await d.request('POST', '/orders/fee', parentToken, { studentId: student.id, feeCode: '999999' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'FEE_UNKNOWN' } });
  });

  it.each([
    ['a Monday that is a public holiday', '2026-10-05T02:00:00Z', 'PAYMENT_WINDOW_CLOSED'],
    ['a make-up working Saturday', '2026-10-10T02:00:00Z', 'PAYMENT_WINDOW_CLOSED'],
    ['an ordinary Wednesday', '2026-11-25T02:00:00Z', 'PAYMENT_WINDOW_CLOSED'],
    ['a year whose calendar is not loaded', '2031-03-03T02:00:00Z', 'CALENDAR_YEAR_NOT_LOADED'],
  ])('are refused on %s', async (_label, at, code) => {
    d.t.clock.set(at);
    const { student, parentToken } = await d.family();
    const res = await d.request('POST', '/orders/fee', parentToken, { studentId: student.id, feeCode: '174011' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code } });
  });

  it('cannot be paid once the window has closed, even if ordered inside it', async () => {
    d.t.clock.set('2026-11-24T15:50:00Z'); // Tuesday 23:50 in Beijing
    const { student, parentToken } = await d.family();
    const order = await d.feeOrder(parentToken, student.id);
    d.t.clock.set('2026-11-24T16:05:00Z'); // Wednesday 00:05
    const res = await d.request('POST', `/orders/${order.id}/pay`, parentToken, { gateway: 'wechat' });
    expect(res.json()).toMatchObject({ error: { code: 'PAYMENT_WINDOW_CLOSED', details: { next: { startDate: '2026-11-30' } } } });
  });
});

describe('gateway notifications', () => {
  it.each(['alipay', 'wechat'] as const)('with a bad %s signature credit nothing, are logged, and the payment is found by confirming', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, order.id, gateway, { badSignature: true });
    await d.runJobs();
    expect((await d.order(studentToken, order.id)).status).toBe('paying');
    expect(await d.purseFen(student.id)).toBe(0);
    const sent = await d.t.ctx.db.selectFrom('sandbox_notifications as n').innerJoin('sandbox_payments as p', 'p.id', 'n.sandbox_payment_id').select(['n.id', 'n.notify_id']).where('p.out_trade_no', '=', order.orderNo).executeTakeFirstOrThrow();
    const rejected = await d.t.ctx.db.selectFrom('gateway_notifications').selectAll().where('raw_body', 'like', `%${sent.notify_id}%`).execute();
    expect(rejected.map((n) => [n.verified, n.outcome, n.error_code])).toEqual([[false, 'rejected', 'NOTIFY_SIGNATURE_INVALID']]);
    // The sandbox retries on its schedule (the first retry after 2 min or 15 s), and is refused again.
    d.t.clock.advance(2 * 60_000);
    await d.runJobs();
    const delivery = await d.t.ctx.db.selectFrom('sandbox_notifications').select(['attempts', 'delivered_at']).where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ attempts: 2, delivered_at: null });

    const confirm = await d.request('POST', `/orders/${order.id}/confirm`, studentToken);
    expect(confirm.json()).toMatchObject({ confirmed: true, order: { status: 'fulfilled' }, gateways: [{ gateway, state: 'paid' }] });
    expect(await d.purseFen(student.id)).toBe(5000);
  });

  it('forged by someone without the gateway key is refused in the gateway reply format', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.cashierUrl(studentToken, order.id, 'alipay');
    const genuine = new URLSearchParams(await d.alipayNotification({ out_trade_no: order.orderNo, trade_no: '2026112322001400000000000001', total_amount: '50.00' }));
    genuine.set('sign', Buffer.from('forged').toString('base64'));
    const res = await d.postAlipayNotify(genuine.toString());
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('fail');
    const wechat = await d.postWechatNotify({ headers: { 'content-type': 'application/json' }, body: '{"id":"x"}' });
    expect(wechat.statusCode).toBe(400);
    expect(wechat.json()).toEqual({ code: 'FAIL', message: 'NOTIFY_SIGNATURE_INVALID' });
    expect(await d.purseFen(student.id)).toBe(0);
  });

  it('with the wrong amount credit nothing and are logged', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.cashierUrl(studentToken, order.id, 'wechat');
    const res = await d.postWechatNotify(await d.wechatNotification({ out_trade_no: order.orderNo, transaction_id: '4200000000202611230000000001', amount: { total: 500000, currency: 'CNY' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'FAIL', message: 'PAYMENT_AMOUNT_MISMATCH' });
    expect(await d.purseFen(student.id)).toBe(0);
    expect((await d.order(studentToken, order.id)).status).toBe('paying');
    expect((await d.notifications(order.orderNo)).map((n) => [n.verified, n.outcome, n.error_code])).toEqual([[true, 'rejected', 'PAYMENT_AMOUNT_MISMATCH']]);
  });

  it('for an unknown order, or one never sent to that gateway, credit nothing and are logged', async () => {
    const unknown = await d.postAlipayNotify(await d.alipayNotification({ out_trade_no: 'f'.repeat(31), trade_no: '2026112322001400000000000002', total_amount: '50.00' }));
    expect(unknown.statusCode).toBe(400);
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const notSent = await d.postAlipayNotify(await d.alipayNotification({ out_trade_no: order.orderNo, trade_no: '2026112322001400000000000003', total_amount: '50.00' }));
    expect(notSent.statusCode).toBe(400);
    expect((await d.notifications(order.orderNo)).map((n) => n.error_code)).toEqual(['PAYMENT_ORDER_UNKNOWN']);
    expect((await d.notifications('f'.repeat(31))).map((n) => n.error_code)).toEqual(['PAYMENT_ORDER_UNKNOWN']);
    expect(await d.purseFen(student.id)).toBe(0);
  });

  it.each(['alipay', 'wechat'] as const)('sent ten times at once by %s credit exactly once', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 20_000);
    await d.payAtCashier(studentToken, order.id, gateway, { copies: 10 });
    await d.runJobs();
    expect(await d.purseFen(student.id)).toBe(20_000);
    const outcomes = (await d.notifications(order.orderNo)).map((n) => n.outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    expect((await d.ledgerTransactionsOf(order.id)).map((t) => t.type)).toEqual(['top_up']);
    await d.expectLedgerClean();
  });

  it.each(['alipay', 'wechat'] as const)('from %s arriving out of order (a later status first) credit once', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, order.id, gateway, { outOfOrder: true });
    await d.runJobs();
    d.t.clock.advance(1000);
    await d.runJobs();
    const notes = await d.notifications(order.orderNo);
    expect(notes.map((n) => n.outcome)).toEqual(['processed', 'processed']);
    if (gateway === 'alipay') expect(notes.map((n) => new URLSearchParams(n.raw_body).get('trade_status'))).toEqual(['TRADE_FINISHED', 'TRADE_SUCCESS']);
    expect(await d.purseFen(student.id)).toBe(5000);
    expect((await d.ledgerTransactionsOf(order.id)).length).toBe(1);
  });

  it('that never arrive do not stop the payer: 已完成支付 asks the gateway, and the late one changes nothing', async () => {
    const { student, parentToken } = await d.family();
    const order = await d.topUp(parentToken, student.id, 5000);
    await d.payAtCashier(parentToken, order.id, 'alipay', { lateMs: 10 * 60_000 });
    await d.runJobs();
    expect((await d.order(parentToken, order.id)).status).toBe('paying');
    const confirm = await d.request('POST', `/orders/${order.id}/confirm`, parentToken);
    expect(confirm.json()).toMatchObject({ confirmed: true, order: { status: 'fulfilled' }, gateways: [{ gateway: 'alipay', state: 'paid' }] });
    d.t.clock.advance(10 * 60_000);
    await d.runJobs();
    expect((await d.notifications(order.orderNo)).map((n) => n.outcome)).toEqual(['processed']);
    expect(await d.purseFen(student.id)).toBe(5000);
    expect((await d.ledgerTransactionsOf(order.id)).length).toBe(1);
  });
});

describe('已完成支付 (confirm) and cancel', () => {
  it('confirm asks the gateway and never trusts the tap', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const unpaid = await d.request('POST', `/orders/${order.id}/confirm`, studentToken);
    expect(unpaid.json()).toMatchObject({ confirmed: false, order: { status: 'created' }, gateways: [] });
    await d.cashierUrl(studentToken, order.id, 'wechat');
    const pending = await d.request('POST', `/orders/${order.id}/confirm`, studentToken);
    expect(pending.json()).toMatchObject({ confirmed: false, order: { status: 'paying' }, gateways: [{ gateway: 'wechat', state: 'pending' }] });
    expect(await d.purseFen(student.id)).toBe(0);
  });

  it('cancel closes an unpaid order; a paid one cannot be cancelled', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cancelled = await d.request('POST', `/orders/${order.id}/cancel`, studentToken);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', pending: false });
    expect((await d.request('POST', `/orders/${order.id}/cancel`, studentToken)).json()).toMatchObject({ status: 'cancelled' });
    expect((await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'alipay' })).json()).toMatchObject({ error: { code: 'ORDER_NOT_PAYABLE' } });

    const paid = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, paid.id, 'wechat');
    await d.runJobs();
    const refused = await d.request('POST', `/orders/${paid.id}/cancel`, studentToken);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'ORDER_NOT_CANCELLABLE' } });
  });

  it('a replayed 支付 request gets its stored answer even after the order was paid', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const first = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'wechat' }, { 'idempotency-key': `pay-${order.id}` });
    expect((await actAtCashier(first.json().cashierUrl, 'pay')).html).toContain('支付成功');
    await d.runJobs();
    const replay = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'wechat' }, { 'idempotency-key': `pay-${order.id}` });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().cashierUrl).toBe(first.json().cashierUrl);
    const fresh = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'wechat' });
    expect(fresh.json()).toMatchObject({ error: { code: 'ORDER_NOT_PAYABLE' } });
  });

  it('a WeChat trade paid before its notification arrived is reported as paid, not offered again', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    await d.payAtCashier(studentToken, order.id, 'wechat', { lateMs: 3600_000 });
    const again = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'wechat' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'ORDER_ALREADY_PAID' } });
  });

  it('an order past its 30 minutes cannot be paid', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    d.t.clock.advance(31 * 60_000);
    expect((await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'alipay' })).json()).toMatchObject({ error: { code: 'ORDER_EXPIRED' } });
  });
});

describe('the sandbox gateway', () => {
  it('verifies the merchant’s signatures like the real gateways and signs its answers', async () => {
    const keys = await sandboxKeys(d.t.ctx);
    const query = (privateKey: string) => alipayForm(signAlipayRequest({
      app_id: keys.alipay.appId, method: 'alipay.trade.query', format: 'JSON', charset: 'utf-8', sign_type: 'RSA2', timestamp: '2026-11-23 10:00:00', version: '1.0', biz_content: '{"out_trade_no":"0000000000000000000000000000000"}',
    }, privateKey));
    const gatewayDo = (body: string) => d.t.app.inject({ method: 'POST', url: '/api/v1/sandbox/alipay/gateway.do', headers: d.headers(undefined, { 'content-type': 'application/x-www-form-urlencoded' }), payload: body });
    const forged = await gatewayDo(query(keys.wechat.merchantPrivateKey));
    expect(verifiedAlipayResponse(forged.body, 'alipay.trade.query', keys.alipay.platformPublicKey)).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
    const genuine = await gatewayDo(query(keys.alipay.appPrivateKey));
    expect(verifiedAlipayResponse(genuine.body, 'alipay.trade.query', keys.alipay.platformPublicKey)).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });

    const unsigned = await d.t.app.inject({ method: 'GET', url: '/api/v1/sandbox/wechat/v3/pay/transactions/out-trade-no/x?mchid=1', headers: d.headers() });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toEqual({ code: 'SIGN_ERROR', message: '签名错误' });
    expect(unsigned.headers['wechatpay-signature']).toEqual(expect.any(String));
    expect((await d.t.app.inject({ method: 'GET', url: '/api/v1/sandbox/alipay/cashier/01900000-0000-7000-8000-000000000000', headers: d.headers() })).statusCode).toBe(404);
  });

  it('takes its retry compression from operators only', async () => {
    const operator = await d.t.factory.operatorToken();
    const { studentToken } = await d.family();
    expect((await d.request('PUT', '/sandbox/settings', studentToken, { retryCompression: 10 })).statusCode).toBe(403);
    expect((await d.request('PUT', '/sandbox/settings', operator, { retryCompression: 0 })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await d.request('PUT', '/sandbox/settings', operator, { retryCompression: 1 })).json()).toEqual({ retryCompression: 1 });
  });
});

describe('who may see and pay orders', () => {
  it('a parent sees and pays only bound children’s orders; pending ones come first', async () => {
    const mine = await d.family();
    const theirs = await d.family();
    const paidOrder = await d.topUp(mine.parentToken, mine.student.id, 5000);
    await d.payAtCashier(mine.parentToken, paidOrder.id, 'alipay');
    await d.runJobs();
    const pendingOrder = await d.topUp(mine.studentToken, mine.student.id, 6000);
    const otherOrder = await d.topUp(theirs.parentToken, theirs.student.id, 7000);

    const list = (await d.request('GET', '/orders', mine.parentToken)).json() as { items: OrderView[]; total: number };
    expect(list.items.map((o) => o.id)).toEqual([pendingOrder.id, paidOrder.id]);
    expect(list.total).toBe(2);

    for (const [method, url, body] of [
      ['GET', `/orders/${otherOrder.id}`, undefined],
      ['POST', `/orders/${otherOrder.id}/pay`, { gateway: 'alipay' }],
      ['POST', `/orders/${otherOrder.id}/confirm`, undefined],
      ['POST', `/orders/${otherOrder.id}/cancel`, undefined],
      ['POST', '/orders/top-up', { cardId: await d.cardOf(theirs.student.id), amountFen: 5000 }],
      ['GET', `/orders?studentId=${theirs.student.id}`, undefined],
    ] as const) {
      const res = await d.request(method, url, mine.parentToken, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    }
    expect((await d.order(theirs.parentToken, otherOrder.id)).status).toBe('created');
    expect((await d.request('GET', '/orders', theirs.studentToken)).json()).toMatchObject({ total: 1 });
  });

  it('needs a sign-in, and an unknown order is a 404', async () => {
    expect((await d.request('GET', '/orders')).statusCode).toBe(401);
    const { studentToken } = await d.family();
    const missing = await d.request('GET', '/orders/01900000-0000-7000-8000-000000000000', studentToken);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } });
    expect((await d.request('POST', '/orders/not-a-uuid/pay', studentToken, { gateway: 'alipay' })).statusCode).toBe(400);
    expect((await d.request('POST', '/orders/01900000-0000-7000-8000-000000000000/pay', studentToken, { gateway: 'paypal' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('where the cashier sends the payer back (returnPath)', () => {
  /** The 返回商户 link of a sandbox cashier page, as the browser would follow it. */
  const backLink = (html: string) => /<a href="([^"]*)">返回商户<\/a>/.exec(html)?.[1]?.replaceAll('&#38;', '&');

  it.each(['alipay', 'wechat'] as const)('%s returns the payer to the app path asked for, on this site', async (gateway) => {
    const { student, parentToken } = await d.family();
    const order = await d.topUp(parentToken, student.id, 5000);
    const returnPath = `/pay/result?orderId=${order.id}&from=cashier`;
    const res = await d.request('POST', `/orders/${order.id}/pay`, parentToken, { gateway, returnPath });
    expect(res.statusCode, res.body).toBe(200);
    const cashierUrl = (res.json() as { cashierUrl: string }).cashierUrl;
    // Alipay carries it as the signed return_url, WeChat Pay H5 as redirect_url on the cashier link.
    expect(new URL(cashierUrl).searchParams.get(gateway === 'alipay' ? 'return_url' : 'redirect_url')).toBe(`${d.origin}${returnPath}`);
    const paid = await actAtCashier(cashierUrl, 'pay');
    expect(paid.html).toContain('支付成功');
    expect(backLink(paid.html)).toBe(`${d.origin}${returnPath}`);
  });

  it.each(['alipay', 'wechat'] as const)('%s returns to the order page when no path is given', async (gateway) => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cancelled = await actAtCashier(await d.cashierUrl(studentToken, order.id, gateway), 'cancel');
    expect(cancelled.html).toContain('已取消支付');
    expect(backLink(cancelled.html)).toBe(`${d.origin}/orders/${order.id}`);
  });

  it('refuses anything that could lead off this site (an open redirect), writing nothing', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    for (const returnPath of [
      'https://evil.example/pay', '//evil.example/pay', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/ /evil.example', 'javascript:alert(1)',
      'pay/result', '', '/pay//evil.example', '/pay/result?next=http://evil.example', `/${'a'.repeat(600)}`, '/\u00e9', '/pay\nLocation:x',
    ]) {
      const res = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway: 'alipay', returnPath });
      expect(res.statusCode, JSON.stringify(returnPath)).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    for (const gateway of ['alipay', 'wechat'] as const) {
      const res = await d.request('POST', `/orders/${order.id}/pay`, studentToken, { gateway, returnPath: 'https://evil.example/' });
      expect(res.statusCode).toBe(400);
    }
    expect((await d.order(studentToken, order.id)).status).toBe('created');
    expect(await d.t.ctx.db.selectFrom('payment_attempts').select('id').where('order_id', '=', order.id).execute()).toEqual([]);
  });

  it('the sandbox WeChat cashier, like WeChat, refuses a redirect_url outside the merchant’s domain', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 5000);
    const cashierUrl = new URL(await d.cashierUrl(studentToken, order.id, 'wechat'));
    cashierUrl.searchParams.set('redirect_url', 'https://evil.example/pay/result');
    const refused = await openCashier(cashierUrl.toString());
    expect(refused.status).toBe(400);
    expect(refused.html).not.toContain('evil.example');
    expect((await actAtCashier(cashierUrl.toString(), 'pay')).status).toBe(400);
    await d.runJobs();
    expect((await d.order(studentToken, order.id)).status).toBe('paying');
  });
});

describe('the order list’s tabs (group)', () => {
  it('groups pending, paid and closed orders in one query, newest first within pending-first order', async () => {
    const { student, parentToken, studentToken } = await d.family();
    const other = await d.family();
    const fulfilled = await d.topUp(parentToken, student.id, 5000);
    await d.payAtCashier(parentToken, fulfilled.id, 'alipay');
    await d.runJobs();
    const cancelled = await d.topUp(parentToken, student.id, 5100);
    await d.request('POST', `/orders/${cancelled.id}/cancel`, parentToken);
    const overdue = await d.topUp(parentToken, student.id, 5200);
    // Past its time limit, but the expiry job has not run yet: the app no longer offers to pay it.
    await d.t.ctx.db.updateTable('payment_orders').set({ expires_at: new Date(d.t.clock.now().getTime() - 1000) }).where('id', '=', overdue.id).execute();
    const created = await d.topUp(parentToken, student.id, 5300);
    const paying = await d.topUp(studentToken, student.id, 5400);
    await d.cashierUrl(studentToken, paying.id, 'wechat');
    await d.topUp(other.parentToken, other.student.id, 5500);

    const list = async (query: string) => {
      const res = await d.request('GET', `/orders?${query}`, parentToken);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: OrderView[]; total: number };
      return { ids: page.items.map((o) => o.id), total: page.total };
    };
    expect(await list('group=pending')).toEqual({ ids: [paying.id, created.id], total: 2 });
    expect(await list('group=paid')).toEqual({ ids: [fulfilled.id], total: 1 });
    expect(await list('group=closed')).toEqual({ ids: [overdue.id, cancelled.id], total: 2 });
    expect(await list('group=pending&page=2&pageSize=1')).toEqual({ ids: [created.id], total: 2 });
    expect(await list('group=closed&status=cancelled')).toEqual({ ids: [cancelled.id], total: 1 });
    expect((await list('')).total).toBe(5);
    const bad = await d.request('GET', '/orders?group=open', parentToken);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
