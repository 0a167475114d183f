import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { sandboxKeys, sandboxWechatPlanId } from '../../src/modules/payments/gateways/registry.js';
import { WechatPayClient } from '../../src/modules/payments/gateways/wechat-client.js';
import { abnormalRefundBusySetting, refundFailureSetting, refundProcessingSetting } from '../../src/modules/payments/sandbox/sandbox-wechat.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * Refunds WeChat Pay gave up on, settled by an operator through the sandbox over real HTTP:
 * 异常退款 to the payer's bank card or to the merchant's bank account (then the offline transfer),
 * and a CLOSED refund asked again. The money moves once, the ledger stays clean, and what the
 * refund was for closes as after any refund.
 */

let d: PaymentsDriver;
let operator: string;
let manager: string;
let testNo = 0;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
beforeEach(async () => {
  d.t.clock.set(new Date(Date.UTC(2026, 10, 23, 1 + testNo++)));
  operator = await d.t.factory.operatorToken();
  const school = await d.t.factory.newSchool();
  const staff = await d.t.factory.newStaff('school_admin', { schoolId: school.id });
  manager = await d.t.factory.loginAs('staff', staff.username, staff.password);
});

const refundRow = (refundId: string) => d.t.ctx.db.selectFrom('payment_refunds').selectAll().where('id', '=', refundId).executeTakeFirstOrThrow();
const sandboxRefund = (outRequestNo: string) => d.t.ctx.db.selectFrom('sandbox_refunds').selectAll().where('out_request_no', '=', outRequestNo).executeTakeFirstOrThrow();
const sandboxTrade = (orderNo: string) => d.t.ctx.db.selectFrom('sandbox_payments').selectAll().where('out_trade_no', '=', orderNo).executeTakeFirstOrThrow();
const auditOf = async (entityId: string) => (await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role', 'after']).where('entity_id', '=', entityId).orderBy('at').orderBy('id').execute());
const ledgerKeysOf = async (refundId: string) =>
  (await d.t.ctx.db.selectFrom('ledger_transactions').select('idempotency_key').where(sql<boolean>`metadata @> ${JSON.stringify({ refundId })}::jsonb`).orderBy('created_at').execute()).map((t) => t.idempotency_key.split(':')[0]);

/** A sandbox switch (a setting) on while `body` runs, then off. */
async function withSwitch<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  await d.t.ctx.db.insertInto('settings').values({ key, value: JSON.stringify(value), updated_at: d.t.clock.now(), updated_by: null }).execute();
  try {
    return await body();
  } finally {
    await d.t.ctx.db.deleteFrom('settings').where('key', '=', key).execute();
  }
}

/** New WeChat Pay refunds fail so while `body` runs (the sandbox's switch), then succeed again. */
const refundsFail = <T>(status: 'ABNORMAL' | 'CLOSED', body: () => Promise<T>): Promise<T> => withSwitch(refundFailureSetting, status, body);

/** A paid WeChat top-up refunded by an operator, the refund failed at the gateway as `status`. */
async function failedOperatorRefund(status: 'ABNORMAL' | 'CLOSED', amountFen: number) {
  const { student, studentToken } = await d.family();
  const order = await d.topUp(studentToken, student.id, amountFen);
  await d.payAtCashier(studentToken, order.id, 'wechat');
  await d.runJobs();
  const payableBefore = await d.balanceFen('refunds:payable');
  const res = await refundsFail(status, () => d.request('POST', `/admin/orders/${order.id}/refunds`, operator, { note: '学生转学，核实后退回' }));
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json()).toMatchObject({ status: 'failed', gatewayFailure: status });
  return { student, studentToken, order, refundId: (res.json() as { id: string }).id, payableBefore };
}

const toCard = { route: 'user_bank_card', bankType: 'ICBC_DEBIT', bankAccount: '6222 0212 3456 7890 123', realName: '张三' } as const;

