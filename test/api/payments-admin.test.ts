import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, ensureAccount, postTransaction } from '../../src/modules/ledger/ledger.js';
import type { AdminBalanceRefundDetail, AdminBalanceRefundRow, AdminOrderDetail, AdminOrderRow } from '../../src/modules/payments/admin-payments.schemas.js';
import type { GatewayName, OrderKind, OrderStatus } from '../../src/modules/payments/payments.tables.js';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { systemActor } from '../../src/platform/audit.js';
import { newId } from '../../src/platform/ids.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * The console's order search, order detail and balance refunds: every filter, school scope for
 * card managers, masking, paging, and 403 for everyone who is not staff.
 */

let d: PaymentsDriver;
let operator: string;
interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

const schools: Record<'a' | 'b', { id: string; name: string }> = {} as never;
const students: Record<'ming' | 'hua' | 'fang', { id: string; education_id: string; id_number: string; name: string }> = {} as never;
/** The orders inserted for the search tests, by a label. */
const orders = new Map<string, { id: string; orderNo: string; studentId: string; kind: OrderKind; status: OrderStatus; gateway: GatewayName | null; createdAt: Date }>();

const withTradeNo: readonly OrderStatus[] = ['paid', 'fulfilled', 'refunded'];

async function insertOrder(label: string, o: { studentId: string; kind: OrderKind; status: OrderStatus; gateway: GatewayName | null; createdAt: string; amountFen?: number }) {
  const id = newId();
  const orderNo = randomBytes(16).toString('hex').slice(0, 31);
  const createdAt = new Date(o.createdAt);
  const paid = withTradeNo.includes(o.status);
  await d.t.ctx.db.insertInto('payment_orders').values({
    id, order_no: orderNo, kind: o.kind, student_id: o.studentId, created_by_role: 'student', created_by: o.studentId, amount_fen: o.amountFen ?? 5000,
    item: JSON.stringify({ name: o.kind === 'fee' ? '补卡工本费' : '账户充值', projectName: null, feeCode: null, documentNo: null, payee: '测试' }),
    status: o.status, gateway: o.gateway, gateway_trade_no: paid ? `T${randomBytes(8).toString('hex')}` : null, paid_at: paid ? createdAt : null,
    expires_at: new Date(createdAt.getTime() + 30 * 60_000), closed_at: null, created_at: createdAt, updated_at: createdAt,
  }).execute();
  orders.set(label, { id, orderNo, studentId: o.studentId, kind: o.kind, status: o.status, gateway: o.gateway, createdAt });
}

const idOf = (label: string) => orders.get(label)!.id;
const labelsOf = (items: { id: string }[]) => items.map((row) => [...orders].find(([, o]) => o.id === row.id)?.[0] ?? row.id);

