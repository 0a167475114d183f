import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { returnCard } from '../../src/modules/card-services/return-card.js';
import { transitRepository } from '../../src/modules/transit/transit.repository.js';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
let testNo = 0;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
/** Each test an hour after the previous one (time never runs backwards for the recurring jobs). */
beforeEach(() => {
  d.t.clock.set(new Date(Date.UTC(2026, 10, 23, 1 + testNo++)));
});

async function fundedFamily(amountFen: number) {
  const family = await d.family();
  const cardId = await d.cardOf(family.student.id);
  if (amountFen > 0) {
    const order = await d.topUp(family.parentToken, family.student.id, amountFen);
    await d.payAtCashier(family.parentToken, order.id, 'alipay');
    await d.runJobs();
    expect(await d.purseFen(family.student.id)).toBe(amountFen);
  }
  return { ...family, cardId };
}

const statusOf = async (cardId: string) => (await d.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;
const purseOf = (cardId: string) => d.balanceFen(`purse:${cardId}`);

describe('card return (退卡) with refund', () => {
  it('up to ¥200 the balance goes back through the gateway in the app, and the card is returned', async () => {
    const { cardId, parentToken, student } = await fundedFamily(15_000);
    expect((await d.request('GET', `/cards/${cardId}/return`, parentToken)).json()).toEqual({ cardId, returnable: true, blockedBy: null, balanceFen: 15_000, networkBalanceFen: 0, refundRoute: 'app', inAppLimitFen: 20_000 });
    const res = await d.request('POST', `/cards/${cardId}/return`, parentToken);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ card: { id: cardId, status: 'returned', balanceFen: 0, canTopUp: false }, refund: { amountFen: 15_000, route: 'gateway', status: 'completed' } });
    expect(await purseOf(cardId)).toBe(0);
    const row = await d.t.ctx.db.selectFrom('card_returns').selectAll().where('card_id', '=', cardId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ refund_fen: 15_000, refund_route: 'gateway', returned_by_role: 'parent' });
    const refund = await d.t.ctx.db.selectFrom('balance_refunds').selectAll().where('id', '=', row.balance_refund_id ?? '').executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ student_id: student.id, amount_fen: 15_000, route: 'gateway' });
    // Terminals deny a returned card from the next deny-list.
    const last = await d.t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', cardId).orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(last).toMatchObject({ from_status: 'active', to_status: 'returned', denied: true, reason: 'app' });
    await d.expectLedgerClean();
  });

  it('above ¥200 the balance waits for an operator outlet', async () => {
    const { cardId, studentToken } = await fundedFamily(30_000);
    expect((await d.request('GET', `/cards/${cardId}/return`, studentToken)).json()).toMatchObject({ refundRoute: 'outlet', balanceFen: 30_000 });
    const res = await d.request('POST', `/cards/${cardId}/return`, studentToken);
    expect(res.json()).toMatchObject({ card: { status: 'returned' }, refund: { amountFen: 30_000, route: 'outlet', status: 'awaiting_outlet' } });
    expect(await purseOf(cardId)).toBe(0);
    expect(await d.balanceFen('refunds:payable')).toBeGreaterThanOrEqual(30_000);
    await d.expectLedgerClean();
  });

  it('an operator at an outlet returns it from the console: the refund above ¥200 is an outlet one, and the audit names the operator', async () => {
    const { cardId, student } = await fundedFamily(35_000);
    const operator = await d.t.factory.newStaff('operator');
    const operatorToken = await d.t.factory.loginAs('staff', operator.username, operator.password);
    expect((await d.request('GET', `/cards/${cardId}/return`, operatorToken)).json()).toEqual({ cardId, returnable: true, blockedBy: null, balanceFen: 35_000, networkBalanceFen: 0, refundRoute: 'outlet', inAppLimitFen: 20_000 });
    const res = await d.request('POST', `/cards/${cardId}/return`, operatorToken);
    expect(res.statusCode, res.body).toBe(200);
    const { refund } = res.json() as { refund: { id: string } };
    expect(res.json()).toMatchObject({ card: { status: 'returned', balanceFen: 0 }, refund: { amountFen: 35_000, route: 'outlet', status: 'awaiting_outlet' } });

    const row = await d.t.ctx.db.selectFrom('card_returns').selectAll().where('card_id', '=', cardId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ balance_refund_id: refund.id, refund_fen: 35_000, refund_route: 'outlet', returned_by_role: 'operator', returned_by: operator.id });
    const balanceRefund = await d.t.ctx.db.selectFrom('balance_refunds').selectAll().where('id', '=', refund.id).executeTakeFirstOrThrow();
    expect(balanceRefund).toMatchObject({ student_id: student.id, amount_fen: 35_000, route: 'outlet', status: 'awaiting_outlet', requested_by_role: 'operator', requested_by: operator.id });
    const audit = await d.t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'card_services.return').where('entity_id', '=', cardId).execute();
    expect(audit).toMatchObject([{ actor_role: 'operator', actor_id: operator.id, entity_type: 'card' }]);
    expect(audit[0]!.after).toMatchObject({ returnId: row.id, balanceRefundId: refund.id, refundFen: 35_000, route: 'outlet' });
    // The status history says it was done in the console, by the operator.
    const last = await d.t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', cardId).orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(last).toMatchObject({ to_status: 'returned', reason: 'console', actor_role: 'operator', actor_id: operator.id });
    // It waits in the console's outlet queue for the operator to pay it out.
    const queue = await d.request('GET', `/admin/balance-refunds/${refund.id}`, operatorToken);
    expect(queue.json()).toMatchObject({ id: refund.id, status: 'awaiting_outlet', route: 'outlet' });
    await d.expectLedgerClean();
  });

  it('an empty card is returned with no refund', async () => {
    const { cardId, studentToken } = await fundedFamily(0);
    expect((await d.request('GET', `/cards/${cardId}/return`, studentToken)).json()).toMatchObject({ refundRoute: 'none', balanceFen: 0, returnable: true });
    expect((await d.request('POST', `/cards/${cardId}/return`, studentToken)).json()).toMatchObject({ card: { status: 'returned' }, refund: null });
  });

  it('after a return the student may apply again: the one-active rule counts active cards only', async () => {
    const { cardId, student, studentToken } = await fundedFamily(5_000);
    await expect(d.t.factory.newCard(student.id)).rejects.toMatchObject({ code: 'CARD_ONE_ACTIVE' });
    expect((await d.request('POST', `/cards/${cardId}/return`, studentToken)).statusCode).toBe(200);
    const again = await d.t.factory.newCard(student.id);
    expect(again.status).toBe('active');
    expect(again.id).not.toBe(cardId);
  });

  it('withdraws the card’s top-ups still waiting for a tap: terminals are no longer sent them, and the card shows none waiting', async () => {
    const { cardId, parentToken } = await fundedFamily(4_000);
    const waiting = () => d.t.ctx.db.selectFrom('transit_card_actions').select(['kind', 'amount_fen', 'withdrawn_at', 'withdrawn_reason']).where('card_id', '=', cardId).execute();
    const actionIds = (await d.t.ctx.db.selectFrom('transit_card_actions').select('id').where('card_id', '=', cardId).execute()).map((a) => a.id);
    const listedForTerminals = async () => (await transitRepository.pendingActions(d.t.ctx.db, 0, 100_000)).filter((a) => actionIds.includes(a.id));
    expect(await waiting()).toMatchObject([{ kind: 'top_up', amount_fen: 4_000, withdrawn_at: null }]);
    expect(await listedForTerminals()).toHaveLength(1);
    expect((await d.request('GET', `/cards/${cardId}`, parentToken)).json()).toMatchObject({ pendingTopUpFen: 4_000 });

    expect((await d.request('POST', `/cards/${cardId}/return`, parentToken)).statusCode).toBe(200);
    expect(await waiting()).toMatchObject([{ kind: 'top_up', amount_fen: 4_000, withdrawn_at: expect.any(Date), withdrawn_reason: 'returned' }]);
    expect(await listedForTerminals()).toEqual([]);
    expect((await d.request('GET', `/cards/${cardId}`, parentToken)).json()).toMatchObject({ status: 'returned', pendingTopUpFen: 0 });
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['after']).where('entity_id', '=', cardId).where('action', '=', 'transit.actions_withdrawn').execute();
    expect(audit).toMatchObject([{ after: { reason: 'returned', actions: [{ id: actionIds[0], kind: 'top_up', amountFen: 4_000 }] } }]);
    // The money was in the shadow purse, so the refund carried it back.
    expect(await purseOf(cardId)).toBe(0);
    await d.expectLedgerClean();
  });

  it('happens once, and not to a lost card: nothing is refunded then', async () => {
    const { cardId, studentToken } = await fundedFamily(5_000);
    expect((await d.request('POST', `/cards/${cardId}/return`, studentToken)).statusCode).toBe(200);
    const twice = await d.request('POST', `/cards/${cardId}/return`, studentToken);
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });

    const lost = await fundedFamily(5_000);
    await d.request('POST', `/cards/${lost.cardId}/loss`, lost.studentToken);
    expect((await d.request('GET', `/cards/${lost.cardId}/return`, lost.studentToken)).json()).toMatchObject({ returnable: false, blockedBy: 'CARD_TRANSITION_INVALID' });
    expect((await d.request('POST', `/cards/${lost.cardId}/return`, lost.studentToken)).json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });
    expect(await statusOf(lost.cardId)).toBe('lost');
    expect(await purseOf(lost.cardId)).toBe(5_000);
    expect(await d.t.ctx.db.selectFrom('balance_refunds').select('id').where('purse_code', '=', `purse:${lost.cardId}`).execute()).toEqual([]);
  });

  it('is the holder’s, a parent’s or an operator’s to do; a card manager or a stranger is refused', async () => {
    const { cardId, student } = await fundedFamily(0);
    const school = await d.t.ctx.db.selectFrom('students').select('school_id').where('id', '=', student.id).executeTakeFirstOrThrow();
    const manager = await d.t.factory.newStaff('school_admin', { schoolId: school.school_id });
    const managerToken = await d.t.factory.loginAs('staff', manager.username, manager.password);
    expect((await d.request('POST', `/cards/${cardId}/return`, managerToken)).statusCode).toBe(403);
    // The quote the manager may read says so too, rather than offering a return they cannot make.
    expect((await d.request('GET', `/cards/${cardId}/return`, managerToken)).json()).toMatchObject({ returnable: false, blockedBy: 'CARD_RETURN_ROLE' });
    const stranger = await d.family();
    expect((await d.request('POST', `/cards/${cardId}/return`, stranger.parentToken)).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect(await statusOf(cardId)).toBe('active');
    const operator = await d.t.factory.operatorToken();
    expect((await d.request('POST', `/cards/${cardId}/return`, operator)).json()).toMatchObject({ card: { status: 'returned' } });
  });

  it('runs inside a caller’s transaction (helper F’s e-card return): a later failure there undoes the return and the refund', async () => {
    const { cardId, student } = await fundedFamily(5_000);
    const caller = { sessionId: 'x', role: 'student' as const, loginKind: 'student' as const, subjectId: student.id, schoolId: null };
    await expect(d.t.ctx.db.transaction().execute(async (tx) => {
      const result = await returnCard({ ...d.t.ctx, db: tx }, caller, cardId, 'req-1');
      expect(result.card.status).toBe('returned');
      throw new Error('the caller failed afterwards');
    })).rejects.toThrow('the caller failed afterwards');
    expect(await statusOf(cardId)).toBe('active');
    expect(await purseOf(cardId)).toBe(5_000);
    expect(await d.t.ctx.db.selectFrom('card_returns').select('id').where('card_id', '=', cardId).execute()).toEqual([]);
  });
});
