import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxKeys } from '../../src/modules/payments/gateways/registry.js';
import { wechatAuthorization } from '../../src/modules/payments/gateways/wechat.js';
import type { OrderView } from '../../src/modules/payments/order-view.js';
import { noSwitches } from '../../src/modules/payments/sandbox/sandbox-notifications.js';
import { openTrade, payPendingTrade } from '../../src/modules/payments/sandbox/sandbox-trades.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * Reconciliation against the gateways' daily bill files (对账单), served by the sandbox from its
 * own trades: Alipay's zip of GBK CSV files, WeChat Pay's signed tradebill and its signed download.
 */

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T02:00:00Z'); // 10:00 in Beijing
});
/** An operator signed in now (the tests move the clock past sessions' lifetimes). */
const op = () => d.t.factory.operatorToken();
afterAll(async () => d.close());

type Finding = { kind: string; orderNo: string | null; gateway: string | null; detail: string; needsAttention: boolean };
const findingsOf = (report: { findings: Finding[] }, ...kinds: string[]) => report.findings.filter((f) => kinds.includes(f.kind)).map((f) => [f.kind, f.gateway, f.orderNo]);

async function reconcile(date: string) {
  const res = await d.request('POST', `/admin/payments/reconciliations/${date}`, await op());
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { totals: Record<string, Record<string, unknown>>; findings: Finding[]; balanced: boolean };
}

async function portalRefund(gateway: 'alipay' | 'wechat', order: OrderView, amountFen: number): Promise<string> {
  const res = await d.request('POST', `/sandbox/${gateway}/portal/refunds`, await op(), { outTradeNo: order.orderNo, amountFen });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { outRequestNo: string }).outRequestNo;
}