async function search(token: string, query: string): Promise<Page<AdminOrderRow>> {
  const res = await d.request('GET', `/admin/orders?pageSize=200&${query}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
/** Only the orders this suite inserted (other tests add orders of their own). */
const seeded = (page: Page<AdminOrderRow>) => labelsOf(page.items.filter((row) => [...orders.values()].some((o) => o.id === row.id))).sort();

beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T02:00:00Z'); // a Monday in Beijing: inside the fee window
  operator = await d.t.factory.operatorToken();
  schools.a = await d.t.factory.newSchool({ name: '海淀测试一中' });
  schools.b = await d.t.factory.newSchool({ name: '朝阳测试二中' });
  students.ming = await d.t.factory.newStudent({ schoolId: schools.a.id, name: '张小明' });
  students.hua = await d.t.factory.newStudent({ schoolId: schools.a.id, name: '李华' });
  students.fang = await d.t.factory.newStudent({ schoolId: schools.b.id, name: '王芳芳' });
  // Beijing is UTC+8: 2026-11-22T16:30Z is 00:30 on the 23rd in Beijing, 15:30Z still the 22nd.
  await insertOrder('ming-topup-paid-alipay', { studentId: students.ming.id, kind: 'top_up', status: 'fulfilled', gateway: 'alipay', createdAt: '2026-11-22T16:30:00Z' });
  await insertOrder('ming-fee-created', { studentId: students.ming.id, kind: 'fee', status: 'created', gateway: null, createdAt: '2026-11-22T15:30:00Z' });
  await insertOrder('hua-topup-wechat', { studentId: students.hua.id, kind: 'top_up', status: 'fulfilled', gateway: 'wechat', createdAt: '2026-11-20T03:00:00Z' });
  await insertOrder('hua-fee-cancelled', { studentId: students.hua.id, kind: 'fee', status: 'cancelled', gateway: null, createdAt: '2026-11-19T03:00:00Z' });
  await insertOrder('fang-topup-refunded', { studentId: students.fang.id, kind: 'top_up', status: 'refunded', gateway: 'alipay', createdAt: '2026-11-21T03:00:00Z' });
  await insertOrder('fang-fee-paid-wechat', { studentId: students.fang.id, kind: 'fee', status: 'fulfilled', gateway: 'wechat', createdAt: '2026-11-18T03:00:00Z' });
});
afterAll(async () => d?.close());

describe('GET /admin/orders', () => {
  it('filters by status, kind, gateway and school', async () => {
    expect(seeded(await search(operator, 'status=fulfilled'))).toEqual(['fang-fee-paid-wechat', 'hua-topup-wechat', 'ming-topup-paid-alipay']);
    expect(seeded(await search(operator, 'kind=fee'))).toEqual(['fang-fee-paid-wechat', 'hua-fee-cancelled', 'ming-fee-created']);
    expect(seeded(await search(operator, 'gateway=alipay'))).toEqual(['fang-topup-refunded', 'ming-topup-paid-alipay']);
    expect(seeded(await search(operator, 'gateway=wechat&kind=top_up'))).toEqual(['hua-topup-wechat']);
    expect(seeded(await search(operator, `schoolId=${schools.b.id}`))).toEqual(['fang-fee-paid-wechat', 'fang-topup-refunded']);
  });

  it('takes the date range as Beijing days, both ends included', async () => {
    expect(seeded(await search(operator, 'from=2026-11-23&to=2026-11-23'))).toEqual(['ming-topup-paid-alipay']);
    expect(seeded(await search(operator, 'from=2026-11-22&to=2026-11-22'))).toEqual(['ming-fee-created']);
    expect(seeded(await search(operator, 'from=2026-11-19&to=2026-11-21'))).toEqual(['fang-topup-refunded', 'hua-fee-cancelled', 'hua-topup-wechat']);
    expect(seeded(await search(operator, 'to=2026-11-18'))).toEqual(['fang-fee-paid-wechat']);
    const reversed = await d.request('GET', '/admin/orders?from=2026-11-23&to=2026-11-22', operator);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.code).toBe('VALIDATION_FAILED');
    expect((await d.request('GET', '/admin/orders?status=lost', operator)).statusCode).toBe(400);
  });

  it('finds by order number prefix, education ID prefix or part of a name', async () => {
    const order = orders.get('hua-fee-cancelled')!;
    expect(seeded(await search(operator, `q=${order.orderNo.slice(0, 12).toUpperCase()}`))).toEqual(['hua-fee-cancelled']);
    expect(seeded(await search(operator, `q=${order.orderNo}`))).toEqual(['hua-fee-cancelled']);
    expect(seeded(await search(operator, `q=${students.fang.education_id}`))).toEqual(['fang-fee-paid-wechat', 'fang-topup-refunded']);
    expect(seeded(await search(operator, `q=${encodeURIComponent('小明')}`))).toEqual(['ming-fee-created', 'ming-topup-paid-alipay']);
    // A LIKE wildcard is searched for literally, not as "anything".
    expect(seeded(await search(operator, `q=${encodeURIComponent('%')}`))).toEqual([]);
  });

  it('masks names, adds the education ID and school, and never sends an ID number', async () => {
    const page = await search(operator, `q=${students.ming.education_id}&kind=top_up`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ studentName: '张**', educationId: students.ming.education_id, schoolId: schools.a.id, schoolName: '海淀测试一中', kind: 'top_up', status: 'fulfilled', gateway: 'alipay' });
    const body = JSON.stringify(page);
    expect(body).not.toContain('张小明');
    expect(body).not.toContain(students.ming.id_number);
  });

  it('pages newest first with a stable total', async () => {
    const query = `schoolId=${schools.a.id}&pageSize=3`;
    const first = await d.request('GET', `/admin/orders?${query}&page=1`, operator);
    const second = await d.request('GET', `/admin/orders?${query}&page=2`, operator);
    const [p1, p2] = [first.json() as Page<AdminOrderRow>, second.json() as Page<AdminOrderRow>];
    expect(p1).toMatchObject({ total: 4, page: 1, pageSize: 3 });
    expect(p2).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect([...labelsOf(p1.items), ...labelsOf(p2.items)]).toEqual(['ming-topup-paid-alipay', 'ming-fee-created', 'hua-topup-wechat', 'hua-fee-cancelled']);
    expect((await d.request('GET', '/admin/orders?pageSize=500', operator)).statusCode).toBe(400);
  });

  it("limits a card manager to their own school's orders, whatever school they ask for", async () => {
    const manager = await d.t.factory.newStaff('school_admin', { schoolId: schools.a.id });
    const token = await d.t.factory.loginAs('staff', manager.username, manager.password);
    expect(seeded(await search(token, ''))).toEqual(['hua-fee-cancelled', 'hua-topup-wechat', 'ming-fee-created', 'ming-topup-paid-alipay']);
    expect(seeded(await search(token, `q=${students.fang.education_id}`))).toEqual([]);
    const other = await d.request('GET', `/admin/orders?schoolId=${schools.b.id}`, token);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('ACCESS_DENIED');
    expect((await d.request('GET', `/admin/orders/${idOf('fang-topup-refunded')}`, token)).statusCode).toBe(403);
    expect((await d.request('GET', `/admin/orders/${idOf('ming-topup-paid-alipay')}`, token)).statusCode).toBe(200);
    // Read only: the refund is the card centre's.
    expect((await d.request('POST', `/admin/orders/${idOf('ming-topup-paid-alipay')}/refunds`, token, {})).statusCode).toBe(403);
  });

  it('refuses students, parents and anonymous callers', async () => {
    const student = await d.t.factory.newStudent({ schoolId: schools.a.id });
    const sToken = await d.t.factory.loginAs('student', student.education_id, student.password);
    const parent = await d.t.factory.newParent({ children: [students.ming.id] });
    const pToken = await d.t.factory.loginAs('parent', parent.phone, parent.password);
    for (const token of [sToken, pToken]) {
      for (const url of ['/admin/orders', `/admin/orders/${idOf('ming-topup-paid-alipay')}`, '/admin/balance-refunds']) {
        const res = await d.request('GET', url, token);
        expect(res.statusCode, url).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    expect((await d.request('GET', '/admin/orders')).statusCode).toBe(401);
    expect((await d.request('GET', `/admin/orders/${newId()}`, operator)).statusCode).toBe(404);
  });
});

describe('GET /admin/orders/:orderId', () => {
  it('shows a paid order with its attempt, notification and ledger, then the refund an operator made', async () => {
    const { student, parentToken } = await d.family();
    const order = await d.feeOrder(parentToken, student.id);
    await d.payAtCashier(parentToken, order.id, 'wechat');
    await d.runJobs();

    const before = (await d.request('GET', `/admin/orders/${order.id}`, operator)).json() as AdminOrderDetail;
    expect(before.order).toMatchObject({ id: order.id, status: 'fulfilled', gateway: 'wechat', studentName: '张**', educationId: student.education_id });
    expect(before.refundableFen).toBe(1500);
    expect(before.attempts.map((a) => a.gateway)).toEqual(['wechat']);
    expect(before.notifications.filter((n) => n.outcome === 'processed')).toHaveLength(1);
    expect(before.notifications[0]).toMatchObject({ gateway: 'wechat', verified: true, amountFen: 1500, tradeNo: before.order.gatewayTradeNo });
    expect(before.notifications[0]).not.toHaveProperty('rawBody');
    expect(before.ledger.map((t) => t.type)).toEqual(['fee']);
    expect(before.ledger[0]!.postings).toEqual(expect.arrayContaining([
      { accountCode: accountCodes.clearing('wechat'), debitFen: 1500, creditFen: 0 },
      { accountCode: accountCodes.fees(), debitFen: 0, creditFen: 1500 },
    ]));
    expect(before.refunds).toEqual([]);

    const tooShort = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { amountFen: 500, note: ' x ' });
    expect(tooShort.statusCode).toBe(400);
    const refund = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { amountFen: 500, note: '重复缴费，核实后退回' }, { 'idempotency-key': 'admin-refund-1' });
    expect(refund.statusCode, refund.body).toBe(201);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('after').where('action', '=', 'payments.refund.requested').where('entity_id', '=', (refund.json() as { id: string }).id).executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ note: '重复缴费，核实后退回', amountFen: 500, reason: 'operator' });
    const after = (await d.request('GET', `/admin/orders/${order.id}`, operator)).json() as AdminOrderDetail;
    expect(after.refundableFen).toBe(1000);
    expect(after.order.refundedFen).toBe(500);
    expect(after.refunds).toMatchObject([{ amountFen: 500, reason: 'operator', gateway: 'wechat', status: 'succeeded' }]);
    expect(after.ledger.map((t) => t.type)).toEqual(['fee', 'refund', 'refund']);
    for (const transaction of after.ledger) {
      expect(transaction.postings.reduce((sum, p) => sum + p.debitFen - p.creditFen, 0)).toBe(0);
    }
  });
});

describe('GET /admin/orders/:orderId, an order paid twice', () => {
  it('shows both trades, the automatic refund of the second, and every ledger transaction of both', async () => {
    const { student, parentToken } = await d.family();
    const order = await d.feeOrder(parentToken, student.id);
    const alipay = await d.cashierUrl(parentToken, order.id, 'alipay');
    const wechat = await d.cashierUrl(parentToken, order.id, 'wechat');
    await actAtCashier(alipay, 'pay');
    await actAtCashier(wechat, 'pay');
    await d.runJobs();

    const detail = (await d.request('GET', `/admin/orders/${order.id}`, operator)).json() as AdminOrderDetail;
    expect(detail.attempts.map((a) => a.gateway).sort()).toEqual(['alipay', 'wechat']);
    expect(detail.refunds).toMatchObject([{ reason: 'duplicate_payment', status: 'succeeded', amountFen: 1500 }]);
    const kept = detail.order.gateway!;
    expect(detail.refunds[0]!.gateway).not.toBe(kept);
    // The same transactions the ledger holds for the order, found through their keys.
    const all = await d.ledgerTransactionsOf(order.id);
    expect(detail.ledger.map((t) => t.id).sort()).toEqual(all.map((t) => t.id).sort());
    expect(detail.ledger.map((t) => t.type).sort()).toEqual(['adjustment', 'fee', 'refund']);
  });
});

describe('balance refunds in the console', () => {
  /** Credits a purse the way a paid top-up would (refunded above ¥200 only at an outlet). */
  async function fundPurse(cardId: string, amountFen: number) {
    const purse = await ensureAccount(d.t.ctx.db, d.t.clock, { code: accountCodes.purse(cardId), type: 'purse', ownerId: cardId, actor: systemActor });
    const clearing = await ensureAccount(d.t.ctx.db, d.t.clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor: systemActor });
    await postTransaction(d.t.ctx.db, d.t.clock, { idempotencyKey: `fund-${cardId}`, type: 'top_up', postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }], actor: systemActor });
  }

  it('lists and filters them, masks the holder, scopes card managers, and shows the payout once completed', async () => {
    const cardId = await d.cardOf(students.fang.id);
    await fundPurse(cardId, 32_000);
    const requested = await d.request('POST', '/balance-refunds', operator, { cardId });
    expect(requested.statusCode, requested.body).toBe(201);
    const refundId = (requested.json() as { id: string }).id;

    const list = (await d.request('GET', '/admin/balance-refunds?status=awaiting_outlet', operator)).json() as Page<AdminBalanceRefundRow>;
    const row = list.items.find((r) => r.id === refundId);
    expect(row).toMatchObject({ amountFen: 32_000, route: 'outlet', status: 'awaiting_outlet', studentName: '王**', educationId: students.fang.education_id, schoolName: '朝阳测试二中', gatewayRefunds: 0 });
    expect((await d.request('GET', '/admin/balance-refunds?status=completed', operator)).json().items.map((r: { id: string }) => r.id)).not.toContain(refundId);
    expect((await d.request('GET', `/admin/balance-refunds?q=${students.fang.education_id}`, operator)).json().items.map((r: { id: string }) => r.id)).toEqual([refundId]);

    const managerA = await d.t.factory.newStaff('school_admin', { schoolId: schools.a.id });
    const tokenA = await d.t.factory.loginAs('staff', managerA.username, managerA.password);
    expect((await d.request('GET', '/admin/balance-refunds', tokenA)).json().items.map((r: { id: string }) => r.id)).not.toContain(refundId);
    expect((await d.request('GET', `/admin/balance-refunds/${refundId}`, tokenA)).statusCode).toBe(403);

    const detail = (await d.request('GET', `/admin/balance-refunds/${refundId}`, operator)).json() as AdminBalanceRefundDetail;
    expect(detail.student).toMatchObject({ name: '王**', educationId: students.fang.education_id, schoolName: '朝阳测试二中' });
    expect(detail.student.idNumber).toBe(`${students.fang.id_number.slice(0, 3)}***********${students.fang.id_number.slice(-4)}`);
    expect(detail.payout).toBeNull();

    const done = await d.request('POST', `/admin/balance-refunds/${refundId}/complete`, operator, { outlet: '海淀服务网点', reference: 'CASH-0001' }, { 'idempotency-key': 'outlet-1' });
    expect(done.statusCode, done.body).toBe(200);
    const completed = (await d.request('GET', `/admin/balance-refunds/${refundId}`, operator)).json() as AdminBalanceRefundDetail;
    expect(completed).toMatchObject({ status: 'completed', outlet: '海淀服务网点', outletReference: 'CASH-0001', completedBy: expect.stringContaining('测试') as string });
    expect(completed.payout).toMatchObject({ amountFen: 32_000 });
    expect(await d.purseFen(students.fang.id)).toBe(0);
    await d.expectLedgerClean();
  });
});
