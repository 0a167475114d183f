import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { accountCodes, balanceOf, checkLedger, findAccountByCode } from '../../src/modules/ledger/ledger.js';
import { closeOrder } from '../../src/modules/payments/cancel-order.js';
import { orderNoOf } from '../../src/modules/payments/order-rules.js';
import { paymentsRepository } from '../../src/modules/payments/payments.repository.js';
import type { GatewayName } from '../../src/modules/payments/payments.tables.js';
import { settlePayment, type ReportedPayment } from '../../src/modules/payments/settle-payment.js';
import { systemActor } from '../../src/platform/audit.js';
import { inTransaction } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Settlement under concurrency, straight against the database (on PostgreSQL these really race;
 * PGlite serialises them): however many paths report the same trade at once, it is booked once;
 * two different trades for one order give one credit and one refund; a cancel racing a payment
 * ends either paid or refunded, never both and never neither.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function openOrder(amountFen: number, gateways: GatewayName[] = ['alipay', 'wechat']): Promise<{ id: string; orderNo: string; purseCode: string }> {
  const student = await t.factory.newStudent();
  const card = await t.factory.newCard(student.id);
  const id = newId();
  const now = t.clock.now();
  await paymentsRepository.insertOrder(t.ctx.db, {
    id, order_no: orderNoOf(id), kind: 'top_up', student_id: student.id, card_id: card.id, created_by_role: 'student', created_by: student.id, amount_fen: amountFen,
    item: JSON.stringify({ name: '学生卡充值', projectName: null, feeCode: null, documentNo: null, payee: '北京市政交通一卡通有限公司' }), status: 'paying',
    gateway: null, gateway_trade_no: null, paid_at: null, expires_at: new Date(now.getTime() + 30 * 60_000), closed_at: null, created_at: now, updated_at: now,
  });
  for (const gateway of gateways) {
    await paymentsRepository.insertAttempt(t.ctx.db, { id: newId(), order_id: id, gateway, cashier_url: 'https://cashier.example/x', gateway_base_url: 'http://127.0.0.1:9', created_at: now });
  }
  return { id, orderNo: orderNoOf(id), purseCode: accountCodes.purse(card.id) };
}

const payment = (orderNo: string, gateway: GatewayName, tradeNo: string, amountFen: number): ReportedPayment => ({ gateway, outTradeNo: orderNo, tradeNo, amountFen, paidAt: null });
const settle = (p: ReportedPayment) => settlePayment(t.ctx.db, t.clock, p, systemActor, null);

async function balance(code: string): Promise<number> {
  try {
    return (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, code)).id)).postedFen;
  } catch {
    return 0;
  }
}

describe('settling gateway payments concurrently', () => {
  it('books a trade reported twenty times at once exactly once', async () => {
    const order = await openOrder(5000);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => settle(payment(order.orderNo, 'alipay', 'T-20-COPIES', 5000))));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual([...Array<string>(19).fill('already_settled'), 'credited']);
    expect(await balance(order.purseCode)).toBe(5000);
    const row = await paymentsRepository.findOrder(t.ctx.db, order.id);
    expect(row).toMatchObject({ status: 'fulfilled', gateway: 'alipay', gateway_trade_no: 'T-20-COPIES' });
  });

  it('keeps one of two racing trades and refunds the other once', async () => {
    const order = await openOrder(7000);
    const reports = [...Array.from({ length: 8 }, () => payment(order.orderNo, 'alipay', 'T-A', 7000)), ...Array.from({ length: 8 }, () => payment(order.orderNo, 'wechat', 'T-W', 7000))];
    const outcomes = await Promise.all(reports.map(settle));
    expect(outcomes.filter((o) => o.outcome === 'credited')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'refund_requested')).toHaveLength(1);
    const refunds = await paymentsRepository.refundsOfOrder(t.ctx.db, order.id);
    const kept = (await paymentsRepository.findOrder(t.ctx.db, order.id))?.gateway_trade_no;
    expect(refunds.map((r) => [r.reason, r.trade_no])).toEqual([['duplicate_payment', kept === 'T-A' ? 'T-W' : 'T-A']]);
    expect(await balance(order.purseCode)).toBe(7000);
  });

  it('ends a cancel racing a payment either paid or refunded', async () => {
    for (let round = 0; round < 5; round++) {
      const order = await openOrder(3000, ['wechat']);
      const cancel = inTransaction(t.ctx.db, async (tx) => {
        const locked = await paymentsRepository.lockOrder(tx, order.id);
        if (locked?.status === 'paying') await closeOrder(tx, t.clock, order.id, locked.status, 'cancelled', systemActor, null);
      });
      await Promise.all([cancel, settle(payment(order.orderNo, 'wechat', `T-RACE-${round}`, 3000))]);
      const row = await paymentsRepository.findOrder(t.ctx.db, order.id);
      const refunds = await paymentsRepository.refundsOfOrder(t.ctx.db, order.id);
      const purse = await balance(order.purseCode);
      if (row?.status === 'fulfilled') expect([purse, refunds.length]).toEqual([3000, 0]);
      else expect([row?.status, purse, refunds.map((r) => r.reason)]).toEqual(['cancelled', 0, ['late_payment']]);
    }
  });

  it('refuses a wrong amount or an order the gateway was never asked about, and books nothing', async () => {
    const order = await openOrder(4000, ['alipay']);
    const refused = async (p: ReportedPayment) => settle(p).then(() => 'settled', (e: unknown) => (isDomainError(e) ? e.code : 'thrown'));
    expect(await refused(payment(order.orderNo, 'alipay', 'T-X', 4001))).toBe('PAYMENT_AMOUNT_MISMATCH');
    expect(await refused(payment(order.orderNo, 'wechat', 'T-Y', 4000))).toBe('PAYMENT_ORDER_UNKNOWN');
    expect(await refused(payment('0'.repeat(31), 'alipay', 'T-Z', 4000))).toBe('PAYMENT_ORDER_UNKNOWN');
    expect(await balance(order.purseCode)).toBe(0);
  });

  it('leaves the ledger provably consistent', async () => {
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});
