import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GatewayName } from '../../src/modules/payments/payments.tables.js';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * Random sequences of what payers, gateways and operators do — orders, payment attempts at either
 * gateway, paying or walking away at the cashier with the sandbox's switches (duplicate, out of
 * order, late, bad signature), cancels, confirmations, replays of received notifications, clock
 * ticks (expiry) and operator refunds — then everything is let run out (expiry, confirmation of
 * every order, refund retries). Afterwards the ledger check is clean and money is conserved: what
 * the gateways hold for Onecard (paid minus refunded) is exactly what clearing shows, every order
 * kept at most one payment and every other payment was refunded, and nothing is left owed.
 */

let d: PaymentsDriver;
let students: { id: string; education_id: string; password: string }[];
let operatorToken: string;
const minute = 60_000;

beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T00:00:00Z'); // Monday 08:00 in Beijing; the runs stay inside Monday–Tuesday
  students = await Promise.all([d.t.factory.newStudent(), d.t.factory.newStudent()]);
});
afterAll(async () => d.close());

const gateway = fc.constantFrom<GatewayName>('alipay', 'wechat');
const orderIndex = fc.nat({ max: 5 });
/** Payers mostly pay at the cashier; sometimes they walk away (取消). */
const mostlyTrue = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
type Op =
  | { kind: 'create'; student: number; fee: boolean; amountFen: number }
  | { kind: 'pay'; order: number; gateway: GatewayName }
  | { kind: 'cashier'; order: number; gateway: GatewayName; pay: boolean; copies: number; outOfOrder: boolean; late: boolean; bad: boolean }
  | { kind: 'cancel' | 'confirm' | 'refund'; order: number }
  | { kind: 'deliver' }
  | { kind: 'tick'; minutes: number }
  | { kind: 'replay'; pick: number };

const createArb = fc.record({ kind: fc.constant('create' as const), student: fc.nat({ max: 1 }), fee: fc.boolean(), amountFen: fc.constantFrom(100, 5000, 12_345, 100_000) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: createArb },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pay' as const), order: orderIndex, gateway }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('cashier' as const), order: orderIndex, gateway, pay: mostlyTrue, copies: fc.integer({ min: 1, max: 4 }),
      outOfOrder: fc.boolean(), late: fc.boolean(), bad: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'confirm' as const, 'refund' as const), order: orderIndex }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'deliver' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
);

interface RunState {
  tokens: string[];
  orders: { id: string; orderNo: string }[];
  cashierUrls: Map<string, string>;
}

async function apply(op: Op, state: RunState): Promise<void> {
  const order = 'order' in op ? state.orders[op.order % Math.max(1, state.orders.length)] : undefined;
  let status = 200;
  switch (op.kind) {
    case 'create': {
      const res = await d.request('POST', op.fee ? '/orders/fee' : '/orders/top-up', state.tokens[op.student], op.fee ? { studentId: students[op.student]?.id, feeCode: '174011' } : { cardId: await d.cardOf(students[op.student]?.id ?? ''), amountFen: op.amountFen });
      status = res.statusCode;
      if (status === 201) state.orders.push(res.json());
      break;
    }
    case 'pay': {
      if (!order) return;
      const res = await d.request('POST', `/orders/${order.id}/pay`, await ownerToken(state, order.id), { gateway: op.gateway });
      status = res.statusCode;
      if (status === 200) state.cashierUrls.set(`${order.id}:${op.gateway}`, res.json().cashierUrl);
      break;
    }
    case 'cashier': {
      // A payer who is not at the cashier yet taps 支付 first.
      if (order && !state.cashierUrls.has(`${order.id}:${op.gateway}`)) await apply({ kind: 'pay', order: op.order, gateway: op.gateway }, state);
      const url = order && state.cashierUrls.get(`${order.id}:${op.gateway}`);
      if (url) await actAtCashier(url, op.pay ? 'pay' : 'cancel', { copies: op.copies, outOfOrder: op.outOfOrder, lateMs: op.late ? 5 * minute : 0, badSignature: op.bad });
      return;
    }
    case 'cancel':
    case 'confirm':
      if (!order) return;
      status = (await d.request('POST', `/orders/${order.id}/${op.kind}`, await ownerToken(state, order.id))).statusCode;
      break;
    case 'refund':
      if (!order) return;
      status = (await d.request('POST', `/admin/orders/${order.id}/refunds`, operatorToken, {})).statusCode;
      break;
    case 'deliver':
      await d.runJobs();
      return;
    case 'tick':
      d.t.clock.advance(op.minutes * minute);
      await d.runJobs();
      return;
    case 'replay':
      await replay(state, op.pick);
      return;
  }
  expect(status, `${op.kind} answered ${status}`).toBeLessThan(500);
}

async function ownerToken(state: RunState, orderId: string): Promise<string> {
  const row = await d.t.ctx.db.selectFrom('payment_orders').select('student_id').where('id', '=', orderId).executeTakeFirstOrThrow();
  return state.tokens[students.findIndex((s) => s.id === row.student_id)] as string;
}