describe('异常退款 to the payer’s bank card', () => {
  it('is sent encrypted, kept as bank and last four digits only, and its REFUND.SUCCESS refunds the order once', async () => {
    const { studentToken, order, refundId, payableBefore } = await failedOperatorRefund('ABNORMAL', 3000);
    const path = `/admin/refunds/${refundId}/abnormal-refund`;
    expect((await d.request('POST', path, manager, toCard)).statusCode).toBe(403);
    expect((await d.request('POST', path, operator, { ...toCard, bankAccount: '6222 0212 345' })).json()).toMatchObject({ error: { code: 'BANK_ACCOUNT_INVALID' } });
    expect((await d.request('POST', path, operator, { ...toCard, bankType: 'HSBC_DEBIT' })).statusCode).toBe(400);
    expect((await d.request('POST', `/admin/refunds/${refundId}/rerequest`, operator)).json()).toMatchObject({ error: { code: 'REFUND_NOT_CLOSED' } });
    expect((await refundRow(refundId)).status).toBe('failed'); // nothing half-written by the refusals

    const applied = await d.request('POST', path, operator, toCard, { 'idempotency-key': 'abnormal-card-1' });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ status: 'requested', abnormal: { route: 'user_bank_card', bankType: 'ICBC_DEBIT', accountLast4: '0123' } });
    const row = await refundRow(refundId);
    // WeChat got the card (it decrypted and checked it); we kept neither the number nor the name.
    expect(await sandboxRefund(row.out_request_no)).toMatchObject({ abnormal_type: 'USER_BANK_CARD', failed_status: null });
    const stored = JSON.stringify([row, await auditOf(refundId)]);
    expect(stored).not.toContain('6222021234567890123');
    expect(stored).not.toContain('张三');
    // A replay answers the same; a second application is refused.
    expect((await d.request('POST', path, operator, toCard, { 'idempotency-key': 'abnormal-card-1' })).statusCode).toBe(200);
    expect((await d.request('POST', path, operator, toCard, { 'idempotency-key': 'abnormal-card-2' })).json()).toMatchObject({ error: { code: 'REFUND_ABNORMAL_ALREADY_APPLIED' } });

    await d.runJobs(); // WeChat pays it to the card and notifies REFUND.SUCCESS
    expect(await refundRow(refundId)).toMatchObject({ status: 'succeeded', last_error: null });
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded', refundedFen: 3000 });
    expect((await sandboxTrade(order.orderNo)).refunded_fen).toBe(3000);
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve', 'refund-paid']); // paid out once
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
    expect((await auditOf(refundId)).map((a) => a.action)).toEqual([
      'payments.refund.requested', 'payments.refund.failed_at_gateway', 'payments.refund.abnormal_applied', 'payments.refund.succeeded',
    ]);
    expect((await d.request('POST', path, operator, toCard)).json()).toMatchObject({ error: { code: 'REFUND_ABNORMAL_ALREADY_APPLIED' } });
    await d.expectLedgerClean();
  });

  it('refused by WeChat: failed again with its reason, nothing booked, and the operator may try again', async () => {
    const { refundId, payableBefore } = await failedOperatorRefund('ABNORMAL', 1200);
    // WeChat no longer holds the refund as ABNORMAL (settled in its merchant platform, say): it refuses.
    await d.t.ctx.db.updateTable('sandbox_refunds').set({ failed_status: null }).where('out_request_no', '=', (await refundRow(refundId)).out_request_no).execute();
    const refused = await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, toCard);
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toMatchObject({ error: { code: 'GATEWAY_REJECTED', details: { code: 'INVALID_REQUEST' } } });
    expect(await refundRow(refundId)).toMatchObject({ status: 'failed', gateway_failure: 'ABNORMAL', last_error: expect.stringContaining('INVALID_REQUEST') });
    expect((await auditOf(refundId)).map((a) => a.action).slice(-2)).toEqual(['payments.refund.abnormal_applied', 'payments.refund.abnormal_refused']);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 1200);
    await d.expectLedgerClean();
  });

  it('WeChat refuses a card not encrypted with its platform key, and takes one that is', async () => {
    const { refundId } = await failedOperatorRefund('ABNORMAL', 1300);
    const row = await refundRow(refundId);
    const attempt = await d.t.ctx.db.selectFrom('payment_attempts').select('gateway_base_url').where('order_id', '=', row.order_id).executeTakeFirstOrThrow();
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const merchant = { appId: keys.appId, mchid: keys.mchid, serialNo: keys.merchantSerialNo, privateKey: keys.merchantPrivateKey, apiV3Key: keys.apiV3Key, planId: sandboxWechatPlanId };
    const apply = (platformKeys: Map<string, string>) => new WechatPayClient({ ...merchant, platformKeys }, attempt.gateway_base_url, d.t.clock)
      .applyAbnormalRefund({ gatewayRefundNo: row.gateway_refund_no!, outRequestNo: row.out_request_no, route: 'user_bank_card', bankType: 'CMB_DEBIT', bankAccount: '6225880012345678', realName: '李四' });
    const refusal = (error: unknown) => (isDomainError(error, 'GATEWAY_REJECTED') ? error.details : error);
    // Encrypted with a key that is not WeChat's platform key, named by another serial: refused, nothing applied.
    const platform = new Map([[keys.platformSerialNo, keys.platformPublicKey]]);
    await expect(apply(new Map([['OTHER', other.publicKey], ...platform])).catch(refusal)).resolves.toMatchObject({ code: 'PARAM_ERROR', message: 'Wechatpay-Serial 与平台证书序列号不符' });
    expect((await sandboxRefund(row.out_request_no)).failed_status).toBe('ABNORMAL');
    await expect(apply(platform)).resolves.toEqual({ status: 'SUCCESS' });
    // Wechatpay-Serial is required for the merchant's account too: sent, and naming WeChat's key.
    const toMerchant = (platformKeys: Map<string, string>) => new WechatPayClient({ ...merchant, platformKeys }, attempt.gateway_base_url, d.t.clock)
      .applyAbnormalRefund({ gatewayRefundNo: row.gateway_refund_no!, outRequestNo: row.out_request_no, route: 'merchant_bank_card' });
    await expect(toMerchant(new Map([['OTHER', other.publicKey], ...platform])).catch(refusal)).resolves.toMatchObject({ code: 'PARAM_ERROR', message: 'Wechatpay-Serial 与平台证书序列号不符' });
    expect((await sandboxRefund(row.out_request_no)).abnormal_type).toBe('USER_BANK_CARD');
  });
});