const ledgerTransactions = async () => Number((await d.t.ctx.db.selectFrom('ledger_transactions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const sandboxRefunds = async () => Number((await d.t.ctx.db.selectFrom('sandbox_refunds').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('a day reconciled against its bills', () => {
  let paid: Record<'a' | 'c' | 'g' | 'h' | 'b' | 'dd' | 'i', OrderView>;
  let studentId: string;
  let unknownNo: string;
  let portal: { alipay: string; wechat: string };

  beforeAll(async () => {
    const { student, studentToken } = await d.family();
    studentId = student.id;
    const pay = async (amountFen: number, gateway: 'alipay' | 'wechat', lateMs = 0) => {
      const order = await d.topUp(studentToken, student.id, amountFen);
      await d.payAtCashier(studentToken, order.id, gateway, { lateMs });
      return order;
    };
    paid = {
      a: await pay(5000, 'alipay'),
      c: await pay(7000, 'alipay', 48 * 3600_000), // its notification is late: only the bill tells us
      g: await pay(3000, 'alipay'),
      h: await pay(4000, 'alipay'),
      b: await pay(6000, 'wechat'),
      dd: await pay(8000, 'wechat'),
      i: await pay(2500, 'wechat'),
    };
    await d.runJobs();
    // Refunds by an operator, through the gateway: one stays on its bill, the other the gateway loses.
    for (const [order, amountFen] of [[paid.dd, 2000], [paid.h, 1000]] as const) {
      expect((await d.request('POST', `/admin/orders/${order.id}/refunds`, await op(), { amountFen })).statusCode).toBe(201);
    }
    await d.runJobs();
    await d.t.ctx.db.deleteFrom('sandbox_refunds').where('sandbox_payment_id', 'in', (eb) => eb.selectFrom('sandbox_payments').select('id').where('out_trade_no', '=', paid.h.orderNo)).execute();
    // Refunds made by hand in each gateway's merchant portal, which Onecard never hears of.
    portal = { alipay: await portalRefund('alipay', paid.a, 1000), wechat: await portalRefund('wechat', paid.b, 500) };
    // A WeChat trade for an order number Onecard never issued (its notification is refused).
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    unknownNo = 'f'.repeat(31);
    const opened = await openTrade(d.t.ctx, {
      gateway: 'wechat', appId: keys.appId, merchantId: keys.mchid, outTradeNo: unknownNo, amountFen: 1200, subject: '不明交易', payee: '北京市学生卡中心', notifyUrl: `${d.origin}/api/v1/payments/notify/wechat`, returnUrl: null,
    });
    if (!opened.ok) throw new Error('sandbox refused the trade');
    await payPendingTrade(d.t.ctx, opened.payment.id, noSwitches);
    // Credited here, unpaid at Alipay (what a bug or a forgery would leave); and a WeChat trade whose amount the gateway has otherwise.
    await d.t.ctx.db.updateTable('sandbox_payments').set({ status: 'pending', paid_at: null }).where('out_trade_no', '=', paid.g.orderNo).execute();
    await d.t.ctx.db.updateTable('sandbox_payments').set({ amount_fen: 2600 }).where('out_trade_no', '=', paid.i.orderNo).execute();
    await d.runJobs();
    d.t.clock.set('2026-11-24T02:00:00Z'); // 10:00 the next day: the bills are made
  });

  it('reads both bills, settles what the ledger lacks, and reports what the order table never knew, with the fees', async () => {
    const purseBefore = await d.purseFen(studentId);
    const report = await reconcile('2026-11-23');
    expect(report.totals.alipay).toEqual({ source: 'bill', billUnavailable: null, gatewayPaidFen: 16_000, ledgerBookedFen: 16_000, gatewayRefundedFen: 1000, feesFen: 30 + 42 + 24 - 6 });
    expect(report.totals.wechat).toEqual({ source: 'bill', billUnavailable: null, gatewayPaidFen: 6000 + 8000 + 2600 + 1200, ledgerBookedFen: 6000 + 8000 + 2500, gatewayRefundedFen: 2500, feesFen: 92 });
    expect(findingsOf(report, 'settled_by_reconciliation', 'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'credited_without_gateway_payment', 'amount_mismatch', 'bill_unavailable')).toEqual(expect.arrayContaining([
      ['settled_by_reconciliation', 'alipay', paid.c.orderNo],
      ['unknown_trade', 'wechat', null],
      ['refund_not_ours', 'alipay', paid.a.orderNo],
      ['refund_not_ours', 'wechat', paid.b.orderNo],
      ['refund_missing_from_bill', 'alipay', paid.h.orderNo],
      ['credited_without_gateway_payment', 'alipay', paid.g.orderNo],
      ['amount_mismatch', 'wechat', paid.i.orderNo],
    ]));
    expect(findingsOf(report, 'settled_by_reconciliation', 'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'credited_without_gateway_payment', 'amount_mismatch', 'bill_unavailable')).toHaveLength(7);
    const detail = (kind: string, gateway: string) => report.findings.find((f) => f.kind === kind && f.gateway === gateway)?.detail;
    expect(detail('unknown_trade', 'wechat')).toMatch(new RegExp(`^${unknownNo} \\(4200\\d+\\): 1200 fen$`));
    expect(detail('refund_not_ours', 'alipay')).toMatch(new RegExp(`^${portal.alipay}: 1000 fen of `));
    expect(detail('refund_not_ours', 'wechat')).toMatch(new RegExp(`^${portal.wechat}: 500 fen of `));
    expect(detail('amount_mismatch', 'wechat')).toBe('bill 2600 fen, ledger 2500 fen');
    expect(report.balanced).toBe(false);
    // The late payment is credited once, through settlePayment; the portal refunds moved nothing here.
    expect(purseBefore + 7000).toBe(await d.purseFen(studentId));
    expect((await d.order(await op(), paid.c.id)).status).toBe('fulfilled');
    await d.expectLedgerClean();
  });

  it('moves no money when run again, and says the same', async () => {
    const [ledgerBefore, purseBefore, refundsBefore] = [await ledgerTransactions(), await d.purseFen(studentId), await sandboxRefunds()];
    const again = await reconcile('2026-11-23');
    expect(findingsOf(again, 'settled_by_reconciliation')).toEqual([]);
    expect(findingsOf(again, 'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'credited_without_gateway_payment', 'amount_mismatch')).toHaveLength(6);
    expect(again.totals.alipay).toMatchObject({ ledgerBookedFen: 16_000, feesFen: 90 });
    expect([await ledgerTransactions(), await d.purseFen(studentId), await sandboxRefunds()]).toEqual([ledgerBefore, purseBefore, refundsBefore]);
    const stored = (await d.request('GET', '/admin/payments/reconciliations/2026-11-23', await op())).json();
    expect(stored.totals.wechat).toMatchObject({ source: 'bill', feesFen: 92 });
  });
});

describe('before the bills are made', () => {
  it('falls back to asking about each order, and says so', async () => {
    d.t.clock.set('2026-11-24T02:30:00Z'); // 10:30 on the 24th: the 24th's bills come tomorrow
    const { student, studentToken } = await d.family();
    const late = await d.topUp(studentToken, student.id, 3300);
    await d.payAtCashier(studentToken, late.id, 'wechat', { lateMs: 48 * 3600_000 });
    const report = await reconcile('2026-11-24');
    // The day is not over: its bills are not asked for (an empty one would say every payment is missing).
    expect(report.totals.alipay).toMatchObject({ source: 'query', billUnavailable: 'DAY_NOT_OVER', feesFen: null, gatewayRefundedFen: null });
    expect(report.totals.wechat).toMatchObject({ source: 'query', billUnavailable: 'DAY_NOT_OVER', gatewayPaidFen: 3300, ledgerBookedFen: 3300, feesFen: null });
    expect(report.balanced).toBe(true);
    expect(findingsOf(report, 'bill_unavailable')).toEqual([['bill_unavailable', 'alipay', null], ['bill_unavailable', 'wechat', null]]);
    expect(report.findings.map((f) => f.needsAttention)).not.toContain(true); // a bill not made yet is waited for
    expect(report.findings.find((f) => f.orderNo === late.orderNo)).toMatchObject({ kind: 'settled_by_reconciliation', detail: expect.not.stringContaining('(bill)') });
    expect(await d.purseFen(student.id)).toBe(3300);
  });

  it('the job reconciles yesterday after midnight by the query path, and again from 10:00 by the bills', async () => {
    d.t.clock.set('2026-11-24T17:00:00Z'); // 01:00 on the 25th
    await d.runJobs();
    const early = (await d.request('GET', '/admin/payments/reconciliations/2026-11-24', await op())).json();
    expect(early.totals.wechat).toMatchObject({ source: 'query', billUnavailable: 'STATEMENT_CREATING' });
    d.t.clock.set('2026-11-25T02:05:00Z'); // 10:05
    await d.runJobs();
    const later = (await d.request('GET', '/admin/payments/reconciliations/2026-11-24', await op())).json();
    expect(later.totals.wechat).toMatchObject({ source: 'bill', gatewayPaidFen: 3300, ledgerBookedFen: 3300, feesFen: 20 });
    expect(later.totals.alipay).toMatchObject({ source: 'bill', gatewayPaidFen: 0, feesFen: 0 });
  });
});

describe('the sandbox serves bills as the gateways do', () => {
  it('refuses an unsigned WeChat Pay bill download and a made-up Alipay link; the portal is for operators', async () => {
    const unsigned = await d.request('GET', '/sandbox/wechat/v3/billdownload/file?bill_date=2026-11-23&issued=1&token=00');
    expect(unsigned.statusCode).toBe(401);
    const madeUp = await d.request('GET', '/sandbox/alipay/bill/download?bizDates=20261123&timestamp=1&token=00');
    expect(madeUp.statusCode).toBe(400);
    const { studentToken } = await d.family();
    expect((await d.request('POST', '/sandbox/alipay/portal/refunds', studentToken, { outTradeNo: 'x', amountFen: 1 })).statusCode).toBe(403);
    expect((await d.request('POST', '/sandbox/alipay/portal/refunds', await op(), { outTradeNo: 'x', amountFen: -1 })).statusCode).toBe(400);
  });
});

describe('a day’s bills against refunds in every state, late refunds and orders sent elsewhere', () => {
  let a: OrderView;
  let w: OrderView;
  let w2: OrderView;
  let wOnly: OrderView;
  const refundOf = (order: OrderView) => d.t.ctx.db.selectFrom('payment_refunds').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    d.t.clock.set('2026-11-26T02:00:00Z'); // 10:00 on the 26th
    const { student, studentToken } = await d.family();
    const pay = async (amountFen: number, gateway: 'alipay' | 'wechat') => {
      const order = await d.topUp(studentToken, student.id, amountFen);
      await d.payAtCashier(studentToken, order.id, gateway);
      return order;
    };
    a = await pay(5000, 'alipay');
    w = await pay(6000, 'wechat');
    w2 = await pay(4000, 'wechat');
    wOnly = await pay(3000, 'wechat');
    await d.runJobs();

    // w: refunded at WeChat Pay, but failed here (ABNORMAL, its notification of the later success lost): the money is still reserved.
    // w2: booked here, but the gateway gave up on it (FAIL on the bill).
    d.t.clock.set('2026-11-26T05:00:00Z');
    for (const order of [w, w2]) expect((await d.request('POST', `/admin/orders/${order.id}/refunds`, await op(), { amountFen: order.amountFen })).statusCode).toBe(201);
    await d.runJobs();
    await d.t.ctx.db.updateTable('payment_refunds').set({ status: 'failed', last_error: 'ABNORMAL at the gateway (answer)', completed_at: null }).where('order_id', '=', w.id).execute();
    await d.t.ctx.db.updateTable('sandbox_refunds').set({ succeeded_at: null, failed_status: 'CLOSED' }).where('out_request_no', '=', (await refundOf(w2)).out_request_no).execute();

    // An Alipay trade for an order number of ours that was only ever sent to WeChat Pay.
    const keys = (await sandboxKeys(d.t.ctx)).alipay;
    const opened = await openTrade(d.t.ctx, { gateway: 'alipay', appId: keys.appId, merchantId: keys.sellerId, outTradeNo: wOnly.orderNo, amountFen: 3000, subject: '充值', payee: '北京市学生卡中心', notifyUrl: `${d.origin}/api/v1/payments/notify/alipay`, returnUrl: null });
    if (!opened.ok) throw new Error('sandbox refused the trade');
    await payPendingTrade(d.t.ctx, opened.payment.id, noSwitches);
    await d.runJobs();

    // a: a refund asked for at 22:00 while Alipay cannot be reached, sent by the retry job at 00:30: Alipay bills it on the 27th.
    d.t.clock.set('2026-11-26T14:00:00Z');
    const attempt = await d.t.ctx.db.selectFrom('payment_attempts').select(['id', 'gateway_base_url']).where('order_id', '=', a.id).where('gateway', '=', 'alipay').executeTakeFirstOrThrow();
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: 'http://127.0.0.1:9/api/v1/sandbox/alipay/gateway.do' }).where('id', '=', attempt.id).execute();
    expect((await d.request('POST', `/admin/orders/${a.id}/refunds`, await op(), { amountFen: 1000 })).statusCode).toBe(201);
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: attempt.gateway_base_url }).where('id', '=', attempt.id).execute();
    expect((await refundOf(a)).status).toBe('requested');
    d.t.clock.set('2026-11-26T16:30:00Z'); // 00:30 on the 27th
    await d.runJobs();
    expect((await refundOf(a)).status).toBe('succeeded');
  });

  it('reports refunds whose state differs from the bill’s, both ways, and counts only the successful ones as refunded', async () => {
    d.t.clock.set('2026-11-27T02:00:00Z');
    const report = await reconcile('2026-11-26');
    expect(findingsOf(report, 'refund_state_mismatch')).toEqual(expect.arrayContaining([['refund_state_mismatch', 'wechat', w.orderNo], ['refund_state_mismatch', 'wechat', w2.orderNo]]));
    expect(findingsOf(report, 'refund_state_mismatch')).toHaveLength(2);
    const detail = (order: OrderView) => report.findings.find((f) => f.kind === 'refund_state_mismatch' && f.orderNo === order.orderNo)?.detail;
    expect(detail(w)).toMatch(/: bill success, ours failed \(6000 fen\)$/);
    expect(detail(w2)).toMatch(/: bill failed, ours succeeded \(4000 fen\)$/);
    // w's refund succeeded at the gateway; w2's FAIL line is no money refunded.
    expect(report.totals.wechat).toMatchObject({ source: 'bill', gatewayRefundedFen: 6000 });
    expect(report.balanced).toBe(false);
  });

  it('reports a payment for an order never sent to that gateway as an unknown trade, settles nothing and says nothing was settled', async () => {
    const report = await reconcile('2026-11-26');
    const about = report.findings.filter((f) => f.orderNo === wOnly.orderNo);
    // (Its notification was refused, as one for an order never sent to Alipay: that is the notification's finding.)
    expect(about.filter((f) => f.kind !== 'notification_rejected').map((f) => [f.kind, f.gateway])).toEqual([['unknown_trade', 'alipay']]);
    expect(about[0]?.detail).toMatch(new RegExp(`^${wOnly.orderNo} \\(\\d+\\): 3000 fen, order known, never sent to alipay$`));
    expect(report.findings.filter((f) => f.kind === 'settled_by_reconciliation')).toEqual([]);
    expect(report.totals.alipay).toMatchObject({ source: 'bill', gatewayPaidFen: 5000 + 3000, ledgerBookedFen: 5000 });
  });

  it('looks for a refund on the bill of the day the gateway took it, not the day it was asked for', async () => {
    const day26 = await reconcile('2026-11-26');
    expect(findingsOf(day26, 'refund_missing_from_bill')).toEqual([]);
    expect(day26.totals.alipay).toMatchObject({ gatewayRefundedFen: 0 });
    d.t.clock.set('2026-11-28T02:00:00Z');
    const day27 = await reconcile('2026-11-27');
    expect(day27.totals.alipay).toMatchObject({ source: 'bill', gatewayRefundedFen: 1000 });
    expect(findingsOf(day27, 'refund_missing_from_bill', 'refund_not_ours', 'amount_mismatch', 'refund_state_mismatch')).toEqual([]);
    // And a refund the gateway took on the 27th that its bill lacks is missing from the 27th's.
    await d.t.ctx.db.deleteFrom('sandbox_refunds').where('out_request_no', '=', (await refundOf(a)).out_request_no).execute();
    expect(findingsOf(await reconcile('2026-11-27'), 'refund_missing_from_bill')).toEqual([['refund_missing_from_bill', 'alipay', a.orderNo]]);
    expect(findingsOf(await reconcile('2026-11-26'), 'refund_missing_from_bill')).toEqual([]);
  });
});

