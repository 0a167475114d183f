import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, balanceOf, checkLedger, findAccountByCode } from '../../src/modules/ledger/ledger.js';
import { operatorSlug } from '../../src/modules/transit/settle-batch.js';
import { deliverToMeter } from '../../src/modules/campus/dorm-electricity.js';
import { newId } from '../../src/platform/ids.js';
import { beijingMidnight, shanghaiDate } from '../../src/domain/calendar.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDatabaseKind } from '../support/databases.js';
import { registerTerminal } from '../support/terminals.js';
import { fund } from '../support/money.js';
import { purseFen as purseBalance } from './ecards-support.js';

/** Campus payments (seed 004; domain rules "Campus payments"): payment codes, the canteen POS and its limit, hot water. */

let t: TestApp;
let operator: string;
/** The university whose canteen and dorms the terminals serve. */
let campusId: string;
beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
  campusId = (await t.factory.newSchool({ stage: 'university' })).id;
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A terminal of the campus (a bus validator: of no school), signed in with its own secret. */
const terminal = (kind: 'pos' | 'reader' | 'bus_validator', operatorName = '一食堂') => registerTerminal(t, { kind, operatorName, schoolId: kind === 'bus_validator' ? null : campusId });

/** A university student (of the terminals' university unless told) with a funded campus card, signed in. */
async function undergraduate(balanceFen = 10_000, schoolId = campusId) {
  const queryPassword = '246813';
  const student = await t.factory.newStudent({ schoolId, name: '食堂测试生', queryPassword });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  if (balanceFen > 0) await fund(t, card.id, balanceFen);
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  // The consumption password starts as the last six of the ID number, and stays so here.
  const initial = student.id_number.replace(/X$/, '').slice(-6);
  return { student, card, token, initial, queryPassword };
}

const buy = (pos: { id: string; token: string }, body: Record<string, unknown>, ip = '10.20.0.1') =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases`, remoteAddress: ip, headers: auth(pos.token), payload: body });
const purseFen = (cardId: string) => purseBalance(t, cardId);
/** What the canteen has taken in: the sum of its windows' tills (each opened at its window's first sale). */
async function canteenFen(operatorName = '一食堂'): Promise<number> {
  const tills = await t.ctx.db.selectFrom('ledger_accounts').select('id').where('code', 'like', `${accountCodes.merchant(operatorSlug(operatorName))}:%`).execute();
  let fen = 0;
  for (const till of tills) fen += (await balanceOf(t.ctx.db, till.id)).postedFen;
  return fen;
}

describe('the canteen POS', () => {
  it('charges a card read at the counter, once per purchase id, into the merchant’s account', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos');
    const before = await canteenFen();
    const res = await buy(pos, { purchaseId: 'P-20261206-0001', amountFen: 1_250, cardNo: u.card.card_no });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ purchaseId: 'P-20261206-0001', amountFen: 1_250, balanceAfterFen: 8_750, method: 'card', pinChecked: false, holderNameMasked: '食****' });
    expect(res.body).not.toContain('食堂测试生');
    // The POS lost the answer and asks again: the same purchase, not a second charge.
    const again = await buy(pos, { purchaseId: 'P-20261206-0001', amountFen: 1_250, cardNo: u.card.card_no });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(res.json());
    expect(await purseFen(u.card.id)).toBe(8_750);
    // The same id for another amount is another purchase: refused, nothing charged.
    expect((await buy(pos, { purchaseId: 'P-20261206-0001', amountFen: 900, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_PURCHASE_CONFLICT' } });
    expect(await purseFen(u.card.id)).toBe(8_750);
    expect(await canteenFen()).toBe(before + 1_250);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', u.card.id).where('action', '=', 'campus.purchase').execute();
    expect(audit).toEqual([{ action: 'campus.purchase', actor_role: 'terminal' }]);
    // Each window takes in on a till of its own (windows do not queue on one account at lunch); the canteen's takings are their sum.
    const window2 = await terminal('pos');
    expect((await buy(window2, { purchaseId: 'P-20261206-0002', amountFen: 800, cardNo: u.card.card_no })).statusCode).toBe(201);
    const tillFen = async (posId: string) => (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, accountCodes.till(operatorSlug('一食堂'), posId))).id)).postedFen;
    expect([await tillFen(pos.id), await tillFen(window2.id)]).toEqual([1_250, 800]);
    expect(await canteenFen()).toBe(before + 2_050);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('asks for the consumption password above the student’s limit; a wrong one is refused, counted and charges nothing', async () => {
    const u = await undergraduate(20_000);
    const pos = await terminal('pos');
    // ¥50.00 is the default limit: at it, no password.
    expect((await buy(pos, { purchaseId: 'LIMIT-0001', amountFen: 5_000, cardNo: u.card.card_no })).json()).toMatchObject({ pinChecked: false });
    const over = { purchaseId: 'LIMIT-0002', amountFen: 5_001, cardNo: u.card.card_no };
    const needPin = await buy(pos, over);
    expect(needPin.statusCode).toBe(403);
    expect(needPin.json()).toMatchObject({ error: { code: 'CONSUMPTION_PIN_REQUIRED', message: '超过单笔消费限额，请输入消费密码' } });
    for (let i = 0; i < 5; i++) expect((await buy(pos, { ...over, consumptionPin: '975310' })).json()).toMatchObject({ error: { code: 'CONSUMPTION_PIN_WRONG' } });
    expect((await buy(pos, { ...over, consumptionPin: u.initial })).json()).toMatchObject({ error: { code: 'AUTH_THROTTLED' } });
    expect(await purseFen(u.card.id)).toBe(15_000);
    // Another till, the initial consumption password (the last six of the ID number): paid.
    const ok = await buy(pos, { ...over, consumptionPin: u.initial }, '10.20.0.2');
    expect(ok.json()).toMatchObject({ amountFen: 5_001, pinChecked: true, balanceAfterFen: 9_999 });
  });

  it('refuses a purchase the balance cannot cover, a lost card, another kind of terminal and bad input, charging nothing', async () => {
    const u = await undergraduate(1_000);
    const pos = await terminal('pos');
    const short = await buy(pos, { purchaseId: 'SHORT-0001', amountFen: 1_001, cardNo: u.card.card_no });
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await t.ctx.db.selectFrom('campus_purchases').select('id').where('pos_purchase_id', '=', 'SHORT-0001').execute()).toEqual([]);

    expect((await buy(pos, { purchaseId: 'BAD-00001', amountFen: 100 })).json()).toMatchObject({ error: { code: 'CAMPUS_PAYMENT_METHOD' } });
    expect((await buy(pos, { purchaseId: 'BAD-00002', amountFen: 0, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await buy(pos, { purchaseId: 'BAD-00003', amountFen: 100, cardNo: '00000000000' })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_USABLE' } });
    const bus = await terminal('bus_validator', '北京公交');
    expect((await buy(bus, { purchaseId: 'BUS-00001', amountFen: 100, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_TERMINAL_KIND' } });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${bus.id}/purchases`, headers: auth(pos.token), payload: { purchaseId: 'X-0000001', amountFen: 1, cardNo: u.card.card_no } })).json()).toMatchObject({ error: { code: 'TERMINAL_NOT_YOURS' } });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases`, headers: auth(u.token), payload: { purchaseId: 'X-0000002', amountFen: 1, cardNo: u.card.card_no } })).statusCode).toBe(403);

    // 挂失: the card pays nothing more.
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/cards/${u.card.id}/loss`, headers: auth(u.token) })).statusCode).toBe(200);
    expect((await buy(pos, { purchaseId: 'LOST-0001', amountFen: 100, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_USABLE', details: { status: 'lost' } } });
    expect(await purseFen(u.card.id)).toBe(1_000);
  });
});