describe('异常退款 to the merchant’s bank account', () => {
  it('owes the payer until the offline transfer is recorded; then the balance refund completes, the money moved once', async () => {
    const { student, parentToken } = await d.family();
    const topUp = await d.topUp(parentToken, student.id, 5000);
    await d.payAtCashier(parentToken, topUp.id, 'wechat');
    await d.runJobs();
    const payableBefore = await d.balanceFen('refunds:payable');
    const cardId = await d.cardOf(student.id);
    const requested = await refundsFail('ABNORMAL', () => d.request('POST', '/balance-refunds', parentToken, { cardId }));
    expect(requested.json()).toMatchObject({ status: 'refunding', refunds: [{ status: 'failed', gatewayFailure: 'ABNORMAL' }] });
    const balanceRefundId = (requested.json() as { id: string }).id;
    const refundId = (requested.json() as { refunds: { id: string }[] }).refunds[0]!.id;
    const transfer = `/admin/refunds/${refundId}/offline-transfer`;
    expect((await d.request('POST', transfer, operator, { reference: 'BANK-0001' })).json()).toMatchObject({ error: { code: 'REFUND_NOT_OFFLINE_DUE' } });

    const applied = await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' });
    expect(applied.json()).toMatchObject({ status: 'requested', abnormal: { route: 'merchant_bank_card', bankType: null, accountLast4: null } });
    await d.runJobs(); // WeChat pays it into our bank account and notifies REFUND.SUCCESS
    expect(await refundRow(refundId)).toMatchObject({ status: 'offline_due', completed_at: null });
    // WeChat's clearing paid out; the money sits in our bank and is still owed to the payer.
    expect(await d.balanceFen('clearing:merchant_bank')).toBe(5000);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 5000);
    expect((await d.request('GET', `/balance-refunds/${balanceRefundId}`, parentToken)).json()).toMatchObject({ status: 'refunding' });
    await d.expectLedgerClean();

    expect((await d.request('POST', transfer, manager, { reference: 'BANK-0001' })).statusCode).toBe(403);
    const paid = await d.request('POST', transfer, operator, { reference: 'BANK-0001' }, { 'idempotency-key': 'offline-1' });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'succeeded', offlineReference: 'BANK-0001' });
    expect((await d.request('POST', transfer, operator, { reference: 'BANK-0001' }, { 'idempotency-key': 'offline-1' })).json()).toMatchObject({ status: 'succeeded' });
    expect((await d.request('POST', transfer, operator, { reference: 'BANK-0002' })).json()).toMatchObject({ error: { code: 'REFUND_OFFLINE_ALREADY_RECORDED' } });
    expect((await d.request('GET', `/balance-refunds/${balanceRefundId}`, parentToken)).json()).toMatchObject({ status: 'completed' });
    expect(await d.balanceFen('clearing:merchant_bank')).toBe(0);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-to-merchant-bank', 'refund-offline-paid']);
    expect((await auditOf(refundId)).map((a) => a.action)).toEqual([
      'payments.refund.requested', 'payments.refund.failed_at_gateway', 'payments.refund.abnormal_applied', 'payments.refund.paid_to_merchant_bank', 'payments.refund.offline_paid',
    ]);
    // The console sees the order's ledger with both steps.
    const detail = (await d.request('GET', `/admin/orders/${topUp.id}`, operator)).json() as { refunds: { id: string; offlineReference: string | null }[]; ledger: { memo: string }[] };
    expect(detail.refunds).toEqual([expect.objectContaining({ id: refundId, offlineReference: 'BANK-0001' })]);
    expect(detail.ledger.map((t) => t.memo)).toEqual(expect.arrayContaining(['异常退款退至商户银行账户，待线下转账', '线下转账退款 BANK-0001']));
    await d.expectLedgerClean();
  });
});