describe('the sandbox’s WeChat Pay bill', () => {
  it('is made once per application: the download is the file whose hash was answered, though a refund completed in between', async () => {
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    const signedGet = (path: string) => d.request('GET', path, undefined, undefined, {
      authorization: wechatAuthorization({ method: 'GET', pathWithQuery: `/api/v1${path}`, body: '' }, { mchid: keys.mchid, serialNo: keys.merchantSerialNo, privateKeyPem: keys.merchantPrivateKey }, d.t.clock.now()),
    });
    d.t.clock.set('2026-11-28T03:10:00Z');
    const applied = await signedGet('/sandbox/wechat/v3/bill/tradebill?bill_date=2026-11-26&bill_type=ALL');
    expect(applied.statusCode, applied.body).toBe(200);
    const { hash_value: hash, download_url: link } = applied.json() as { hash_value: string; download_url: string };
    // A refund on that day's bill changes state at the gateway (FAIL → SUCCESS) before the download.
    const changed = await d.t.ctx.db.updateTable('sandbox_refunds').set({ succeeded_at: d.t.clock.now(), failed_status: null }).where('failed_status', '=', 'CLOSED').returning('id').execute();
    expect(changed).toHaveLength(1);
    const file = await signedGet(new URL(link).pathname.replace('/api/v1', '') + new URL(link).search);
    expect(file.statusCode).toBe(200);
    expect(createHash('sha1').update(file.rawPayload).digest('hex')).toBe(hash);
    expect(file.body).toContain('`FAIL,');
    // A link for another file, or none, is refused.
    const other = new URL(link);
    other.searchParams.set('file', '0198a1b2-c3d4-7e5f-8071-8293a4b5c6d7');
    expect((await signedGet(other.pathname.replace('/api/v1', '') + other.search)).statusCode).toBe(400);
  });
});