describe('the canteen POS, more', () => {
  it('answers a retry with the first receipt even after later purchases; another method under the same id is refused', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos');
    const first = await buy(pos, { purchaseId: 'RECEIPT-0001', amountFen: 1_000, cardNo: u.card.card_no });
    await buy(pos, { purchaseId: 'RECEIPT-0002', amountFen: 2_000, cardNo: u.card.card_no });
    const retried = await buy(pos, { purchaseId: 'RECEIPT-0001', amountFen: 1_000, cardNo: u.card.card_no });
    expect(retried.json()).toEqual(first.json());
    expect(retried.json().balanceAfterFen).toBe(9_000);
    const code = (await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: auth(u.token), payload: { queryPassword: u.queryPassword } })).json().code as string;
    expect((await buy(pos, { purchaseId: 'RECEIPT-0001', amountFen: 1_000, paymentCode: code })).json()).toMatchObject({ error: { code: 'CAMPUS_PURCHASE_CONFLICT' } });
  });

  it('takes its own university’s cards only; campus terminals must name a university, transit ones none', async () => {
    const pos = await terminal('pos');
    const elsewhere = await undergraduate(10_000, (await t.factory.newSchool({ stage: 'university' })).id);
    expect((await buy(pos, { purchaseId: 'OTHER-0001', amountFen: 100, cardNo: elsewhere.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_OTHER_SCHOOL' } });
    expect(await purseFen(elsewhere.card.id)).toBe(10_000);
    const register = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/admin/terminals', headers: auth(operator), payload: { code: `REG-${newId().slice(-12)}`, operator: '一食堂', ...payload } });
    expect((await register({ kind: 'pos' })).json()).toMatchObject({ error: { code: 'TERMINAL_SCHOOL_REQUIRED' } });
    expect((await register({ kind: 'reader', schoolId: (await t.factory.newSchool({ stage: 'middle' })).id })).json()).toMatchObject({ error: { code: 'TERMINAL_SCHOOL_INVALID' } });
    expect((await register({ kind: 'bus_validator', schoolId: campusId })).json()).toMatchObject({ error: { code: 'TERMINAL_SCHOOL_INVALID' } });
    expect((await register({ kind: 'pos', schoolId: campusId })).json()).toMatchObject({ kind: 'pos', schoolId: campusId });
  });

  it('charges once when two tills race on one payment code, and once when a purchase id races its retry', async () => {
    const u = await undergraduate();
    const [a, b] = [await terminal('pos'), await terminal('pos')];
    const code = (await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: auth(u.token), payload: { queryPassword: u.queryPassword } })).json().code as string;
    const raced = await Promise.all([buy(a, { purchaseId: 'RACE-A-001', amountFen: 700, paymentCode: code }), buy(b, { purchaseId: 'RACE-B-001', amountFen: 700, paymentCode: code })]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(raced.find((r) => r.statusCode === 422)!.json()).toMatchObject({ error: { code: 'CAMPUS_PAYMENT_CODE_INVALID' } });
    const retried = await Promise.all([1, 2, 3].map(() => buy(a, { purchaseId: 'RACE-A-002', amountFen: 300, cardNo: u.card.card_no })));
    expect(retried.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(retried.map((r) => r.body)).size).toBe(1);
    expect(await purseFen(u.card.id)).toBe(10_000 - 700 - 300);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('never overspends a card that tills charge at once: the card’s lock and the purse’s floor decide, one purchase after another', async () => {
    const u = await undergraduate(1_000);
    const tills = await Promise.all(Array.from({ length: 6 }, () => terminal('pos')));
    const raced = await Promise.all(tills.map((pos, i) => buy(pos, { purchaseId: `RUSH-${i}-0001`, amountFen: 300, cardNo: u.card.card_no })));
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 422, 422, 422]);
    for (const refused of raced.filter((r) => r.statusCode === 422)) expect(refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    // Each receipt prints the balance its own purchase left: 700, 400 and 100, in some order.
    expect(raced.filter((r) => r.statusCode === 201).map((r) => r.json().balanceAfterFen).sort()).toEqual([100, 400, 700]);
    expect(await purseFen(u.card.id)).toBe(100);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('checks a consumption password set at the kiosk, audits every wrong one, and the kiosk’s new password lifts the lock', async () => {
    const u = await undergraduate(20_000);
    const pos = await terminal('pos');
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: campusId });
    const kioskToken = await t.factory.loginAs('staff', kiosk.username, kiosk.password);
    const over = { amountFen: 6_000, cardNo: u.card.card_no };
    for (let i = 0; i < 5; i++) await buy(pos, { ...over, purchaseId: `KIOSK-${i}-0000`, consumptionPin: '975310' });
    expect((await buy(pos, { ...over, purchaseId: 'KIOSK-5-0000', consumptionPin: u.initial })).json()).toMatchObject({ error: { code: 'AUTH_THROTTLED' } });
    const failures = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'campus.consumption_pin.failed').execute();
    expect(failures).toHaveLength(5);
    expect(JSON.stringify(failures)).not.toContain('975310');
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/kiosk/students/${u.student.id}/consumption-pin`, headers: auth(kioskToken), payload: { newPin: '246813' } })).statusCode).toBe(204);
    // The initial password no longer pays; the new one does, at once.
    expect((await buy(pos, { ...over, purchaseId: 'KIOSK-6-0000', consumptionPin: u.initial })).json()).toMatchObject({ error: { code: 'CONSUMPTION_PIN_WRONG' } });
    expect((await buy(pos, { ...over, purchaseId: 'KIOSK-7-0000', consumptionPin: '246813' })).json()).toMatchObject({ pinChecked: true, balanceAfterFen: 14_000 });
  });
});

describe('canteen refunds (撤销 and 退款)', () => {
  const cancel = (pos: { id: string; token: string }, purchaseId: string) => t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases/${purchaseId}/cancel`, headers: auth(pos.token) });
  const refund = (token: string, id: string, reason: unknown, key = `refund-${id}-${Math.random()}`) =>
    t.app.inject({ method: 'POST', url: `/api/v1/admin/campus/purchases/${id}/refund`, headers: { ...auth(token), 'idempotency-key': key }, payload: { reason } });
  const purchaseRow = (posId: string, purchaseId: string) => t.ctx.db.selectFrom('campus_purchases').selectAll().where('terminal_id', '=', posId).where('pos_purchase_id', '=', purchaseId).executeTakeFirstOrThrow();

  it('the POS cancels its own purchase the same day, once; the money goes back to the card; another POS or another day cannot', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos', '撤销食堂');
    const before = await canteenFen('撤销食堂');
    expect((await buy(pos, { purchaseId: 'UNDO-00000001', amountFen: 1_800, cardNo: u.card.card_no })).statusCode).toBe(201);
    expect((await cancel(await terminal('pos', '撤销食堂'), 'UNDO-00000001')).json()).toMatchObject({ error: { code: 'CAMPUS_PURCHASE_UNKNOWN' } });
    const undone = await cancel(pos, 'UNDO-00000001');
    expect(undone.statusCode, undone.body).toBe(200);
    expect(undone.json()).toMatchObject({ purchaseId: 'UNDO-00000001', amountFen: 1_800, balanceAfterFen: 10_000 });
    // Asked again (the answer was lost): the same refund, not a second one.
    expect((await cancel(pos, 'UNDO-00000001')).json()).toEqual(undone.json());
    expect(await purseFen(u.card.id)).toBe(10_000);
    expect(await canteenFen('撤销食堂')).toBe(before);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('entity_id', '=', u.card.id).where('action', '=', 'campus.purchase.refunded').execute();
    expect(audit).toEqual([{ actor_role: 'terminal', after: expect.objectContaining({ purchaseId: 'UNDO-00000001', amountFen: 1_800 }) }]);

    // A purchase of yesterday (Beijing): the till cannot undo it.
    expect((await buy(pos, { purchaseId: 'UNDO-00000002', amountFen: 700, cardNo: u.card.card_no })).statusCode).toBe(201);
    await t.ctx.db.updateTable('campus_purchases').set({ at: new Date(t.clock.now().getTime() - 24 * 3600_000) }).where('terminal_id', '=', pos.id).where('pos_purchase_id', '=', 'UNDO-00000002').execute();
    const late = await cancel(pos, 'UNDO-00000002');
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'CAMPUS_REFUND_NOT_TODAY', message: '消费机只能撤销当天的消费，之前的请到校园卡服务中心办理退款' } });
    expect(await purseFen(u.card.id)).toBe(9_300);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('the university’s card manager or an operator refunds any day, with a reason, once; a replaced card’s purchase goes to its replacement, a returned card’s to the service centre', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos', '退款食堂');
    const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const stranger = await t.factory.newStaff('school_admin', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const strangerToken = await t.factory.loginAs('staff', stranger.username, stranger.password);
    expect((await buy(pos, { purchaseId: 'REFUND-0000001', amountFen: 2_500, cardNo: u.card.card_no })).statusCode).toBe(201);
    const id = (await purchaseRow(pos.id, 'REFUND-0000001')).id;

    const listed = await t.app.inject({ url: `/api/v1/admin/campus/purchases?cardNo=${u.card.card_no}`, headers: auth(managerToken) });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ total: 1, items: [{ id, purchaseId: 'REFUND-0000001', merchant: '退款食堂', schoolName: expect.any(String), studentNameMasked: '食****', amountFen: 2_500, refundedAt: null }] });
    expect(listed.body).not.toContain(u.card.card_no);
    expect((await t.app.inject({ url: `/api/v1/admin/campus/purchases?cardNo=${u.card.card_no}`, headers: auth(strangerToken) })).json()).toMatchObject({ total: 0 });

    expect((await refund(strangerToken, id, '打错菜')).statusCode).toBe(403);
    expect((await refund(managerToken, id, '')).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await purseFen(u.card.id)).toBe(7_500);
    const done = await refund(managerToken, id, '打错菜');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ id, refundReason: '打错菜', refundedAt: expect.any(String) });
    expect(await purseFen(u.card.id)).toBe(10_000);
    expect((await refund(operator, id, '再退一次')).json()).toMatchObject({ error: { code: 'CAMPUS_PURCHASE_REFUNDED' } });
    expect(await purseFen(u.card.id)).toBe(10_000);
    expect(await purchaseRow(pos.id, 'REFUND-0000001')).toMatchObject({ refunded_by_role: 'school_admin', refunded_by_id: manager.id, refund_reason: '打错菜' });

    // Two refunds racing, and the till's 撤销 after a console refund: one refund, the others refused.
    expect((await buy(pos, { purchaseId: 'REFUND-0000003', amountFen: 500, cardNo: u.card.card_no })).statusCode).toBe(201);
    const third = (await purchaseRow(pos.id, 'REFUND-0000003')).id;
    const raced = await Promise.all([refund(managerToken, third, '重复刷卡'), refund(operator, third, '重复刷卡')]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await cancel(pos, 'REFUND-0000003')).json()).toMatchObject({ error: { code: 'CAMPUS_PURCHASE_REFUNDED' } });
    expect(await purseFen(u.card.id)).toBe(10_000);

    // The card was replaced since (补卡, twice): its balance moved on, and the refund follows it to the card in use.
    expect((await buy(pos, { purchaseId: 'REFUND-0000002', amountFen: 900, cardNo: u.card.card_no })).statusCode).toBe(201);
    expect((await buy(pos, { purchaseId: 'REFUND-0000004', amountFen: 300, cardNo: u.card.card_no })).statusCode).toBe(201);
    // 补卡 at the kiosk, twice (¥16 each from the balance, which moves to the new card).
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: campusId });
    const kioskToken = await t.factory.loginAs('staff', kiosk.username, kiosk.password);
    const replace = async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/kiosk/campus-card-replacements', headers: auth(kioskToken), payload: { idNumber: u.student.id_number } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().newCard as { id: string };
    };
    await replace();
    const current = await replace();
    expect(await purseFen(u.card.id)).toBe(0);
    expect(await purseFen(current.id)).toBe(8_800 - 2 * 1_600);
    const followed = await refund(operator, (await purchaseRow(pos.id, 'REFUND-0000002')).id, '打错菜');
    expect(followed.statusCode, followed.body).toBe(200);
    expect(await purseFen(current.id)).toBe(5_600 + 900);
    expect(await purseFen(u.card.id)).toBe(0);
    const moved = await t.ctx.db.selectFrom('audit_log').select('after').where('action', '=', 'campus.purchase.refunded').where('entity_id', '=', u.card.id).orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(moved.after).toMatchObject({ amountFen: 900, toCardId: current.id });
    // A refund out of the canteen's account, not a reversal: the purchase itself stands.
    const refundTxn = await t.ctx.db.selectFrom('ledger_transactions').select(['type', 'reverses_id']).where('id', '=', (await purchaseRow(pos.id, 'REFUND-0000002')).refund_ledger_transaction_id!).executeTakeFirstOrThrow();
    expect(refundTxn).toEqual({ type: 'refund', reverses_id: null });
    // Returned (the student left): nothing to refund it to here; the service centre does it.
    const left = await t.app.inject({ method: 'POST', url: `/api/v1/cards/${current.id}/return`, headers: auth(u.token) });
    expect(left.statusCode, left.body).toBe(200);
    const closed = await refund(operator, (await purchaseRow(pos.id, 'REFUND-0000004')).id, '打错菜');
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ error: { code: 'CAMPUS_REFUND_CARD_CLOSED' } });
    expect(await purseFen(current.id)).toBe(0);
    // The student moves to another university: the purchases stay the canteen's school's to see and refund.
    await t.ctx.db.updateTable('students').set({ school_id: (await t.factory.newSchool({ stage: 'university' })).id }).where('id', '=', u.student.id).execute();
    expect((await t.app.inject({ url: `/api/v1/admin/campus/purchases?cardNo=${u.card.card_no}`, headers: auth(managerToken) })).json()).toMatchObject({ total: 4 });
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});