describe('a refund WeChat CLOSED', () => {
  it('is asked again under a new number for the same amount, the money reserved once and paid once', async () => {
    const { studentToken, order, refundId, payableBefore } = await failedOperatorRefund('CLOSED', 2500);
    expect((await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, toCard)).json()).toMatchObject({ error: { code: 'REFUND_NOT_ABNORMAL' } });
    expect((await d.request('POST', `/admin/refunds/${refundId}/rerequest`, manager)).statusCode).toBe(403);

    const again = await d.request('POST', `/admin/refunds/${refundId}/rerequest`, operator, undefined, { 'idempotency-key': 'rerequest-1' });
    expect(again.statusCode, again.body).toBe(201);
    const created = again.json() as { id: string; status: string; amountFen: number; replacesRefundId: string };
    expect(created).toMatchObject({ status: 'succeeded', amountFen: 2500, replacesRefundId: refundId });
    const [closed, replacement] = [await refundRow(refundId), await refundRow(created.id)];
    expect(closed.status).toBe('superseded');
    expect(replacement.out_request_no).not.toBe(closed.out_request_no);
    expect((await d.request('POST', `/admin/refunds/${refundId}/rerequest`, operator, undefined, { 'idempotency-key': 'rerequest-1' })).json()).toMatchObject({ id: created.id });
    expect((await d.request('POST', `/admin/refunds/${refundId}/rerequest`, operator)).json()).toMatchObject({ error: { code: 'REFUND_ALREADY_REREQUESTED' } });
    expect((await d.request('POST', `/admin/refunds/${created.id}/rerequest`, operator)).json()).toMatchObject({ error: { code: 'REFUND_NOT_FAILED' } });

    await d.runJobs();
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded', refundedFen: 2500 });
    expect((await sandboxTrade(order.orderNo)).refunded_fen).toBe(2500);
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve']);
    expect(await ledgerKeysOf(created.id)).toEqual(['refund-paid']);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
    expect((await auditOf(refundId)).map((a) => a.action)).toEqual(['payments.refund.requested', 'payments.refund.failed_at_gateway', 'payments.refund.rerequested']);
    await d.expectLedgerClean();
  });

  it('of a balance refund: the console counts the new refund, not the superseded one (1 of 1 succeeded)', async () => {
    const { student, parentToken } = await d.family();
    const topUp = await d.topUp(parentToken, student.id, 4000);
    await d.payAtCashier(parentToken, topUp.id, 'wechat');
    await d.runJobs();
    const requested = await refundsFail('CLOSED', async () => d.request('POST', '/balance-refunds', parentToken, { cardId: await d.cardOf(student.id) }));
    const balanceRefundId = (requested.json() as { id: string }).id;
    const refundId = (requested.json() as { refunds: { id: string }[] }).refunds[0]!.id;
    expect((await d.request('POST', `/admin/refunds/${refundId}/rerequest`, operator)).json()).toMatchObject({ status: 'succeeded' });
    expect((await d.request('GET', `/balance-refunds/${balanceRefundId}`, parentToken)).json()).toMatchObject({ status: 'completed' });
    const listed = (await d.request('GET', `/admin/balance-refunds?q=${encodeURIComponent(student.education_id)}`, operator)).json() as { items: { id: string }[] };
    expect(listed.items.find((r) => r.id === balanceRefundId)).toMatchObject({ status: 'completed', gatewayRefunds: 1, gatewayRefundsSucceeded: 1 });
  });
});