/** A notification Onecard already received, posted again exactly as it came (a gateway retry, or an attacker's replay). */
async function replay(state: RunState, pick: number): Promise<void> {
  const orderNos = state.orders.map((o) => o.orderNo);
  if (orderNos.length === 0) return;
  const received = await d.t.ctx.db.selectFrom('gateway_notifications').selectAll().where('verified', '=', true).where('order_no', 'in', orderNos).orderBy('id').execute();
  const note = received[pick % Math.max(1, received.length)];
  if (!note) return;
  const res = note.gateway === 'alipay' ? await d.postAlipayNotify(note.raw_body) : await d.postWechatNotify({ headers: note.raw_headers, body: note.raw_body });
  expect(res.statusCode).toBeLessThan(500);
}

async function totals() {
  const sandbox = await d.t.ctx.db.selectFrom('sandbox_payments').select(['gateway', 'status', 'amount_fen', 'refunded_fen']).execute();
  const held = (gw: GatewayName) => sandbox.filter((p) => p.gateway === gw && p.status === 'paid').reduce((sum, p) => sum + p.amount_fen - p.refunded_fen, 0);
  return {
    heldAlipay: held('alipay'),
    heldWechat: held('wechat'),
    clearingAlipay: await d.balanceFen('clearing:alipay'),
    clearingWechat: await d.balanceFen('clearing:wechat'),
    purses: (await d.purseFen(students[0]!.id)) + (await d.purseFen(students[1]!.id)),
    fees: await d.balanceFen('income:fees'),
    refundsPayable: await d.balanceFen('refunds:payable'),
  };
}

/** Lets everything run out: expiry, a confirmation of every order, then refund retries. */
async function drain(state: RunState): Promise<void> {
  d.t.clock.advance(31 * minute);
  await d.runJobs();
  for (const order of state.orders) await d.request('POST', `/orders/${order.id}/confirm`, await ownerToken(state, order.id));
  d.t.clock.advance(2 * minute);
  await d.runJobs();
}

async function checkOrders(state: RunState): Promise<void> {
  for (const order of state.orders) {
    const row = await d.t.ctx.db.selectFrom('payment_orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow();
    const trades = await d.t.ctx.db.selectFrom('sandbox_payments').selectAll().where('out_trade_no', '=', order.orderNo).where('status', '=', 'paid').execute();
    const kept = trades.filter((t) => t.trade_no === row.gateway_trade_no);
    const refundedElsewhere = trades.filter((t) => t.trade_no !== row.gateway_trade_no);
    expect(kept.length, `order ${order.orderNo} keeps at most the one trade it names`).toBe(row.gateway_trade_no ? 1 : 0);
    for (const trade of refundedElsewhere) expect(trade.refunded_fen, `trade ${trade.trade_no} of order ${order.orderNo} was refunded`).toBe(trade.amount_fen);
    if (trades.length === 0) expect(['created', 'paying', 'cancelled', 'expired']).toContain(row.status);
    const credits = await d.ledgerTransactionsOf(order.id);
    expect(credits.filter((t) => t.type === 'top_up' || t.type === 'fee').length).toBe(row.gateway_trade_no ? 1 : 0);
  }
}

it('keeps the ledger clean and money conserved over random payment histories', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(createArb, { minLength: 1, maxLength: 3 }), fc.array(opArb, { minLength: 4, maxLength: 16 }), async (creates, ops) => {
      operatorToken = await d.t.factory.operatorToken();
      const state: RunState = {
        tokens: await Promise.all(students.map((s) => d.t.factory.loginAs('student', s.education_id, s.password))),
        orders: [],
        cashierUrls: new Map(),
      };
      const before = await totals();
      for (const op of [...creates, ...ops]) await apply(op, state);
      await drain(state);
      const after = await totals();

      await d.expectLedgerClean();
      const delta = (key: keyof typeof after) => after[key] - before[key];
      expect(delta('clearingAlipay')).toBe(delta('heldAlipay'));
      expect(delta('clearingWechat')).toBe(delta('heldWechat'));
      expect(delta('refundsPayable')).toBe(0);
      expect(delta('purses') + delta('fees')).toBe(delta('clearingAlipay') + delta('clearingWechat'));
      await checkOrders(state);
    }),
    { numRuns: 30, endOnFailure: true },
  );
  // The histories were not vacuous: duplicates, refused signatures and refunds all happened.
  const outcomes = await d.t.ctx.db.selectFrom('gateway_notifications').select('outcome').distinct().execute();
  expect(outcomes.map((o) => o.outcome)).toEqual(expect.arrayContaining(['processed', 'duplicate', 'rejected']));
  expect(await d.t.ctx.db.selectFrom('payment_refunds').select('id').where('status', '=', 'succeeded').execute()).not.toHaveLength(0);
}, 300_000);
