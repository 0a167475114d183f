import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAutoTopUps } from '../../src/modules/payments/auto-top-up.js';
import { expireDueOrders } from '../../src/modules/payments/expire-orders.js';
import { agreementClient, sandboxEndpoint } from '../../src/modules/payments/gateways/registry.js';
import { endAgreement, unsignAtGateway } from '../../src/modules/payments/payment-agreements.js';
import { setWithholdingFails } from '../../src/modules/payments/sandbox/sandbox-agreements.js';
import { actAtAgreementPage, closeInAlipayApp } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { autoTopUpHelpers, PaymentsDriver } from './payments-driver.js';

/**
 * 自动充值 (domain rules, "What users ask for" 4): a parent signs Alipay's withholding agreement on
 * the sandbox's page (real HTTP, RSA2 both ways), sets the amounts for a child, and the job tops
 * the child's card up through the agreement when it runs low: once per card and day, texted,
 * booked once however often Alipay reports it; refusals move no money and are texted too.
 */

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());

const { agreementOf, setting, textsTo, runsOf } = autoTopUpHelpers(() => d);

/** A family whose parent has signed the agreement (the sandbox's switch: later withholdings fail). */
async function signedFamily(switches: { withholdingFails?: boolean } = {}) {
  const f = await d.family();
  const started = await d.request('POST', '/me/payment-agreement', f.parentToken, { returnPath: `/children/${f.student.id}` });
  expect(started.statusCode, started.body).toBe(200);
  const page = await actAtAgreementPage(started.json().signUrl, 'agree', switches);
  expect(page.returnUrl).toBe(`${d.origin}/children/${f.student.id}`);
  expect(await agreementOf(f.parentToken)).toMatchObject({ status: 'active', agreementNoMasked: expect.stringMatching(/^\d{4}\*{4}\d{4}$/) });
  return f;
}

describe('the withholding agreement (免密代扣)', () => {
  it('is signed on Alipay’s page, and Onecard believes Alipay, not the return to its page', async () => {
    const f = await d.family();
    expect(await agreementOf(f.parentToken)).toBeNull();
    const started = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    expect(started.agreement).toMatchObject({ status: 'signing', agreementNoMasked: null });
    // Cancelled on the page: still signing (the parent may come back and sign).
    await actAtAgreementPage(started.signUrl, 'cancel');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: started.agreement.id, status: 'signing' });
    // Signing again reuses the same agreement.
    const again = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    expect(again.agreement.id).toBe(started.agreement.id);
    await actAtAgreementPage(again.signUrl, 'agree');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: started.agreement.id, status: 'active' });
    const twice = await d.request('POST', '/me/payment-agreement', f.parentToken, {});
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'PAYMENT_AGREEMENT_EXISTS']);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', started.agreement.id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['payments.agreement.signing', 'payments.agreement.signed']);
  });

  it('is a parent’s: a student is refused, and a return path off the site is refused', async () => {
    const f = await d.family();
    const student = await d.request('POST', '/me/payment-agreement', f.studentToken, {});
    expect(student.statusCode).toBe(403);
    const offSite = await d.request('POST', '/me/payment-agreement', f.parentToken, { returnPath: 'https://evil.example/' });
    expect(offSite.statusCode).toBe(400);
    expect(await d.t.ctx.db.selectFrom('payment_agreements').select('id').where('parent_id', '=', f.parent.id).execute()).toEqual([]);
  });
});