/** WeChat holds an accepted 异常退款 PROCESSING for a minute before it pays it and notifies REFUND.SUCCESS. */
const slowly = <T>(body: () => Promise<T>): Promise<T> => withSwitch(refundProcessingSetting, 60_000, body);

/** WeChat's REFUND.<status> for our refund, as its notification carries it (a new notify id each time). */
async function notified(refundId: string, orderNo: string, status: 'SUCCESS' | 'ABNORMAL', userReceivedAccount: string) {
  const row = await refundRow(refundId);
  const trade = await sandboxTrade(orderNo);
  const resource = {
    out_trade_no: orderNo, transaction_id: trade.trade_no, out_refund_no: row.out_request_no, refund_id: row.gateway_refund_no, user_received_account: userReceivedAccount,
    amount: { total: trade.amount_fen, refund: row.amount_fen, payer_total: trade.amount_fen, payer_refund: row.amount_fen },
  };
  return d.postWechatNotify(await d.wechatRefundNotification(resource, `REFUND.${status}`));
}

describe('an application WeChat is processing', () => {
  it('is not put back to failed by a late or redelivered REFUND.ABNORMAL: WeChat is asked, answers PROCESSING, and the refund later succeeds once', async () => {
    const { studentToken, order, refundId } = await failedOperatorRefund('ABNORMAL', 1800);
    const applied = await slowly(() => d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, toCard));
    expect(applied.json()).toMatchObject({ status: 'requested', abnormal: { route: 'user_bank_card' }, abnormalPending: null });
    // The first refund's ABNORMAL, delivered again under a new id after the operator applied.
    expect((await notified(refundId, order.orderNo, 'ABNORMAL', '支付用户零钱')).statusCode).toBe(204);
    expect(await refundRow(refundId)).toMatchObject({ status: 'requested', abnormal_route: 'user_bank_card', last_error: 'processing at the gateway' });
    expect((await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' })).json()).toMatchObject({ error: { code: 'REFUND_ABNORMAL_ALREADY_APPLIED' } });
    d.t.clock.advance(61_000);
    await d.runJobs(); // WeChat pays the card and notifies REFUND.SUCCESS
    expect(await refundRow(refundId)).toMatchObject({ status: 'succeeded' });
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded', refundedFen: 1800 });
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve', 'refund-paid']);
    expect((await auditOf(refundId)).map((a) => a.action)).toEqual(['payments.refund.requested', 'payments.refund.failed_at_gateway', 'payments.refund.abnormal_applied', 'payments.refund.succeeded']);
    await d.expectLedgerClean();
  });

  it('keeps its route when a later application is refused, and WeChat’s success to the payer’s card is booked as paid, not as owed offline', async () => {
    const { studentToken, order, refundId, payableBefore } = await failedOperatorRefund('ABNORMAL', 2200);
    await slowly(() => d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, toCard));
    // However the refund came to say failed again meanwhile, the operator now tries the merchant's account: WeChat refuses (it is paying the card).
    await d.t.ctx.db.updateTable('payment_refunds').set({ status: 'failed' }).where('id', '=', refundId).execute();
    const refused = await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' });
    expect(refused.statusCode).toBe(502);
    expect(await refundRow(refundId)).toMatchObject({ status: 'failed', abnormal_route: 'user_bank_card', abnormal_account_last4: '0123', abnormal_pending_route: null });
    expect((await auditOf(refundId)).at(-1)).toMatchObject({ action: 'payments.refund.abnormal_refused', after: { refusedRoute: 'merchant_bank_card', route: 'user_bank_card' } });
    d.t.clock.advance(61_000);
    await d.runJobs(); // WeChat pays the card (中国工商银行借记卡0123) and notifies REFUND.SUCCESS
    expect(await refundRow(refundId)).toMatchObject({ status: 'succeeded', route_conflict: null });
    expect(await d.order(studentToken, order.id)).toMatchObject({ status: 'refunded' });
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve', 'refund-paid']);
    expect(await d.balanceFen('clearing:merchant_bank')).toBe(0);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore);
    await d.expectLedgerClean();
  });

  it('paid to the payer’s card by WeChat’s word is booked as paid though our route said the merchant’s account', async () => {
    const { order, refundId } = await failedOperatorRefund('ABNORMAL', 1600);
    await slowly(() => d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, toCard));
    await d.t.ctx.db.updateTable('payment_refunds').set({ abnormal_route: 'merchant_bank_card' }).where('id', '=', refundId).execute();
    expect((await notified(refundId, order.orderNo, 'SUCCESS', '中国工商银行借记卡0123')).statusCode).toBe(204);
    expect(await refundRow(refundId)).toMatchObject({ status: 'succeeded', offline_reference: null });
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve', 'refund-paid']);
    expect((await auditOf(refundId)).at(-1)).toMatchObject({ action: 'payments.refund.succeeded', after: { receivedAccount: '中国工商银行借记卡0123', routesAsked: ['merchant_bank_card'] } });
    await d.expectLedgerClean();
  });

  it('reported paid into the merchant’s account when we sent it to the payer’s card: nothing booked, flagged for an operator and audited, the job leaves it', async () => {
    const { order, refundId, payableBefore } = await failedOperatorRefund('ABNORMAL', 1400);
    await slowly(() => d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' }));
    // Our record says the payer's card (as a route overwritten before the fix could), WeChat pays the merchant's account.
    await d.t.ctx.db.updateTable('payment_refunds').set({ abnormal_route: 'user_bank_card', abnormal_bank_type: 'ICBC_DEBIT', abnormal_account_last4: '0123' }).where('id', '=', refundId).execute();
    d.t.clock.advance(61_000);
    await d.runJobs(); // WeChat notifies REFUND.SUCCESS, user_received_account 商户结算银行账户
    const flagged = await refundRow(refundId);
    expect(flagged).toMatchObject({ status: 'requested', route_conflict: '商户结算银行账户', last_error: expect.stringContaining('ROUTE_CONFLICT') });
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve']);
    expect(await d.balanceFen('clearing:merchant_bank')).toBe(0);
    expect(await d.balanceFen('refunds:payable')).toBe(payableBefore + 1400);
    expect((await auditOf(refundId)).at(-1)).toMatchObject({ action: 'payments.refund.route_conflict', after: { receivedAccount: '商户结算银行账户', routesAsked: ['user_bank_card'] } });
    const view = (await d.request('GET', `/admin/orders/${order.id}`, operator)).json() as { refunds: { id: string; routeConflict: string | null }[] };
    expect(view.refunds.find((r) => r.id === refundId)).toMatchObject({ routeConflict: '商户结算银行账户' });
    d.t.clock.advance(5 * 60_000);
    await d.runJobs();
    expect(await refundRow(refundId)).toMatchObject({ status: 'requested', attempts: flagged.attempts, route_conflict: '商户结算银行账户' });
    // A later word from WeChat books nothing either: the operator checks first.
    expect((await notified(refundId, order.orderNo, 'SUCCESS', '中国工商银行借记卡0123')).statusCode).toBe(204);
    expect(await refundRow(refundId)).toMatchObject({ status: 'requested', route_conflict: '商户结算银行账户' });
    expect(await ledgerKeysOf(refundId)).toEqual(['refund-reserve']);
    expect((await auditOf(refundId)).filter((a) => a.action === 'payments.refund.route_conflict')).toHaveLength(1);
    await d.expectLedgerClean();
  });
});