describe('the initial query password (the last six of the ID number)', () => {
  it('signs the student in but is refused by every flow that asks for the query password, which then changes nothing', async () => {
    const student = await t.factory.newStudent({ schoolId: campusId });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(t, card.id, 10_000);
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const initial = student.id_number.replace(/X$/, '').slice(-6);
    const room = (await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/rooms', headers: auth(operator), payload: { schoolId: campusId, building: '学8楼', roomNo: `${process.pid % 1000}`, meterNo: `M-INIT-${process.pid}` } })).json() as { id: string };
    const flows: [string, 'POST' | 'PUT', string, Record<string, unknown>][] = [
      ['payment code', 'POST', '/api/v1/campus/payment-codes', { queryPassword: initial }],
      ['purchase limit', 'PUT', '/api/v1/campus/purchase-limit', { limitFen: 10_000, queryPassword: initial }],
      ['electricity', 'POST', '/api/v1/campus/electricity', { roomId: room.id, amountFen: 1_000, queryPassword: initial }],
      ['network top-up', 'POST', '/api/v1/campus/network/top-ups', { amountFen: 500, queryPassword: initial }],
      ['card top-up order', 'POST', '/api/v1/orders/top-up', { cardId: card.id, amountFen: 5_000, queryPassword: initial }],
    ];
    for (const [flow, method, url, payload] of flows) {
      const res = await t.app.inject({ method, url, headers: auth(token), payload });
      expect(res.statusCode, flow).toBe(403);
      expect(res.json(), flow).toMatchObject({ error: { code: 'QUERY_PASSWORD_INITIAL' } });
    }
    // Nothing moved or changed.
    expect(await purseFen(card.id)).toBe(10_000);
    expect(await t.ctx.db.selectFrom('campus_payment_codes').select('code').where('card_id', '=', card.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('students').select('campus_purchase_limit_fen').where('id', '=', student.id).executeTakeFirstOrThrow()).toEqual({ campus_purchase_limit_fen: 5_000 });
    expect(await t.ctx.db.selectFrom('campus_electricity_purchases').select('id').where('student_id', '=', student.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('payment_orders').select('id').where('card_id', '=', card.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('ledger_accounts').select('id').where('code', '=', accountCodes.network(student.id)).execute()).toEqual([]);
    // A wrong password is still just wrong: the refusal says nothing until the initial one matched.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: auth(token), payload: { queryPassword: '975310' } })).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
  });
});

describe('the payment code (消费认证码)', () => {
  const issue = (token: string, queryPassword: string) => t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: auth(token), payload: { queryPassword } });

  it('is given for the query password, pays once within a minute, and a new one ends the old', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos');
    expect((await issue(u.token, '975310')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    const first = await issue(u.token, u.queryPassword);
    expect(first.statusCode, first.body).toBe(201);
    const { code, expiresAt, balanceFen, purchaseLimitFen } = first.json() as { code: string; expiresAt: string; balanceFen: number; purchaseLimitFen: number };
    expect(code).toMatch(/^28\d{16}$/);
    expect(new Date(expiresAt).getTime() - t.clock.now().getTime()).toBe(60_000);
    expect(first.json().validForSeconds).toBe(60);
    expect({ balanceFen, purchaseLimitFen }).toEqual({ balanceFen: 10_000, purchaseLimitFen: 5_000 });

    const second = (await issue(u.token, u.queryPassword)).json().code as string;
    expect((await buy(pos, { purchaseId: 'CODE-0001', amountFen: 800, paymentCode: code })).json()).toMatchObject({ error: { code: 'CAMPUS_PAYMENT_CODE_INVALID' } });
    const paid = await buy(pos, { purchaseId: 'CODE-0002', amountFen: 800, paymentCode: second });
    expect(paid.json()).toMatchObject({ method: 'payment_code', amountFen: 800, balanceAfterFen: 9_200 });
    // Its retry answers the same purchase; the code itself pays nothing more.
    expect((await buy(pos, { purchaseId: 'CODE-0002', amountFen: 800, paymentCode: second })).json()).toEqual(paid.json());
    expect((await buy(pos, { purchaseId: 'CODE-0003', amountFen: 800, paymentCode: second })).json()).toMatchObject({ error: { code: 'CAMPUS_PAYMENT_CODE_INVALID' } });

    const third = (await issue(u.token, u.queryPassword)).json().code as string;
    t.clock.advance(60_001);
    expect((await buy(pos, { purchaseId: 'CODE-0004', amountFen: 800, paymentCode: third })).json()).toMatchObject({ error: { code: 'CAMPUS_PAYMENT_CODE_INVALID' } });
    expect(await purseFen(u.card.id)).toBe(9_200);
  });

  it('is for campus card holders: a K-12 student, a parent and a lost card get none', async () => {
    const k12 = await t.factory.newStudent();
    await t.factory.newCard(k12.id);
    expect((await issue(await t.factory.loginAs('student', k12.education_id, k12.password), '135790')).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
    const parent = await t.factory.newParent({ children: [k12.id] });
    expect((await issue(await t.factory.loginAs('parent', parent.phone, parent.password), '135790')).statusCode).toBe(403);
    const u = await undergraduate();
    await t.app.inject({ method: 'POST', url: `/api/v1/cards/${u.card.id}/loss`, headers: auth(u.token) });
    expect((await issue(u.token, u.queryPassword)).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
  });

  it('a code shown before the loss report pays nothing after it', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos');
    const code = (await issue(u.token, u.queryPassword)).json().code as string;
    await t.app.inject({ method: 'POST', url: `/api/v1/cards/${u.card.id}/loss`, headers: auth(u.token) });
    expect((await buy(pos, { purchaseId: 'LOSTCODE-1', amountFen: 100, paymentCode: code })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_USABLE' } });
  });
});

describe('the per-purchase limit (单笔限额)', () => {
  it('the student sets it with the query password, within ¥0–¥1000; the POS follows it', async () => {
    const u = await undergraduate();
    const pos = await terminal('pos');
    const set = (limitFen: number, queryPassword = u.queryPassword) => t.app.inject({ method: 'PUT', url: '/api/v1/campus/purchase-limit', headers: auth(u.token), payload: { limitFen, queryPassword } });
    expect((await t.app.inject({ url: '/api/v1/campus/purchase-limit', headers: auth(u.token) })).json()).toEqual({ limitFen: 5_000, maxFen: 100_000, dailyLimitFen: null, spentTodayFen: 0 });
    expect((await set(100_001)).json()).toMatchObject({ error: { code: 'CAMPUS_LIMIT_INVALID' } });
    expect((await set(2_000, '975310')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect((await set(2_000)).json()).toEqual({ limitFen: 2_000, maxFen: 100_000, dailyLimitFen: null, spentTodayFen: 0 });
    expect((await buy(pos, { purchaseId: 'LIM-000001', amountFen: 2_001, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CONSUMPTION_PIN_REQUIRED' } });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'campus.purchase_limit.set').execute();
    expect(audit).toEqual([{ before: { limitFen: 5_000 }, after: { limitFen: 2_000 } }]);
  });
});

describe('the daily limit a parent sets (每日消费限额)', () => {
  const limitPath = (studentId: string) => `/api/v1/me/children/${studentId}/campus-daily-limit`;
  const setLimit = (token: string, studentId: string, limitFen: unknown) => t.app.inject({ method: 'PUT', url: limitPath(studentId), headers: auth(token), payload: { limitFen } });
  const cancel = (pos: { id: string; token: string }, purchaseId: string) => t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases/${purchaseId}/cancel`, headers: auth(pos.token) });
  async function parentOf(studentId: string) {
    const parent = await t.factory.newParent({ children: [studentId] });
    return { ...parent, token: await t.factory.loginAs('parent', parent.phone, parent.password) };
  }
  const purchaseCount = async (cardId: string) => (await t.ctx.db.selectFrom('campus_purchases').select('id').where('card_id', '=', cardId).execute()).length;

  it('the canteen refuses what would take the Beijing day past it, charging nothing; a cancelled purchase and the next day make room', async () => {
    const u = await undergraduate(20_000);
    const parent = await parentOf(u.student.id);
    const pos = await terminal('pos');
    expect((await t.app.inject({ url: limitPath(u.student.id), headers: auth(parent.token) })).json()).toEqual({ limitFen: null, spentTodayFen: 0, minFen: 100, maxFen: 100_000 });
    const set = await setLimit(parent.token, u.student.id, 3_000);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ limitFen: 3_000, spentTodayFen: 0, minFen: 100, maxFen: 100_000 });

    expect((await buy(pos, { purchaseId: 'DAY-00000001', amountFen: 2_000, cardNo: u.card.card_no })).statusCode).toBe(201);
    const over = await buy(pos, { purchaseId: 'DAY-00000002', amountFen: 1_500, cardNo: u.card.card_no });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({ error: { code: 'CAMPUS_DAILY_LIMIT', message: expect.stringContaining('每日消费限额'), messageEn: expect.stringContaining('daily limit'), details: { limitFen: 3_000, spentTodayFen: 2_000, leftFen: 1_000 } } });
    expect(await purseFen(u.card.id)).toBe(18_000);
    expect(await purchaseCount(u.card.id)).toBe(1);
    // Up to the limit exactly is allowed; the student sees the limit and the day's spending.
    expect((await buy(pos, { purchaseId: 'DAY-00000003', amountFen: 1_000, cardNo: u.card.card_no })).statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/campus/purchase-limit', headers: auth(u.token) })).json()).toMatchObject({ dailyLimitFen: 3_000, spentTodayFen: 3_000 });
    expect((await buy(pos, { purchaseId: 'DAY-00000004', amountFen: 1, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_DAILY_LIMIT', details: { leftFen: 0 } } });
    // The till cancels the first purchase: it no longer counts.
    expect((await cancel(pos, 'DAY-00000001')).statusCode).toBe(200);
    expect((await buy(pos, { purchaseId: 'DAY-00000005', amountFen: 1_500, cardNo: u.card.card_no })).statusCode).toBe(201);
    // The day is the Beijing day: a purchase at 23:59 yesterday no longer counts, one at 00:00 today does.
    const midnight = beijingMidnight(shanghaiDate(t.clock.now()));
    const movePurchase = (purchaseId: string, at: Date) => t.ctx.db.updateTable('campus_purchases').set({ at }).where('terminal_id', '=', pos.id).where('pos_purchase_id', '=', purchaseId).execute();
    await movePurchase('DAY-00000005', new Date(midnight.getTime() - 60_000));
    await movePurchase('DAY-00000003', midnight);
    expect((await t.app.inject({ url: limitPath(u.student.id), headers: auth(parent.token) })).json()).toMatchObject({ limitFen: 3_000, spentTodayFen: 1_000 });
    expect((await buy(pos, { purchaseId: 'DAY-00000006', amountFen: 2_001, cardNo: u.card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_DAILY_LIMIT', details: { spentTodayFen: 1_000, leftFen: 2_000 } } });
    expect((await buy(pos, { purchaseId: 'DAY-00000007', amountFen: 2_000, cardNo: u.card.card_no })).statusCode).toBe(201);
    expect(await purseFen(u.card.id)).toBe(20_000 - 1_000 - 1_500 - 2_000);

    const audit = await t.ctx.db.selectFrom('audit_log').select(['actor_role', 'actor_id', 'before', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'campus.daily_limit.set').execute();
    expect(audit).toEqual([{ actor_role: 'parent', actor_id: parent.id, before: null, after: { limitFen: 3_000, setByParentId: parent.id } }]);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('two tills charging at once cannot both slip under it (the check runs under the purchase’s locks)', async () => {
    const u = await undergraduate(20_000);
    const parent = await parentOf(u.student.id);
    await setLimit(parent.token, u.student.id, 1_500);
    const [a, b] = await Promise.all([
      buy(await terminal('pos'), { purchaseId: 'RACE-DAY-1', amountFen: 1_000, cardNo: u.card.card_no }),
      buy(await terminal('pos'), { purchaseId: 'RACE-DAY-2', amountFen: 1_000, cardNo: u.card.card_no }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 422]);
    expect(await purseFen(u.card.id)).toBe(19_000);
  });

  // PGlite has one connection: two purchases cannot wait on one lock there.
  it.skipIf(testDatabaseKind() !== 'postgres')('two campus cards of one child, charged while a parent holds the limit, cannot both slip under it', async () => {
    const u = await undergraduate(20_000);
    const second = await t.factory.newCard(u.student.id, { product: 'campus_card' });
    await fund(t, second.id, 20_000);
    const parent = await parentOf(u.student.id);
    await setLimit(parent.token, u.student.id, 1_500);
    const [tillA, tillB] = [await terminal('pos'), await terminal('pos')];
    const waitingOnLocks = async () => Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.ctx.db)).rows[0]!.n);
    // A parent's change of the limit holds its row while both purchases reach it: each then waits
    // on that lock, each with its day's sum to take after the wait.
    const { started } = await t.ctx.db.transaction().execute(async (tx) => {
      await tx.selectFrom('campus_daily_limits').select('limit_fen').where('student_id', '=', u.student.id).forUpdate().execute();
      const started = Promise.all([
        buy(tillA, { purchaseId: 'TWO-CARD-1', amountFen: 1_000, cardNo: u.card.card_no }),
        buy(tillB, { purchaseId: 'TWO-CARD-2', amountFen: 1_000, cardNo: second.card_no }),
      ]);
      for (let i = 0; i < 200 && (await waitingOnLocks()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await waitingOnLocks()).toBe(2);
      return { started }; // not awaited here: they go on once this transaction lets the row go
    });
    const purchases = await started;
    expect(purchases.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(purchases.find((r) => r.statusCode === 422)!.json()).toMatchObject({ error: { code: 'CAMPUS_DAILY_LIMIT', details: { spentTodayFen: 1_000 } } });
    expect((await purseFen(u.card.id)) + (await purseFen(second.id))).toBe(39_000);
  });

  it('only a bound parent sets it, within ¥1–¥1,000, for a university or vocational student; bad input changes nothing', async () => {
    const u = await undergraduate();
    const parent = await parentOf(u.student.id);
    for (const limitFen of [99, 100_001, 12.5, '3000', null]) {
      const res = await setLimit(parent.token, u.student.id, limitFen);
      expect(res.statusCode, String(limitFen)).toBe(400);
    }
    expect((await setLimit(parent.token, u.student.id, 99)).json()).toMatchObject({ error: { code: 'DAILY_LIMIT_AMOUNT', message: '每日限额须在 ¥1.00 至 ¥1,000.00 之间' } });
    const stranger = await parentOf((await t.factory.newStudent()).id);
    expect((await setLimit(stranger.token, u.student.id, 2_000)).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect((await t.app.inject({ url: limitPath(u.student.id), headers: auth(stranger.token) })).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    // The student reads it (in the purchase limit) but cannot set it.
    expect((await setLimit(u.token, u.student.id, 2_000)).statusCode).toBe(403);
    // A K-12 child: no canteen to limit.
    const pupil = await t.factory.newStudent();
    await t.factory.newCard(pupil.id);
    const pupilParent = await parentOf(pupil.id);
    expect((await setLimit(pupilParent.token, pupil.id, 2_000)).json()).toMatchObject({ error: { code: 'DAILY_LIMIT_CAMPUS_ONLY' } });
    // A lost campus card does not lift or hide it: the limit is the student's, for the replacement too.
    await setLimit(parent.token, u.student.id, 2_500);
    await t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', u.card.id).execute();
    expect((await setLimit(parent.token, u.student.id, 2_000)).json()).toMatchObject({ limitFen: 2_000 });
    const stored = await t.ctx.db.selectFrom('campus_daily_limits').select(['student_id', 'limit_fen']).where('student_id', 'in', [u.student.id, pupil.id]).execute();
    expect(stored).toEqual([{ student_id: u.student.id, limit_fen: 2_000 }]);
  });

  it('either parent changes or lifts it; when the parent who set it unbinds, another bound parent takes it over, and it ends with the last', async () => {
    const u = await undergraduate();
    const mother = await parentOf(u.student.id);
    const father = await parentOf(u.student.id);
    await setLimit(mother.token, u.student.id, 2_000);
    expect((await setLimit(father.token, u.student.id, 1_000)).json()).toMatchObject({ limitFen: 1_000 });
    const setBy = async () => (await t.ctx.db.selectFrom('campus_daily_limits').select('set_by_parent_id').where('student_id', '=', u.student.id).executeTakeFirst())?.set_by_parent_id;
    expect(await setBy()).toBe(father.id);
    // The father, who set it, leaves: the mother takes it over.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${u.student.id}`, headers: auth(father.token) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: limitPath(u.student.id), headers: auth(mother.token) })).json()).toMatchObject({ limitFen: 1_000 });
    expect(await setBy()).toBe(mother.id);
    // The mother leaves too: no parent could lift it, so it ends, recorded with the unbinding.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${u.student.id}`, headers: auth(mother.token) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/campus/purchase-limit', headers: auth(u.token) })).json()).toMatchObject({ dailyLimitFen: null });
    const unbound = await t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'parent.unbound').execute();
    expect(unbound).toHaveLength(2);
    expect(unbound).toEqual(expect.arrayContaining([
      { before: { parentId: father.id, dailyLimitFen: 1_000 }, after: { dailyLimitHandedTo: mother.id } },
      { before: { parentId: mother.id, dailyLimitFen: 1_000 }, after: { dailyLimitHandedTo: null } },
    ]));

    // Lifted by a parent: the canteen charges without it; the removal is audited.
    const again = await parentOf(u.student.id);
    await setLimit(again.token, u.student.id, 100);
    const lifted = await t.app.inject({ method: 'DELETE', url: limitPath(u.student.id), headers: auth(again.token) });
    expect(lifted.json()).toMatchObject({ limitFen: null });
    expect((await buy(await terminal('pos'), { purchaseId: 'LIFTED-0001', amountFen: 500, cardNo: u.card.card_no })).statusCode).toBe(201);
    expect(await t.ctx.db.selectFrom('audit_log').select('before').where('entity_id', '=', u.student.id).where('action', '=', 'campus.daily_limit.removed').execute()).toEqual([{ before: { limitFen: 100, setByParentId: again.id } }]);
  });

  it('a student who unbinds their only parent ends the limit with the binding, and the parent is texted', async () => {
    const u = await undergraduate();
    const parent = await parentOf(u.student.id);
    await setLimit(parent.token, u.student.id, 1_500);
    const unbind = await t.app.inject({ method: 'DELETE', url: `/api/v1/students/${u.student.id}/parents/${parent.id}`, headers: auth(u.token) });
    expect(unbind.statusCode, unbind.body).toBe(204);
    expect(await t.ctx.db.selectFrom('campus_daily_limits').select('student_id').where('student_id', '=', u.student.id).execute()).toEqual([]);
    const texts = await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).execute();
    expect(texts.map((m) => m.body)).toEqual(['【北京学生卡】您与孩子食****的绑定已解除，您设置的每日消费限额随之取消。']);
  });
});

describe('hot water (热水取水)', () => {
  it('runs for a campus card in use holding at least ¥0.10, and only a reader may ask', async () => {
    const reader = await terminal('reader', '学生公寓');
    const ask = (cardNo: string, as = reader) => t.app.inject({ method: 'POST', url: `/api/v1/terminals/${as.id}/hot-water`, headers: auth(as.token), payload: { cardNo } });
    const rich = await undergraduate(10);
    const poor = await undergraduate(9);
    expect((await ask(rich.card.card_no)).json()).toEqual({ allowed: true, reason: 'ok', minBalanceFen: 10 });
    expect((await ask(poor.card.card_no)).json()).toEqual({ allowed: false, reason: 'balance_low', minBalanceFen: 10 });
    await t.app.inject({ method: 'POST', url: `/api/v1/cards/${rich.card.id}/loss`, headers: auth(rich.token) });
    expect((await ask(rich.card.card_no)).json()).toMatchObject({ allowed: false, reason: 'card_not_usable' });
    // Free: asking moves no money.
    expect(await purseFen(poor.card.id)).toBe(9);
    const pos = await terminal('pos');
    expect((await ask(poor.card.card_no, pos)).json()).toMatchObject({ error: { code: 'CAMPUS_TERMINAL_KIND' } });
  });
});

describe('dorm electricity (宿舍电费预缴)', () => {
  const addRoom = (token: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/rooms', headers: auth(token), payload: body });
  let roomNo = 100;
  async function room(schoolId = campusId) {
    const res = await addRoom(operator, { schoolId, building: '学1楼', roomNo: String(++roomNo), meterNo: `M-${process.pid}-${roomNo}` });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; building: string; roomNo: string };
  }
  const buy = (token: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/campus/electricity', headers: auth(token), payload: body });

  it('a student pays for a room of their university; the kWh go to the meter; the money goes to the school’s electricity account', async () => {
    const u = await undergraduate();
    const r = await room();
    const found = await t.app.inject({ url: `/api/v1/campus/rooms?q=${r.roomNo}`, headers: auth(u.token) });
    expect(found.json().items).toContainEqual(r);

    expect((await buy(u.token, { roomId: r.id, amountFen: 2_000, queryPassword: '975310' })).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect((await buy(u.token, { roomId: r.id, amountFen: 99, queryPassword: u.queryPassword })).json()).toMatchObject({ error: { code: 'CAMPUS_ELECTRICITY_AMOUNT' } });
    expect(await purseFen(u.card.id)).toBe(10_000);

    const merchantCode = `merchant:electricity.${campusId}`;
    const schoolBefore = await t.ctx.db.selectFrom('ledger_accounts').select('id').where('code', '=', merchantCode).executeTakeFirst();
    const before = schoolBefore ? (await balanceOf(t.ctx.db, schoolBefore.id)).postedFen : 0;
    const bought = await t.app.inject({ method: 'POST', url: '/api/v1/campus/electricity', headers: { ...auth(u.token), 'idempotency-key': `elec-${r.id}` }, payload: { roomId: r.id, amountFen: 2_000, queryPassword: u.queryPassword } });
    expect(bought.statusCode, bought.body).toBe(201);
    // The app retries after a lost answer: the same purchase, charged once.
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/campus/electricity', headers: { ...auth(u.token), 'idempotency-key': `elec-${r.id}` }, payload: { roomId: r.id, amountFen: 2_000, queryPassword: u.queryPassword } });
    expect(replay.json()).toEqual(bought.json());
    expect(bought.json()).toMatchObject({ room: r, amountFen: 2_000, priceFenPerKwh: 50, kwh: '40.00', meterStatus: 'queued', balanceAfterFen: 8_000 });
    await t.ctx.jobs.runDue(100);
    // Sent once, however often the job runs.
    await deliverToMeter(t.ctx, bought.json().id);
    const mine = (await t.app.inject({ url: '/api/v1/campus/electricity', headers: auth(u.token) })).json().items as { id: string; meterStatus: string; deliveredAt: string | null }[];
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: bought.json().id, meterStatus: 'delivered' });
    expect(mine[0]!.deliveredAt).not.toBeNull();
    expect(await purseFen(u.card.id)).toBe(8_000);
    const school = await t.ctx.db.selectFrom('ledger_accounts').select('id').where('code', '=', merchantCode).executeTakeFirstOrThrow();
    expect((await balanceOf(t.ctx.db, school.id)).postedFen).toBe(before + 2_000);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', 'in', [r.id, bought.json().id]).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['campus.electricity.bought', 'campus.electricity.delivered', 'campus.room.added']);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('a meter that never answers: the job tries again, and after its last attempt the purchase shows as failed, audited', async () => {
    const u = await undergraduate();
    const offline = await addRoom(operator, { schoolId: campusId, building: '学9楼', roomNo: String(++roomNo), meterNo: `OFFLINE-${process.pid}-${roomNo}` });
    expect(offline.statusCode, offline.body).toBe(201);
    const bought = await t.app.inject({ method: 'POST', url: '/api/v1/campus/electricity', headers: { ...auth(u.token), 'idempotency-key': `elec-offline-${roomNo}` }, payload: { roomId: offline.json().id, amountFen: 1_000, queryPassword: u.queryPassword } });
    expect(bought.statusCode, bought.body).toBe(201);
    const status = async () => ((await t.app.inject({ url: '/api/v1/campus/electricity', headers: auth(u.token) })).json().items as { meterStatus: string }[])[0]!.meterStatus;
    // Five attempts with growing back-off; between them the purchase still waits (下发中).
    for (let attempt = 1; attempt <= 5; attempt++) {
      await t.ctx.jobs.runDue(100);
      expect(await status()).toBe(attempt < 5 ? 'queued' : 'failed');
      t.clock.advance(10 * 60_000);
    }
    const row = await t.ctx.db.selectFrom('campus_electricity_purchases').select(['meter_status', 'meter_error', 'delivered_at']).where('id', '=', bought.json().id).executeTakeFirstOrThrow();
    expect(row).toEqual({ meter_status: 'failed', meter_error: expect.stringContaining('does not answer'), delivered_at: null });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', bought.json().id).execute();
    expect(audit.map((a) => a.action)).toEqual(['campus.electricity.meter_failed']);
    const job = await t.ctx.db.selectFrom('jobs').select(['status', 'attempts']).where('kind', '=', 'campus.meter-delivery').where(sql<boolean>`payload->>'purchaseId' = ${bought.json().id}`).executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'failed', attempts: 5 });
  });

  it('staff find a failed delivery in the console, change the room’s meter, and send it again (重新下发): delivered once, audited', async () => {
    const u = await undergraduate();
    const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const outsider = await t.factory.newStaff('school_admin', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const outsiderToken = await t.factory.loginAs('staff', outsider.username, outsider.password);
    const deadMeter = `OFFLINE-${process.pid}-${++roomNo}`;
    const dead = await addRoom(operator, { schoolId: campusId, building: '学9楼', roomNo: String(roomNo), meterNo: deadMeter });
    const bought = await t.app.inject({ method: 'POST', url: '/api/v1/campus/electricity', headers: { ...auth(u.token), 'idempotency-key': `elec-resend-${roomNo}` }, payload: { roomId: dead.json().id, amountFen: 1_500, queryPassword: u.queryPassword } });
    expect(bought.statusCode, bought.body).toBe(201);
    const id = bought.json().id as string;
    const resend = (token: string, key = `resend-${id}-${token.slice(-6)}`) => t.app.inject({ method: 'POST', url: `/api/v1/admin/campus/electricity/${id}/resend`, headers: { ...auth(token), 'idempotency-key': key } });
    const listed = async (token: string, query: string) => (await t.app.inject({ url: `/api/v1/admin/campus/electricity${query}`, headers: auth(token) })).json();

    // Still on its way: nothing to send again.
    expect((await resend(managerToken, 'early')).json()).toMatchObject({ error: { code: 'CAMPUS_METER_NOT_FAILED' } });
    for (let attempt = 1; attempt <= 5; attempt++) {
      await t.ctx.jobs.runDue(100);
      t.clock.advance(10 * 60_000);
    }
    // The manager's worklist: the failed purchase, with the meter and the head-end's answer; the student's name masked.
    const failed = await listed(managerToken, '?status=failed&pageSize=100');
    const row = failed.items.find((p: { id: string }) => p.id === id);
    expect(row).toMatchObject({ meterStatus: 'failed', meterNo: deadMeter, meterError: expect.stringContaining('does not answer'), amountFen: 1_500, kwh: '30.00', studentNameMasked: '食****' });
    expect((await listed(managerToken, '?status=delivered&pageSize=100')).items.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await listed(outsiderToken, '?status=failed&pageSize=100')).items.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await listed(outsiderToken, `?schoolId=${campusId}&pageSize=100`)).items.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await listed(operator, `?schoolId=${campusId}&status=failed&pageSize=100`)).items.map((p: { id: string }) => p.id)).toContain(id);
    expect(await listed(operator, '?status=lost')).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    // Another university's manager may neither send it nor touch the room.
    expect((await resend(outsiderToken)).statusCode).toBe(403);
    const changeMeter = (token: string, meterNo: string) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/campus/rooms/${dead.json().id}/meter`, headers: auth(token), payload: { meterNo } });
    expect((await changeMeter(outsiderToken, `M-${process.pid}-NEW${roomNo}`)).statusCode).toBe(403);
    // A meter number another room has is refused, and nothing changes.
    const neighbour = await room();
    const neighbourMeter = (await t.ctx.db.selectFrom('campus_rooms').select('meter_no').where('id', '=', neighbour.id).executeTakeFirstOrThrow()).meter_no;
    const taken = await changeMeter(managerToken, neighbourMeter);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'CAMPUS_METER_TAKEN', message: '该电表号已登记在其他房间' } });
    expect(await t.ctx.db.selectFrom('campus_rooms').select('meter_no').where('id', '=', dead.json().id).executeTakeFirstOrThrow()).toEqual({ meter_no: deadMeter });
    // The number it has already: nothing to change, nothing audited.
    expect((await changeMeter(managerToken, deadMeter)).statusCode).toBe(200);

    // The electrician replaced the meter: the room gets its number, and the purchase goes to it.
    const changed = await changeMeter(managerToken, `M-${process.pid}-NEW${roomNo}`);
    expect(changed.json()).toMatchObject({ id: dead.json().id, meterNo: `M-${process.pid}-NEW${roomNo}` });
    const sent = await resend(managerToken);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ id, meterStatus: 'queued', meterError: null, meterNo: `M-${process.pid}-NEW${roomNo}` });
    // A retried click answers the same; a second resend of a queued one is refused.
    expect((await resend(managerToken)).json()).toEqual(sent.json());
    expect((await resend(managerToken, 'again')).json()).toMatchObject({ error: { code: 'CAMPUS_METER_NOT_FAILED' } });
    await t.ctx.jobs.runDue(100);
    const mine = (await t.app.inject({ url: '/api/v1/campus/electricity', headers: auth(u.token) })).json().items as { id: string; meterStatus: string }[];
    expect(mine.find((p) => p.id === id)).toMatchObject({ meterStatus: 'delivered' });
    expect((await resend(managerToken, 'after')).json()).toMatchObject({ error: { code: 'CAMPUS_METER_NOT_FAILED' } });
    // Paid once, whatever was sent again.
    expect(await purseFen(u.card.id)).toBe(8_500);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after']).where('entity_id', 'in', [id, dead.json().id]).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['campus.room.added', 'campus.electricity.bought', 'campus.electricity.meter_failed', 'campus.room.meter_changed', 'campus.electricity.resent', 'campus.electricity.delivered']);
    expect(audit.find((a) => a.action === 'campus.electricity.resent')).toMatchObject({ actor_id: manager.id, before: { meterStatus: 'failed', error: expect.stringContaining('does not answer') } });
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('refuses another university’s room, a balance short of the amount, and anyone but a campus card holder', async () => {
    const u = await undergraduate(1_000);
    const elsewhere = await room((await t.factory.newSchool({ stage: 'university' })).id);
    expect((await buy(u.token, { roomId: elsewhere.id, amountFen: 500, queryPassword: u.queryPassword })).json()).toMatchObject({ error: { code: 'CAMPUS_ROOM_UNKNOWN' } });
    expect((await t.app.inject({ url: '/api/v1/campus/rooms?q=学1楼', headers: auth(u.token) })).json().items.map((x: { id: string }) => x.id)).not.toContain(elsewhere.id);
    const mine = await room();
    const short = await buy(u.token, { roomId: mine.id, amountFen: 1_001, queryPassword: u.queryPassword });
    expect(short.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await t.ctx.db.selectFrom('campus_electricity_purchases').select('id').where('room_id', '=', mine.id).execute()).toEqual([]);
    const k12 = await t.factory.newStudent();
    expect((await buy(await t.factory.loginAs('student', k12.education_id, k12.password), { roomId: mine.id, amountFen: 500, queryPassword: '135790' })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
  });

  it('rooms are registered by an operator or the university’s own card manager, once each', async () => {
    const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const other = await t.factory.newStaff('school_admin', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const otherToken = await t.factory.loginAs('staff', other.username, other.password);
    const body = { schoolId: campusId, building: '学2楼', roomNo: '301', meterNo: `M-${process.pid}-X301` };
    expect((await addRoom(otherToken, body)).statusCode).toBe(403);
    const added = await addRoom(managerToken, body);
    expect(added.statusCode).toBe(201);
    // The console's list: the manager's own school, an operator's chosen one, with the meters.
    const listed = (token: string, query = '') => t.app.inject({ url: `/api/v1/admin/campus/rooms${query}`, headers: auth(token) });
    expect((await listed(managerToken)).json().items).toContainEqual({ id: added.json().id, building: '学2楼', roomNo: '301', meterNo: body.meterNo });
    expect((await listed(operator, `?schoolId=${campusId}`)).json().items.map((r: { id: string }) => r.id)).toContain(added.json().id);
    expect((await listed(operator)).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_REQUIRED' } });
    expect((await listed(otherToken, `?schoolId=${campusId}`)).json().items).toEqual([]);
    expect((await addRoom(operator, body)).json()).toMatchObject({ error: { code: 'CAMPUS_ROOM_TAKEN' } });
    expect((await addRoom(operator, { ...body, roomNo: '3 01' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await addRoom(operator, { ...body, schoolId: (await t.factory.newSchool({ stage: 'high' })).id })).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_INVALID' } });
    // A search is literal: % matches nothing, not everything.
    const u = await undergraduate();
    expect((await t.app.inject({ url: `/api/v1/campus/rooms?q=${encodeURIComponent('%')}`, headers: auth(u.token) })).json().items).toEqual([]);
  });
});

describe('repair reports (网上报修)', () => {
  const report = (token: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/campus/repairs', headers: auth(token), payload: body });
  const act = (token: string, id: string, step: 'accept' | 'finish' | 'cancel', note?: string) =>
    t.app.inject({ method: 'POST', url: step === 'cancel' ? `/api/v1/campus/repairs/${id}/cancel` : `/api/v1/admin/campus/repairs/${id}/${step}`, headers: auth(token), payload: step === 'cancel' ? undefined : note ? { note } : {} });

  it('a student reports a fault; the school’s staff take it on and finish it with a note the student reads', async () => {
    const u = await undergraduate();
    const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const outsider = await t.factory.newStaff('school_admin', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const outsiderToken = await t.factory.loginAs('staff', outsider.username, outsider.password);

    expect((await report(u.token, { category: 'lift', location: '学1楼', description: '坏了' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await report(u.token, { category: 'water', location: '学1楼', description: '坏\u0000了' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const made = await report(u.token, { category: 'water', location: '学1楼 101 卫生间', description: '热水龙头不出水' });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as string;
    expect(made.json()).toMatchObject({ status: 'submitted', studentNameMasked: null });

    const queue = await t.app.inject({ url: `/api/v1/admin/campus/repairs?schoolId=${campusId}&status=submitted`, headers: auth(managerToken) });
    expect(queue.json().items).toContainEqual(expect.objectContaining({ id, studentNameMasked: '食****', schoolName: expect.any(String) }));
    const managerDefault = await t.app.inject({ url: '/api/v1/admin/campus/repairs', headers: auth(managerToken) });
    expect(managerDefault.json().items.map((r: { id: string }) => r.id)).toContain(id);
    // Another school's card manager sees their own school's reports, whatever school is asked for.
    const theirs = await t.app.inject({ url: `/api/v1/admin/campus/repairs?schoolId=${campusId}`, headers: auth(outsiderToken) });
    expect(theirs.json().items.map((r: { id: string }) => r.id)).not.toContain(id);
    // Refused without saying back the report's school (the outsider named only the report).
    const refused = await act(outsiderToken, id, 'accept');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect(refused.body).not.toContain(campusId);
    expect((await act(u.token, id, 'accept')).statusCode).toBe(403);

    expect((await act(managerToken, id, 'accept', '物业已派单')).json()).toMatchObject({ status: 'accepted', staffNote: '物业已派单' });
    expect((await act(u.token, id, 'cancel')).json()).toMatchObject({ error: { code: 'REPAIR_TRANSITION_INVALID' } });
    expect((await act(managerToken, id, 'finish', '已更换阀芯')).json()).toMatchObject({ status: 'done', staffNote: '已更换阀芯' });
    expect((await act(managerToken, id, 'finish')).json()).toMatchObject({ error: { code: 'REPAIR_TRANSITION_INVALID' } });
    const mine = (await t.app.inject({ url: '/api/v1/campus/repairs', headers: auth(u.token) })).json().items;
    expect(mine[0]).toMatchObject({ id, status: 'done', staffNote: '已更换阀芯' });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).orderBy('at').orderBy('id').execute();
    // The test clock stands still, so the rows share a time: compare them as a set.
    expect(audit.map((a) => a.action).sort()).toEqual(['campus.repair.accept', 'campus.repair.finish', 'campus.repair.reported']);
  });

  it('the student withdraws a report before it is taken on; nobody else can', async () => {
    const u = await undergraduate();
    const other = await undergraduate();
    const id = (await report(u.token, { category: 'network', location: '图书馆三楼', description: '无线网络连不上' })).json().id as string;
    expect((await act(other.token, id, 'cancel')).statusCode).toBe(404);
    expect((await act(u.token, id, 'cancel')).json()).toMatchObject({ status: 'cancelled' });
    const k12 = await t.factory.newStudent();
    expect((await report(await t.factory.loginAs('student', k12.education_id, k12.password), { category: 'power', location: 'x', description: 'y' })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
  });
});

describe('practice-room and sports-venue bookings (琴房预订, 预订场馆)', () => {
  // Monday 23 November 2026, 10:00 in Beijing (the test clock).
  const addVenue = (token: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/venues', headers: auth(token), payload: body });
  const book = (token: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/campus/bookings', headers: auth(token), payload: body });
  let venueNo = 0;
  const venue = async () => (await addVenue(operator, { schoolId: campusId, name: `琴房 ${++venueNo}` })).json() as { id: string; name: string };

  it('books an hour of a room of the student’s university; the slot shows as theirs; at most two to come; cancel frees it', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const u = await undergraduate();
    const room = await venue();
    const venues = (await t.app.inject({ url: '/api/v1/campus/venues', headers: auth(u.token) })).json();
    expect(venues.items).toContainEqual({ id: room.id, kind: 'piano_room', name: room.name, colleges: [], majors: [] });
    expect(venues.days).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);

    expect((await book(u.token, { venueId: room.id, date: '2026-11-23', hour: 9 })).json()).toMatchObject({ error: { code: 'BOOKING_TOO_LATE' } });
    expect((await book(u.token, { venueId: room.id, date: '2026-11-23', hour: 22 })).json()).toMatchObject({ error: { code: 'BOOKING_HOUR' } });
    expect((await book(u.token, { venueId: room.id, date: '2026-12-01', hour: 9 })).json()).toMatchObject({ error: { code: 'BOOKING_TOO_EARLY' } });
    expect((await t.app.inject({ url: `/api/v1/campus/venues/${room.id}/slots?date=0000-01-01`, headers: auth(u.token) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const first = await book(u.token, { venueId: room.id, date: '2026-11-23', hour: 14 });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ venueName: room.name, date: '2026-11-23', hour: 14, startsAt: '2026-11-23T06:00:00.000Z', status: 'booked' });
    const slots = (await t.app.inject({ url: `/api/v1/campus/venues/${room.id}/slots?date=2026-11-23`, headers: auth(u.token) })).json().items as { hour: number; state: string; bookable: boolean }[];
    expect(slots.find((s) => s.hour === 14)).toEqual({ hour: 14, state: 'mine', bookable: false });
    expect(slots.find((s) => s.hour === 9)).toEqual({ hour: 9, state: 'free', bookable: false });
    expect(slots.find((s) => s.hour === 15)).toEqual({ hour: 15, state: 'free', bookable: true });

    const other = await undergraduate();
    expect((await book(other.token, { venueId: room.id, date: '2026-11-23', hour: 14 })).json()).toMatchObject({ error: { code: 'BOOKING_TAKEN' } });
    expect((await t.app.inject({ url: `/api/v1/campus/venues/${room.id}/slots?date=2026-11-23`, headers: auth(other.token) })).json().items.find((s: { hour: number }) => s.hour === 14)).toMatchObject({ state: 'taken' });

    expect((await book(u.token, { venueId: room.id, date: '2026-11-24', hour: 8 })).statusCode).toBe(201);
    expect((await book(u.token, { venueId: room.id, date: '2026-11-25', hour: 8 })).json()).toMatchObject({ error: { code: 'BOOKING_LIMIT' } });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/campus/bookings/${first.json().id}/cancel`, headers: auth(other.token) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/campus/bookings/${first.json().id}/cancel`, headers: auth(u.token) })).json()).toMatchObject({ status: 'cancelled' });
    expect((await book(other.token, { venueId: room.id, date: '2026-11-23', hour: 14 })).statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/campus/bookings', headers: auth(u.token) })).json().items.map((b: { date: string }) => b.date)).toEqual(['2026-11-24']);
  });

  it('sports venues are listed and booked apart from practice rooms, each kind with its own limit of two', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const u = await undergraduate();
    const piano = await venue();
    const added = await addVenue(operator, { schoolId: campusId, kind: 'sports_court', name: `羽毛球场 ${++venueNo}` });
    expect(added.statusCode, added.body).toBe(201);
    const court = added.json() as { id: string; kind: string; name: string };
    expect(court.kind).toBe('sports_court');
    // The same name may be a practice room and a court; the kind is part of what is unique.
    expect((await addVenue(operator, { schoolId: campusId, kind: 'sports_court', name: piano.name })).statusCode).toBe(201);
    expect((await addVenue(operator, { schoolId: campusId, kind: 'sports_court', name: court.name })).json()).toMatchObject({ error: { code: 'CAMPUS_VENUE_TAKEN' } });
    expect((await addVenue(operator, { schoolId: campusId, kind: 'swimming_pool', name: '泳池' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    const listed = async (query: string) => ((await t.app.inject({ url: `/api/v1/campus/venues${query}`, headers: auth(u.token) })).json().items as { id: string; kind: string }[]);
    const courts = await listed('?kind=sports_court');
    expect(courts.map((v) => v.id)).toContain(court.id);
    expect(courts.every((v) => v.kind === 'sports_court')).toBe(true);
    const pianos = await listed('');
    expect(pianos.map((v) => v.id)).toContain(piano.id);
    expect(pianos.every((v) => v.kind === 'piano_room')).toBe(true);
    expect((await t.app.inject({ url: '/api/v1/campus/venues?kind=pool', headers: auth(u.token) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    // Two practice hours and two court hours: each kind counts on its own.
    for (const [venueId, hour] of [[piano.id, 16], [piano.id, 17], [court.id, 18], [court.id, 19]] as const) {
      const booked = await book(u.token, { venueId, date: '2026-11-27', hour });
      expect(booked.statusCode, booked.body).toBe(201);
    }
    expect((await book(u.token, { venueId: court.id, date: '2026-11-27', hour: 20 })).json()).toMatchObject({ error: { code: 'BOOKING_LIMIT', message: '琴房、场馆每类每人最多同时持有 2 个未开始的预约' } });
    const mine = (await t.app.inject({ url: '/api/v1/campus/bookings', headers: auth(u.token) })).json().items as { venueKind: string; hour: number }[];
    expect(mine.map((b) => [b.venueKind, b.hour])).toEqual([['piano_room', 16], ['piano_room', 17], ['sports_court', 18], ['sports_court', 19]]);
  });

  it('a practice room kept for 音乐学院 and the music majors (seed 004): the music college, a music major of the vocational college; not its other students', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const kept = await addVenue(operator, { schoolId: campusId, name: `琴房 ${++venueNo}`, colleges: ['音乐学院', '音乐学院'], majors: [' 音乐表演 ', '音乐教育', '音乐表演'] });
    expect(kept.statusCode, kept.body).toBe(201);
    expect(kept.json()).toMatchObject({ colleges: ['音乐学院'], majors: ['音乐表演', '音乐教育'] });
    const keptId = kept.json().id as string;
    const open = await venue();
    const musician = await undergraduate();
    const musicMajor = await undergraduate();
    const accountant = await undergraduate();
    const engineer = await undergraduate();
    const unknown = await undergraduate();
    // A 音乐表演 major of 计算机学院 would be odd, but the rule is the rule: the major alone is enough.
    const majorElsewhere = await undergraduate();
    const place = (u: { student: { id: string } }, college: string | null, major: string | null) => t.ctx.db.updateTable('students').set({ college, major }).where('id', '=', u.student.id).execute();
    await place(musician, '音乐学院', '作曲与作曲技术理论');
    await place(musicMajor, '高等职业教育与继续教育学院', '音乐表演');
    await place(accountant, '高等职业教育与继续教育学院', '会计');
    await place(engineer, '计算机学院', null);
    await place(majorElsewhere, null, '音乐教育');
    const offered = async (u: { token: string }) => ((await t.app.inject({ url: '/api/v1/campus/venues', headers: auth(u.token) })).json().items as { id: string }[]).map((v) => v.id);

    for (const u of [musician, musicMajor, majorElsewhere]) expect(await offered(u)).toEqual(expect.arrayContaining([keptId, open.id]));
    for (const u of [accountant, engineer, unknown]) {
      // The room open to the whole university is offered and booked by everyone.
      expect(await offered(u)).toContain(open.id);
      expect(await offered(u)).not.toContain(keptId);
      const refused = await book(u.token, { venueId: keptId, date: '2026-11-28', hour: 10 });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'BOOKING_COLLEGE_ONLY', message: '该场地仅供指定院系或专业的同学预约', messageEn: 'Only students of the colleges or majors it is kept for may book this venue', details: { colleges: ['音乐学院'], majors: ['音乐表演', '音乐教育'] } } });
      expect((await t.app.inject({ url: `/api/v1/campus/venues/${keptId}/slots?date=2026-11-28`, headers: auth(u.token) })).statusCode).toBe(403);
    }
    expect((await book(accountant.token, { venueId: open.id, date: '2026-11-28', hour: 10 })).statusCode).toBe(201);
    expect((await t.app.inject({ url: `/api/v1/campus/venues/${keptId}/slots?date=2026-11-28`, headers: auth(musicMajor.token) })).statusCode).toBe(200);
    expect((await book(musician.token, { venueId: keptId, date: '2026-11-28', hour: 10 })).statusCode).toBe(201);
    expect((await book(musicMajor.token, { venueId: keptId, date: '2026-11-28', hour: 11 })).statusCode).toBe(201);
    expect((await book(majorElsewhere.token, { venueId: keptId, date: '2026-11-28', hour: 12 })).statusCode).toBe(201);
    // A major named on the venue is not a college, nor the other way round.
    const byMajorOnly = await addVenue(operator, { schoolId: campusId, name: `琴房 ${++venueNo}`, majors: ['音乐学院'] });
    expect(await offered(musician)).not.toContain(byMajorOnly.json().id);
    for (const [body, path] of [
      [{ colleges: Array.from({ length: 9 }, (_, i) => `学院${i}`) }, 'body/colleges'],
      [{ majors: Array.from({ length: 17 }, (_, i) => `专业${i}`) }, 'body/majors'],
      [{ majors: ['音'.repeat(33)] }, 'body/majors/0'],
      [{ majors: ['  '] }, 'body/majors/0'],
      [{ majors: '音乐表演' }, 'body/majors'],
    ] as const) {
      const bad = await addVenue(operator, { schoolId: campusId, name: `琴房 ${++venueNo}`, ...body });
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(bad.json().error), JSON.stringify(body)).toContain(path);
      expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('an operator or the university’s card manager changes whom a venue is kept for; bookings made stand; audited; other schools’ managers refused', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const room = await venue();
    const musicMajor = await undergraduate();
    const accountant = await undergraduate();
    await t.ctx.db.updateTable('students').set({ college: '高等职业教育与继续教育学院', major: '音乐表演' }).where('id', '=', musicMajor.student.id).execute();
    await t.ctx.db.updateTable('students').set({ college: '高等职业教育与继续教育学院', major: '会计' }).where('id', '=', accountant.student.id).execute();
    expect((await book(accountant.token, { venueId: room.id, date: '2026-11-29', hour: 9 })).statusCode).toBe(201);
    const setAudience = (token: string, venueId: string, body: unknown) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/campus/venues/${venueId}/audience`, headers: auth(token), payload: body as Record<string, unknown> });
    const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const changed = await setAudience(managerToken, room.id, { colleges: ['音乐学院'], majors: ['音乐表演'] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ id: room.id, kind: 'piano_room', name: room.name, colleges: ['音乐学院'], majors: ['音乐表演'] });
    expect((await book(accountant.token, { venueId: room.id, date: '2026-11-29', hour: 10 })).json()).toMatchObject({ error: { code: 'BOOKING_COLLEGE_ONLY' } });
    expect((await book(musicMajor.token, { venueId: room.id, date: '2026-11-29', hour: 10 })).statusCode).toBe(201);
    // The hour the accountant booked before stands.
    expect((await t.app.inject({ url: '/api/v1/campus/bookings', headers: auth(accountant.token) })).json().items).toEqual([expect.objectContaining({ venueId: room.id, hour: 9, status: 'booked' })]);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role', 'before', 'after']).where('entity_id', '=', room.id).where('action', '=', 'campus.venue.audience').execute();
    expect(audit).toEqual([{ action: 'campus.venue.audience', actor_role: 'school_admin', before: { colleges: [], majors: [] }, after: { colleges: ['音乐学院'], majors: ['音乐表演'] } }]);
    // Back to the whole university.
    expect((await setAudience(operator, room.id, { colleges: [], majors: [] })).json()).toMatchObject({ colleges: [], majors: [] });
    expect((await book(accountant.token, { venueId: room.id, date: '2026-11-29', hour: 11 })).statusCode).toBe(201);

    const otherSchool = await t.factory.newSchool({ stage: 'university' });
    const outsiderStaff = await t.factory.newStaff('school_admin', { schoolId: otherSchool.id });
    const outsider = await t.factory.loginAs('staff', outsiderStaff.username, outsiderStaff.password);
    expect((await setAudience(outsider, room.id, { majors: ['会计'] })).statusCode).toBe(403);
    expect((await setAudience(accountant.token, room.id, { majors: ['会计'] })).statusCode).toBe(403);
    expect((await setAudience(operator, '00000000-0000-7000-8000-000000000000', { majors: ['会计'] })).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await setAudience(operator, room.id, { majors: Array.from({ length: 17 }, (_, i) => `专业${i}`) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await t.ctx.db.selectFrom('campus_venues').select('majors').where('id', '=', room.id).executeTakeFirstOrThrow()).majors).toEqual([]);
  });

  it('two students racing for one hour: one gets it; a room of another university is not offered', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const room = await venue();
    const [a, b] = [await undergraduate(), await undergraduate()];
    const raced = await Promise.all([book(a.token, { venueId: room.id, date: '2026-11-26', hour: 19 }), book(b.token, { venueId: room.id, date: '2026-11-26', hour: 19 })]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const elsewhere = await undergraduate(0, (await t.factory.newSchool({ stage: 'university' })).id);
    expect((await book(elsewhere.token, { venueId: room.id, date: '2026-11-26', hour: 20 })).statusCode).toBe(404);
    expect((await addVenue(operator, { schoolId: campusId, name: room.name })).json()).toMatchObject({ error: { code: 'CAMPUS_VENUE_TAKEN' } });
    expect((await t.app.inject({ url: `/api/v1/admin/campus/venues?schoolId=${campusId}`, headers: auth(operator) })).json().items).toContainEqual({ id: room.id, kind: 'piano_room', name: room.name, colleges: [], majors: [] });
  });
});