describe('the auto top-up setting', () => {
  it('needs a signed agreement, amounts in range, and a bound parent', async () => {
    const f = await d.family();
    const none = await setting(f, { thresholdFen: 1_000, amountFen: 5_000 });
    expect([none.statusCode, none.json().error.code]).toEqual([409, 'AUTO_TOP_UP_NO_AGREEMENT']);
    const signed = await signedFamily();
    for (const body of [{ thresholdFen: 99, amountFen: 5_000 }, { thresholdFen: 1_000, amountFen: 999 }, { thresholdFen: 1_000, amountFen: 50_001 }, { thresholdFen: 50_001, amountFen: 5_000 }]) {
      const res = await setting(signed, body);
      expect([JSON.stringify(body), res.statusCode, res.json().error.code]).toEqual([JSON.stringify(body), 400, 'AUTO_TOP_UP_AMOUNT']);
    }
    // Not whole fen: refused by the schema.
    expect((await setting(signed, { thresholdFen: 1_000.5, amountFen: 5_000 })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const other = await d.family();
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const stranger = await d.t.app.inject({ method, url: `/api/v1/me/children/${signed.student.id}/auto-top-up`, headers: d.headers(other.parentToken), ...(method === 'PUT' ? { payload: { thresholdFen: 1_000, amountFen: 5_000 } } : {}) });
      expect([method, stranger.statusCode]).toEqual([method, 403]);
    }
    const ok = await setting(signed, { thresholdFen: 1_000, amountFen: 5_000 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ thresholdFen: 1_000, amountFen: 5_000, monthlyCapFen: null, monthChargedFen: 0, agreementActive: true, recent: [] });
  });
});

describe('the auto top-up job', () => {
  it('tops a low card up through the agreement once a day, texts the parent, and books Alipay’s later notification nothing twice', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    expect(await d.purseFen(f.student.id)).toBe(0);

    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1, failed: 0 });
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'paid', balance_fen: 0, threshold_fen: 1_000 });
    const order = await d.order(f.parentToken, run!.order_id);
    expect(order).toMatchObject({ kind: 'top_up', autoTopUp: true, status: 'fulfilled', amountFen: 5_000, gateway: 'alipay' });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('余额低于 ¥10.00，已为其自动充值 ¥50.00（支付宝免密代扣）')]);

    // Alipay's notification of the same trade arrives: booked once.
    await d.runJobs();
    expect((await d.notifications(order.orderNo)).length).toBeGreaterThan(0);
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    expect(await d.ledgerTransactionsOf(order.id)).toHaveLength(1);

    // Spent down again the same day: nothing more today.
    await d.spend(f.student.id, 4_500);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0 });
    expect(await runsOf(cardId)).toHaveLength(1);
    // The next Beijing day it tops up again.
    d.t.clock.advance(24 * 3600_000);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1 });
    expect(await d.purseFen(f.student.id)).toBe(500 + 5_000);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
    await d.expectLedgerClean();
  });

  it('leaves a card at or above the threshold alone', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    await d.payAtCashier(f.parentToken, (await d.topUp(f.parentToken, f.student.id, 1_000)).id, 'alipay');
    await d.runJobs();
    expect(await d.purseFen(f.student.id)).toBe(1_000);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    await runAutoTopUps(d.t.ctx);
    expect(await runsOf(cardId)).toEqual([]);
  });

  it('leaves the card of a student who graduated or left alone (their card is to be returned, not filled)', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    await d.t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', f.student.id).execute();
    await runAutoTopUps(d.t.ctx);
    expect(await runsOf(cardId)).toEqual([]);
  });

  it('a refused withholding moves no money: the order is cancelled, the parent texted, and the next day tries again', async () => {
    const f = await signedFamily({ withholdingFails: true });
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, failed: 1 });
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'failed', failure: 'balance_not_enough' });
    expect((await d.order(f.parentToken, run!.order_id)).status).toBe('cancelled');
    expect(await d.purseFen(f.student.id)).toBe(0);
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('自动充值 ¥50.00 未成功：支付宝余额不足')]);
    expect((await setting(f)).json().recent).toEqual([expect.objectContaining({ status: 'failed', failure: 'balance_not_enough', amountFen: 5_000 })]);

    const agreementNo = (await d.t.ctx.db.selectFrom('payment_agreements').select('agreement_no').where('parent_id', '=', f.parent.id).executeTakeFirstOrThrow()).agreement_no!;
    await setWithholdingFails(d.t.ctx.db, agreementNo, false);
    d.t.clock.advance(24 * 3600_000);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1 });
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    await d.expectLedgerClean();
  });

  it('an agreement Alipay no longer has ends here, with the parent’s auto top-ups', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const agreement = await d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('parent_id', '=', f.parent.id).executeTakeFirstOrThrow();
    // Ended at Alipay (the parent unsigned it in the Alipay app).
    await (await agreementClient(d.t.ctx, agreement.gateway, agreement.gateway_base_url)).unsignAgreement({ externalAgreementNo: agreement.external_agreement_no, agreementNo: agreement.agreement_no! });
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ failed: 1 });
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'agreement_invalid' });
    expect(await agreementOf(f.parentToken)).toBeNull();
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, amountFen: null, agreementActive: false });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('免密代扣协议已失效')]);
    expect(await d.purseFen(f.student.id)).toBe(0);
  });

  it('an answer Alipay never gave: the order waits for the expiry job, nobody pays or cancels it by hand, the card is not charged again meanwhile, and the parent is told nothing was charged', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const endpoint = sandboxEndpoint(d.origin, 'alipay');
    // Alipay out of reach while the job charges.
    await d.t.ctx.db.updateTable('payment_agreements').set({ gateway_base_url: 'http://127.0.0.1:9/gateway.do' }).where('parent_id', '=', f.parent.id).execute();
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, failed: 1 });
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'charging', texted_at: null });
    const order = await d.order(f.parentToken, run!.order_id);
    expect(order).toMatchObject({ status: 'paying', pending: false, charging: true }); // 扣款中, not for the family to pay
    // Not the family's to pay (待支付), and not closed either, even past its time limit: 全部 shows it as 扣款中.
    const group = async (name: string) => (await d.request('GET', `/orders?group=${name}`, f.parentToken)).json();
    expect(await group('pending')).toMatchObject({ total: 0 });
    d.t.clock.advance(31 * 60_000);
    expect(await group('pending')).toMatchObject({ total: 0 });
    expect(await group('closed')).toMatchObject({ total: 0 });
    expect((await d.request('GET', '/orders', f.parentToken)).json()).toMatchObject({ total: 1, items: [{ id: order.id, charging: true }] });
    expect((await d.request('POST', `/orders/${order.id}/pay`, f.parentToken, { gateway: 'alipay' })).json()).toMatchObject({ error: { code: 'ORDER_NOT_PAYABLE' } });
    expect((await d.request('POST', `/orders/${order.id}/cancel`, f.parentToken)).json()).toMatchObject({ error: { code: 'ORDER_NOT_CANCELLABLE' } });

    // Alipay is back. The next morning the card, still low, is not charged while that charge is open.
    await d.t.ctx.db.updateTable('payment_agreements').set({ gateway_base_url: endpoint }).where('parent_id', '=', f.parent.id).execute();
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: endpoint }).where('order_id', '=', order.id).execute();
    d.t.clock.advance(24 * 3600_000);
    await runAutoTopUps(d.t.ctx);
    expect(await runsOf(cardId)).toHaveLength(1);
    // Past its time limit and still open (the expiry job has not heard from Alipay yet): still 扣款中, not closed.
    const nextDayToken = await d.t.factory.loginAs('parent', f.parent.phone, f.parent.password);
    expect(await d.order(nextDayToken, order.id)).toMatchObject({ status: 'paying', charging: true });
    // The expiry job asks Alipay: no such trade, so the order expires; the next run tells the parent, and charges afresh.
    await expireDueOrders(d.t.ctx);
    const orderStatus = async () => (await d.t.ctx.db.selectFrom('payment_orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status;
    expect(await orderStatus()).toBe('expired');
    expect(await d.order(nextDayToken, order.id)).toMatchObject({ status: 'expired', charging: false });
    await runAutoTopUps(d.t.ctx);
    expect((await runsOf(cardId)).map((r) => [r.status, r.failure])).toEqual([['failed', 'unconfirmed'], ['paid', null]]);
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('未成功：未能确认扣款结果；如已扣款，将原路退回'), expect.stringContaining('已为其自动充值 ¥50.00')]);
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    await d.expectLedgerClean();
  });

  it('stops at the parent’s monthly cap: the charge that would pass it is not made, the parent is texted once, and the next month goes on', async () => {
    d.t.clock.set('2026-11-27T02:00:00Z'); // 10:00 in Beijing
    const f = await signedFamily();
    await d.cardOf(f.student.id);
    for (const monthlyCapFen of [4_999, 500_001, 1_000.5]) {
      const refused = await setting(f, { thresholdFen: 1_000, amountFen: 5_000, monthlyCapFen });
      expect([monthlyCapFen, refused.statusCode]).toEqual([monthlyCapFen, 400]);
    }
    const set = await setting(f, { thresholdFen: 1_000, amountFen: 5_000, monthlyCapFen: 12_000 });
    expect(set.json()).toMatchObject({ monthlyCapFen: 12_000, monthChargedFen: 0 });

    // Two days' top-ups: ¥100 this month; a third would make ¥150, past the ¥120 cap.
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1, capped: 0 });
    await d.spend(f.student.id, 4_500);
    d.t.clock.advance(24 * 3600_000);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1, capped: 0 });
    await d.spend(f.student.id, 5_000);
    d.t.clock.advance(24 * 3600_000);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, capped: 1 });
    expect(await d.purseFen(f.student.id)).toBe(500);
    d.t.clock.advance(60_000);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, capped: 1 });
    const texts = await textsTo(f.parent.phone);
    expect(texts).toHaveLength(3); // two charges, and the cap once
    expect(texts[2]).toContain('本月已为您孩子张**自动充值 ¥100.00，再充 ¥50.00 将超过您设置的每月上限 ¥120.00，本月不再自动充值');
    f.parentToken = await d.t.factory.loginAs('parent', f.parent.phone, f.parent.password); // days have passed
    expect((await setting(f)).json()).toMatchObject({ monthlyCapFen: 12_000, monthChargedFen: 10_000 });

    // December: a new month.
    d.t.clock.set('2026-12-01T02:00:00Z');
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 1, capped: 0 });
    expect(await d.purseFen(f.student.id)).toBe(5_500);
    f.parentToken = await d.t.factory.loginAs('parent', f.parent.phone, f.parent.password);
    expect((await setting(f)).json()).toMatchObject({ monthChargedFen: 5_000 });
    // No cap: the setting without one.
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).json()).toMatchObject({ monthlyCapFen: null });
    await d.expectLedgerClean();
  });

  it('charges only between 06:00 and 22:00 Beijing time', async () => {
    const f = await signedFamily();
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const before = d.t.clock.now();
    try {
      d.t.clock.set(`${before.toISOString().slice(0, 10)}T14:00:00Z`); // 22:00 in Beijing
      expect(await runAutoTopUps(d.t.ctx)).toEqual({ charged: 0, pending: 0, failed: 0, capped: 0, texted: 0 });
      d.t.clock.set(`${before.toISOString().slice(0, 10)}T21:59:00Z`); // 05:59 the next morning
      expect(await runAutoTopUps(d.t.ctx)).toEqual({ charged: 0, pending: 0, failed: 0, capped: 0, texted: 0 });
      expect(await runsOf(await d.cardOf(f.student.id))).toEqual([]);
      d.t.clock.set(`${before.toISOString().slice(0, 10)}T22:00:00Z`); // 06:00
      await runAutoTopUps(d.t.ctx);
      expect(await runsOf(await d.cardOf(f.student.id))).toMatchObject([{ status: 'paid' }]);
    } finally {
      d.t.clock.set(before);
    }
  });

  it('two job runs at once charge a card once', async () => {
    const f = await signedFamily();
    const cardId = await d.cardOf(f.student.id);
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    await Promise.all([runAutoTopUps(d.t.ctx), runAutoTopUps(d.t.ctx), runAutoTopUps(d.t.ctx)]);
    expect(await runsOf(cardId)).toHaveLength(1);
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);
    await d.expectLedgerClean();
  });

  it('ends when the parent ends the agreement (unsigned at Alipay) or the binding', async () => {
    const f = await signedFamily();
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const agreementId = (await agreementOf(f.parentToken)).id;
    const end = () => d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${agreementId}`, headers: d.headers(f.parentToken, { 'idempotency-key': `end-${agreementId}` }) });
    const ended = await end();
    expect(ended.statusCode, ended.body).toBe(200);
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, agreementActive: false });
    const agreement = await d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('parent_id', '=', f.parent.id).executeTakeFirstOrThrow();
    expect(agreement.status).toBe('ended');
    expect(await (await agreementClient(d.t.ctx, agreement.gateway, agreement.gateway_base_url)).queryAgreement(agreement.external_agreement_no)).toMatchObject({ state: 'not_found' });
    await runAutoTopUps(d.t.ctx);
    expect(await runsOf(await d.cardOf(f.student.id))).toEqual([]);
    // Ending it again (or after Alipay's unsign notification ended it first) is done already; an agreement not theirs is not found.
    const endedAgain = await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${agreementId}`, headers: d.headers(f.parentToken) });
    expect(endedAgain.statusCode, endedAgain.body).toBe(200);
    const stranger = await d.family();
    const notTheirs = await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${agreementId}`, headers: d.headers(stranger.parentToken) });
    expect([notTheirs.statusCode, notTheirs.json().error.code]).toEqual([404, 'PAYMENT_AGREEMENT_NONE']);
    expect(await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', agreementId).where('action', '=', 'payments.agreement.ended').execute()).toHaveLength(1);
    // Signed again; the old ending replayed (a retry of a lost answer) gets its stored answer and leaves the new agreement alone.
    const again = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    await actAtAgreementPage(again.signUrl, 'agree');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: again.agreement.id, status: 'active' });
    expect((await end()).statusCode).toBe(200);
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: again.agreement.id, status: 'active' });
    const renewed = await d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('id', '=', again.agreement.id).executeTakeFirstOrThrow();
    expect(await (await agreementClient(d.t.ctx, renewed.gateway, renewed.gateway_base_url)).queryAgreement(renewed.external_agreement_no)).toMatchObject({ state: 'active' });

    const g = await signedFamily();
    expect((await setting(g, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    await d.t.ctx.db.deleteFrom('parent_students').where('parent_id', '=', g.parent.id).execute();
    expect(await d.t.ctx.db.selectFrom('auto_top_ups').select('student_id').where('parent_id', '=', g.parent.id).execute()).toEqual([]);
  });
});

describe('Alipay’s agreement notifications (dut_user_sign, dut_user_unsign)', () => {
  const agreementRow = (parentId: string) => d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('parent_id', '=', parentId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const sandboxAgreement = (externalNo: string) => d.t.ctx.db.selectFrom('sandbox_agreements').selectAll().where('external_agreement_no', '=', externalNo).executeTakeFirstOrThrow();
  const appPage = (sandboxId: string) => `${d.origin}/api/v1/sandbox/alipay/agreement/${sandboxId}/app`;
  const atAlipayNo = async (externalNo: string) => (await sandboxAgreement(externalNo)).agreement_no ?? '';
  const agreementNotifications = (externalNo: string) => d.t.ctx.db.selectFrom('gateway_notifications').selectAll().where('order_no', '=', externalNo).orderBy('received_at').execute();

  it('sign a parent who agreed on Alipay’s page and never came back; a replayed copy changes nothing', async () => {
    const f = await d.family();
    const started = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    expect(new URL(started.signUrl).searchParams.get('notify_url')).toBe(`${d.origin}/api/v1/payments/notify/alipay`);
    await actAtAgreementPage(started.signUrl, 'agree');
    expect((await agreementRow(f.parent.id)).status).toBe('signing'); // nobody has asked Alipay yet

    d.t.clock.advance(1_000); // the audit rows in order of time
    await d.runJobs(); // the sandbox delivers dut_user_sign over HTTP
    const row = await agreementRow(f.parent.id);
    const atAlipay = await sandboxAgreement(row.external_agreement_no);
    expect(row).toMatchObject({ status: 'active', agreement_no: atAlipay.agreement_no, signed_at: atAlipay.signed_at });
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role', 'after']).where('entity_id', '=', row.id).orderBy('at').execute();
    expect(audit).toEqual([
      expect.objectContaining({ action: 'payments.agreement.signing' }),
      { action: 'payments.agreement.signed', actor_role: 'gateway', after: { agreementNo: expect.stringMatching(/^\d{4}\*{4}\d{4}$/), via: 'notification' } },
    ]);
    const [notice] = await agreementNotifications(row.external_agreement_no);
    expect(notice).toMatchObject({ outcome: 'processed', verified: true, trade_no: atAlipay.agreement_no, amount_fen: null });

    const replay = await d.postAlipayNotify(notice!.raw_body);
    expect([replay.statusCode, replay.body]).toEqual([200, 'success']);
    expect((await agreementNotifications(row.external_agreement_no)).map((n) => n.outcome)).toEqual(['processed', 'duplicate']);
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: row.id, status: 'active' });
  });

  it('end the agreement here when the parent closes the service in the Alipay app: auto top-ups stop and the parent is texted', async () => {
    const f = await signedFamily();
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const row = await agreementRow(f.parent.id);
    const closed = await closeInAlipayApp(appPage((await sandboxAgreement(row.external_agreement_no)).id));
    expect(closed.status).toBe(200);
    expect(closed.html).toContain('服务已关闭');

    await d.runJobs();
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'ended' });
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, agreementActive: false });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('免密代扣协议已解约，孩子学生卡的自动充值已停止')]);
    const ended = await d.t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('entity_id', '=', row.id).where('action', '=', 'payments.agreement.ended').executeTakeFirstOrThrow();
    expect(ended).toEqual({ actor_role: 'gateway', after: { reason: 'unsigned_at_gateway', autoTopUpsRemoved: [f.student.id] } });
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0 });
    expect(await runsOf(await d.cardOf(f.student.id))).toEqual([]);
    // The parent, who does not know, ends it in the app too: done already.
    const end = await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${row.id}`, headers: d.headers(f.parentToken) });
    expect(end.statusCode, end.body).toBe(200);
    expect(await agreementOf(f.parentToken)).toBeNull();
  });

  it('unsign at Alipay an agreement the parent ended here before agreeing on Alipay’s page, still open', async () => {
    const f = await d.family();
    const started = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    const end = await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${started.agreement.id}`, headers: d.headers(f.parentToken) });
    expect(end.statusCode, end.body).toBe(200);
    await actAtAgreementPage(started.signUrl, 'agree'); // the page was still open
    const row = await agreementRow(f.parent.id);
    expect((await sandboxAgreement(row.external_agreement_no)).status).toBe('NORMAL');

    // Alipay's gateway does not answer at first: the unsign is a job, retried until it does.
    const endpoint = row.gateway_base_url;
    await d.t.ctx.db.updateTable('payment_agreements').set({ gateway_base_url: 'http://127.0.0.1:9/gateway.do' }).where('id', '=', row.id).execute();
    await d.runJobs();
    const agreementNo = await atAlipayNo(row.external_agreement_no);
    const unsignJob = () => d.t.ctx.db.selectFrom('jobs').select(['status', 'attempts']).where('kind', '=', 'payments.unsign-agreement')
      .where(sql<boolean>`payload->>'agreementNo' = ${agreementNo}`).executeTakeFirstOrThrow();
    expect(await unsignJob()).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await sandboxAgreement(row.external_agreement_no)).status).toBe('NORMAL');
    await d.t.ctx.db.updateTable('jobs').set({ payload: JSON.stringify({ gatewayBaseUrl: endpoint, agreementNo }) })
      .where('kind', '=', 'payments.unsign-agreement').where(sql<boolean>`payload->>'agreementNo' = ${agreementNo}`).execute();
    d.t.clock.advance(10_000);
    await d.runJobs();
    expect(await unsignJob()).toMatchObject({ status: 'done', attempts: 2 });
    expect((await sandboxAgreement(row.external_agreement_no)).status).toBe('UNSIGN');
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'ended', agreement_no: null });
    // The signing, then Alipay's notice of our own unsign: neither changes the ended agreement.
    expect((await agreementNotifications(row.external_agreement_no)).map((n) => n.outcome)).toEqual(['processed', 'processed']);
    expect(await textsTo(f.parent.phone)).toEqual([]);
  });

  it('take Alipay’s notice of the unsign the parent asked for, landing before the ending here, as the parent’s ending: no text', async () => {
    const f = await signedFamily();
    expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
    const row = await agreementRow(f.parent.id);
    const caller = { sessionId: 'test', role: 'parent' as const, loginKind: 'parent' as const, subjectId: f.parent.id, schoolId: null };
    await unsignAtGateway(d.t.ctx, caller, row.id); // step one of DELETE
    await d.runJobs(); // dut_user_unsign arrives before step two
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'ended' });
    expect(await endAgreement(d.t.ctx, caller, row.id, 'test')).toBeNull(); // step two: done already
    const ended = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', row.id).where('action', '=', 'payments.agreement.ended').execute();
    expect(ended).toEqual([{ after: { reason: 'ended_by_parent', autoTopUpsRemoved: [f.student.id] } }]);
    expect(await textsTo(f.parent.phone)).toEqual([]);
  });

  it('do not make active an agreement the parent is ending when Alipay’s signing notice lands between the two steps; it is unsigned there', async () => {
    const f = await d.family();
    const started = (await d.request('POST', '/me/payment-agreement', f.parentToken, {})).json();
    const caller = { sessionId: 'test', role: 'parent' as const, loginKind: 'parent' as const, subjectId: f.parent.id, schoolId: null };
    await unsignAtGateway(d.t.ctx, caller, started.agreement.id); // Alipay still says TEMP: nothing to unsign yet
    await actAtAgreementPage(started.signUrl, 'agree');
    await d.runJobs(); // dut_user_sign, the unsign it calls for, and Alipay's notice of that unsign
    const row = await agreementRow(f.parent.id);
    expect((await sandboxAgreement(row.external_agreement_no)).status).toBe('UNSIGN');
    expect(row).toMatchObject({ status: 'ended', agreement_no: null }); // never active here
    expect(await endAgreement(d.t.ctx, caller, row.id, 'test')).toBeNull();
    expect(await agreementOf(f.parentToken)).toBeNull();
    expect(await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', row.id).where('action', '=', 'payments.agreement.signed').execute()).toEqual([]);
  });

  it('refuse a notification that is forged, about an agreement nobody started, or for another product, and change nothing', async () => {
    const f = await signedFamily();
    const row = await agreementRow(f.parent.id);
    const fields = (extra: Record<string, string>) => d.alipayNotification({
      notify_type: 'dut_user_unsign', status: 'UNSIGN', agreement_no: row.agreement_no!, external_agreement_no: row.external_agreement_no,
      personal_product_code: 'GENERAL_WITHHOLDING_P', sign_scene: 'INDUSTRY|EDU', unsign_time: '2026-11-23 10:00:00', ...extra,
    });
    const forged = (await fields({})).replace(/sign=[^&]{4}/, 'sign=AAAA');
    const cases: [string, string][] = [
      ['NOTIFY_SIGNATURE_INVALID', forged],
      ['NOTIFY_AGREEMENT_UNKNOWN', await fields({ external_agreement_no: 'OCnobodystartedthis' })],
      ['NOTIFY_MALFORMED', await fields({ personal_product_code: 'CYCLE_PAY_AUTH_P' })],
      ['NOTIFY_MALFORMED', await fields({ status: 'NORMAL' })],
      ['NOTIFY_MERCHANT_MISMATCH', await fields({ app_id: '2021000000000000' })],
    ];
    for (const [code, body] of cases) {
      const res = await d.postAlipayNotify(body);
      expect([code, res.statusCode, res.body]).toEqual([code, 400, 'fail']);
      const stored = await d.t.ctx.db.selectFrom('gateway_notifications').select(['outcome', 'error_code']).where('raw_body', '=', body).executeTakeFirstOrThrow();
      expect(stored).toEqual({ outcome: 'rejected', error_code: code });
    }
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'active' });
  });
});