describe('WeChat busy or a request replayed', () => {
  it('a 5xx SYSTEM_ERROR or 429 is no refusal: the application stays pending, the job asks WeChat, which says ABNORMAL (it never arrived), and the operator applies again', async () => {
    const { refundId } = await failedOperatorRefund('ABNORMAL', 1100);
    for (const busy of ['SYSTEM_ERROR', 'FREQUENCY_LIMITED']) {
      const res = await withSwitch(abnormalRefundBusySetting, busy, () => d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' }));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'requested', abnormal: null, abnormalPending: { route: 'merchant_bank_card' } });
      expect((await auditOf(refundId)).map((a) => a.action)).not.toContain('payments.refund.abnormal_refused');
      d.t.clock.advance(2 * 60_000);
      await d.runJobs(); // the retry job queries the refund: still ABNORMAL at WeChat
      expect(await refundRow(refundId)).toMatchObject({ status: 'failed', gateway_failure: 'ABNORMAL', abnormal_pending_route: null, abnormal_route: null, last_error: 'ABNORMAL at the gateway (query)' });
    }
    const applied = await d.request('POST', `/admin/refunds/${refundId}/abnormal-refund`, operator, { route: 'merchant_bank_card' });
    expect(applied.json()).toMatchObject({ status: 'requested', abnormal: { route: 'merchant_bank_card' }, abnormalPending: null });
    await d.runJobs();
    expect(await refundRow(refundId)).toMatchObject({ status: 'offline_due' });
    await d.expectLedgerClean();
  });

  it('a replayed request answers the refund as it is and does not send the application again', async () => {
    const { refundId } = await failedOperatorRefund('ABNORMAL', 1700);
    const path = `/admin/refunds/${refundId}/abnormal-refund`;
    // WeChat busy: the application waits, its outcome unknown.
    await withSwitch(abnormalRefundBusySetting, 'SYSTEM_ERROR', () => d.request('POST', path, operator, toCard, { 'idempotency-key': 'abnormal-replay-1' }));
    const replay = await d.request('POST', path, operator, toCard, { 'idempotency-key': 'abnormal-replay-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toMatchObject({ status: 'requested', abnormal: null, abnormalPending: { route: 'user_bank_card' } });
    // Not sent again: WeChat still holds the refund ABNORMAL, with no application.
    expect(await sandboxRefund((await refundRow(refundId)).out_request_no)).toMatchObject({ failed_status: 'ABNORMAL', abnormal_type: null });
    expect(await refundRow(refundId)).toMatchObject({ status: 'requested', abnormal_route: null, abnormal_pending_route: 'user_bank_card' });
    expect((await auditOf(refundId)).map((a) => a.action)).toEqual(['payments.refund.requested', 'payments.refund.failed_at_gateway', 'payments.refund.abnormal_applied']);
  });
});
