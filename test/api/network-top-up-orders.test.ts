import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actAtCashier, openCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { accountCodes } from '../../src/modules/ledger/ledger.js';
import type { OrderView } from '../../src/modules/payments/order-view.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * 校园网充值 by Alipay or WeChat Pay (seed 004: 使用微信或校园卡账户为校园网充值): an order of kind
 * network_top_up, paid at the sandbox cashier, credits the student's campus network account.
 */

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
beforeEach(() => d.t.clock.set('2026-11-23T02:00:00Z'));

async function undergraduate() {
  const school = await d.t.factory.newSchool({ stage: 'university', name: `网费大学${Math.random().toString(36).slice(2, 8)}` });
  const student = await d.t.factory.newStudent({ schoolId: school.id, name: '网费学生' });
  return { school, student, token: await d.t.factory.loginAs('student', student.education_id, student.password) };
}
const order = (token: string, amountFen: unknown) => d.request('POST', '/orders/network-top-up', token, { amountFen }, { 'idempotency-key': `net-${Math.random()}` });

describe('campus network top-up orders', () => {
  it.each(['wechat', 'alipay'] as const)('are paid at the %s cashier and credited to the network account, not a card', async (gateway) => {
    const { school, student, token } = await undergraduate();
    const created = await order(token, 2_000);
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json() as OrderView;
    expect(view).toMatchObject({ kind: 'network_top_up', status: 'created', amountFen: 2_000, item: { name: '校园网网费', payee: school.name } });

    const cashierUrl = await d.cashierUrl(token, view.id, gateway);
    expect((await openCashier(cashierUrl)).html).toContain('校园网网费');
    expect((await actAtCashier(cashierUrl, 'pay')).html).toContain('支付成功');
    await d.runJobs();
    expect(await d.order(token, view.id)).toMatchObject({ status: 'fulfilled', gateway });
    expect(await d.balanceFen(accountCodes.network(student.id))).toBe(2_000);
    const overview = await d.request('GET', '/campus/network', token);
    // The student holds no campus card: the page's account still shows (a lost card does not hide it either).
    expect(overview.json()).toMatchObject({ balanceFen: 2_000 });
    const booked = await d.ledgerTransactionsOf(view.id);
    expect(booked.map((tx) => tx.type)).toEqual(['top_up']);
    await d.expectLedgerClean();
  });

  it('are for the university student themself, ¥1 to ¥200', async () => {
    const { student, token } = await undergraduate();
    expect((await order(token, 20_001)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_TOP_UP_AMOUNT' } });
    expect((await order(token, 99)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_TOP_UP_AMOUNT' } });
    const { studentToken, parentToken } = await d.family();
    expect((await order(studentToken, 1_000)).statusCode).toBe(403);
    expect((await order(parentToken, 1_000)).statusCode).toBe(403);
    const orders = await d.t.ctx.db.selectFrom('payment_orders').select('id').where('student_id', '=', student.id).execute();
    expect(orders).toEqual([]);
  });
});