describe('a bill download that fails', () => {
  it('falls back to the query path for both gateways, and the day needs attention', async () => {
    // A stand-in in front of the sandbox: the API calls pass through, each bill file is cut off halfway.
    // (Its Host header is passed on, so that the sandbox's answers name the stand-in's address.)
    const proxy = createServer((request, response) => {
      const upstream = httpRequest(`${d.origin}${request.url ?? ''}`, { method: request.method, headers: request.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k)));
          response.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          if (/\/bill\/download|\/billdownload\/file/.test(request.url ?? '')) response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
          else response.end(body);
        });
      });
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const pointAt = (from: string, to: string) => d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: sql<string>`replace(gateway_base_url, ${from}, ${to})` }).execute();
    await pointAt(d.origin, proxyOrigin);
    try {
      d.t.clock.set('2026-11-28T03:00:00Z');
      const report = await reconcile('2026-11-27');
      for (const gateway of ['alipay', 'wechat']) {
        expect(report.totals[gateway]).toMatchObject({ source: 'query', billUnavailable: expect.stringMatching(/^GATEWAY_UNAVAILABLE: /) });
      }
      expect(findingsOf(report, 'bill_unavailable')).toEqual([['bill_unavailable', 'alipay', null], ['bill_unavailable', 'wechat', null]]);
      // Not a bill still being made: someone must look.
      expect(report.findings.filter((f) => f.kind === 'bill_unavailable').map((f) => f.needsAttention)).toEqual([true, true]);
      expect(report.balanced).toBe(false);
    } finally {
      await pointAt(proxyOrigin, d.origin);
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
