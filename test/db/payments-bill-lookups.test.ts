import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsRepository as repo } from '../../src/modules/payments/payments.repository.js';
import type { TestApp } from '../support/app.js';
import { PaymentsDriver } from '../api/payments-driver.js';

/**
 * A bill's lines are looked up in one statement: more numbers than PostgreSQL's 65,535 bind
 * parameters must still work (one array parameter), and a number that could not be ours (a
 * comma, a brace, a space) finds nothing and breaks nothing.
 */

let d: PaymentsDriver;
let t: TestApp;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  t = d.t;
});
afterAll(async () => d.close());

describe('bill lookups', () => {
  it('take 70,000 order and refund numbers in one statement, and find ours among them', async () => {
    const { student, studentToken } = await d.family();
    const order = await d.topUp(studentToken, student.id, 1000);
    const noise = Array.from({ length: 70_000 }, (_, i) => `${i.toString(16).padStart(31, '0')}`);
    const found = await repo.ordersByNo(t.ctx.db, [...noise, order.orderNo, 'a,b', '{x}', 'say "hi"', '']);
    expect(found.map((o) => o.order_no)).toEqual([order.orderNo]);
    expect(await repo.refundsByOutRequestNo(t.ctx.db, 'alipay', [...noise, 'a b', 'NULL'])).toEqual([]);
  });
});
