import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.js';
import type { AppContext } from '../../../platform/context.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { enqueueJob } from '../../../platform/jobs.js';
import { newId } from '../../../platform/ids.js';
import { alipayForm, parseAlipayForm, signAlipayNotification } from '../gateways/alipay.js';
import { alipayTime, fenToYuan, wechatTime } from '../gateways/formats.js';
import { sandboxKeys } from '../gateways/registry.js';
import type { SandboxKeyring } from '../gateways/sandbox-keys.js';
import { encryptWechatResource, signWechatMessage } from '../gateways/wechat.js';
import { paymentsRepository } from '../payments.repository.js';
import type { GatewayName } from '../payments.tables.js';
import { sandboxRepository as repo, type SandboxNotificationRow, type SandboxPaymentRow, type SandboxRefundRow } from './sandbox.repository.js';

/**
 * How the sandbox tells the merchant a trade was paid (or, Alipay, an agreement signed or ended): signed notifications POSTed over real
 * HTTP to the notify_url the merchant gave, retried on the gateway's own schedule until the
 * merchant acknowledges (Alipay: the body `success`; WeChat Pay: HTTP 200 or 204). The real
 * schedules span about 25 h (Alipay) and 24 h (WeChat Pay); the sandbox divides every delay by
 * a compression factor (setting `payments.sandbox_retry_compression`, default 60: 25 h → 25 min).
 */

export const deliverNotificationJob = 'payments.sandbox.deliver-notification';
export const retryCompressionSetting = 'payments.sandbox_retry_compression';
const defaultRetryCompression = 60;

const minute = 60_000;
const hour = 60 * minute;
/** Delays before each retry after the first delivery (Alipay: 2m,10m,10m,1h,2h,6h,15h; WeChat: 15s … 6h). */
const retryScheduleMs: Readonly<Record<GatewayName, readonly number[]>> = {
  alipay: [2 * minute, 10 * minute, 10 * minute, hour, 2 * hour, 6 * hour, 15 * hour],
  wechat: [15_000, 15_000, 30_000, 3 * minute, 10 * minute, 20 * minute, 30 * minute, 30 * minute, 30 * minute, hour, 3 * hour, 3 * hour, 3 * hour, 6 * hour, 6 * hour],
};

/** The cashier's test switches, per payment. */
export interface TestSwitches {
  /** Each delivery sends this many identical copies at once (1 = normal). */
  copies: number;
  /** Two notifications for the trade (a later status of it), the later one delivered first. */
  outOfOrder: boolean;
  /** The first delivery waits this long. */
  lateMs: number;
  /** Every delivery carries a corrupted signature. */
  badSignature: boolean;
}

export const noSwitches: TestSwitches = { copies: 1, outOfOrder: false, lateMs: 0, badSignature: false };

function alipayNotification(keys: SandboxKeyring, payment: SandboxPaymentRow, status: 'TRADE_SUCCESS' | 'TRADE_FINISHED', at: Date): string {
  const amount = fenToYuan(payment.amount_fen);
  const paidAt = alipayTime(payment.paid_at ?? at);
  return alipayForm(signAlipayNotification({
    notify_time: alipayTime(at), notify_type: 'trade_status_sync', notify_id: randomBytes(17).toString('hex'), charset: 'utf-8', version: '1.0',
    app_id: payment.app_id, auth_app_id: payment.app_id, seller_id: payment.merchant_id, buyer_id: '2088102177846880',
    trade_no: payment.trade_no, out_trade_no: payment.out_trade_no, trade_status: status, subject: payment.subject, body: payment.payee,
    total_amount: amount, receipt_amount: amount, invoice_amount: amount, buyer_pay_amount: amount, point_amount: '0.00',
    gmt_create: alipayTime(payment.created_at), gmt_payment: paidAt,
  }, keys.alipay.platformPrivateKey));
}

function wechatNotification(keys: SandboxKeyring, payment: SandboxPaymentRow, at: Date): string {
  const transaction = {
    appid: payment.app_id, mchid: payment.merchant_id, out_trade_no: payment.out_trade_no, transaction_id: payment.trade_no, trade_type: 'MWEB',
    trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', attach: payment.payee, success_time: wechatTime(payment.paid_at ?? at),
    payer: { openid: 'oSandbox0000000000000000000' }, amount: { total: payment.amount_fen, payer_total: payment.amount_fen, currency: 'CNY', payer_currency: 'CNY' },
  };
  return JSON.stringify({
    id: randomUUID(), create_time: wechatTime(at), resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
    resource: encryptWechatResource(JSON.stringify(transaction), keys.wechat.apiV3Key, 'transaction', 'transaction'),
  });
}

/** Where the money went (退款入账账户): the payer's balance, or after a 异常退款 the bank card or the merchant's account it named. */
export const receivedAccountOf = (refund: SandboxRefundRow): string => refund.received_account ?? '支付用户零钱';

/** WeChat Pay's REFUND.SUCCESS: the refund resource (original_type `refund`), encrypted with the APIv3 key. */
function wechatRefundNotification(keys: SandboxKeyring, payment: SandboxPaymentRow, refund: SandboxRefundRow, at: Date): string {
  const resource = {
    mchid: payment.merchant_id, out_trade_no: payment.out_trade_no, transaction_id: payment.trade_no, out_refund_no: refund.out_request_no, refund_id: refund.refund_no,
    refund_status: 'SUCCESS', success_time: wechatTime(refund.succeeded_at ?? at), user_received_account: receivedAccountOf(refund),
    amount: { total: payment.amount_fen, refund: refund.amount_fen, payer_total: payment.amount_fen, payer_refund: refund.amount_fen },
  };
  return JSON.stringify({
    id: randomUUID(), create_time: wechatTime(at), resource_type: 'encrypt-resource', event_type: 'REFUND.SUCCESS', summary: '退款成功',
    resource: encryptWechatResource(JSON.stringify(resource), keys.wechat.apiV3Key, 'refund', 'refund'),
  });
}

/** With the out-of-order switch: the second notification's status is this much newer, and the first leaves this much later. */
const outOfOrderGapMs = 1_000;

const contentTypes: Record<GatewayName, string> = { alipay: 'application/x-www-form-urlencoded; charset=utf-8', wechat: 'application/json' };

/**
 * Writes the paid trade's notifications and their first deliveries (in the cashier's transaction).
 * Out of order: a second, later notification of the trade (Alipay TRADE_FINISHED; WeChat a
 * second event id) is delivered at once and the first one a second later.
 */
export async function queueNotifications(ctx: AppContext, keys: SandboxKeyring, payment: SandboxPaymentRow, switches: TestSwitches): Promise<void> {
  const now = ctx.clock.now();
  const firstAt = new Date(now.getTime() + switches.lateMs);
  const later = new Date(now.getTime() + outOfOrderGapMs);
  const bodies = payment.gateway === 'alipay'
    ? [alipayNotification(keys, payment, 'TRADE_SUCCESS', now), ...(switches.outOfOrder ? [alipayNotification(keys, payment, 'TRADE_FINISHED', later)] : [])]
    : [wechatNotification(keys, payment, now), ...(switches.outOfOrder ? [wechatNotification(keys, payment, later)] : [])];
  for (const [index, body] of bodies.entries()) {
    const id = newId();
    await repo.insertNotification(ctx.db, {
      id, sandbox_payment_id: payment.id, sandbox_agreement_id: null, notify_id: notifyIdOf(payment.gateway, body), url: payment.notify_url, headers: JSON.stringify({ 'content-type': contentTypes[payment.gateway] }),
      body, copies: switches.copies, tamper_signature: switches.badSignature, created_at: now,
    });
    const runAt = new Date(firstAt.getTime() + (switches.outOfOrder && index === 0 ? outOfOrderGapMs : 0));
    await enqueueJob(ctx.db, ctx.clock, deliverNotificationJob, { notificationId: id }, { runAt, uniqueKey: `${deliverNotificationJob}:${id}:0`, maxAttempts: 1 });
  }
}

/** A succeeded WeChat Pay refund's notification and its first delivery, when the merchant gave a notify_url. */
export async function queueRefundNotification(ctx: AppContext, payment: SandboxPaymentRow, refund: SandboxRefundRow): Promise<void> {
  if (payment.gateway !== 'wechat' || !refund.notify_url) return;
  const body = wechatRefundNotification(await sandboxKeys(ctx), payment, refund, ctx.clock.now());
  await queueOne(ctx.db, ctx.clock, { sandbox_payment_id: payment.id }, 'wechat', refund.notify_url, body);
}

/**
 * An agreement notification and its first delivery, in the caller's transaction: Alipay's
 * dut_user_sign / dut_user_unsign (signed by the caller), or WeChat Pay's ENTRUST.SIGN /
 * ENTRUST.TERMINATE (its resource encrypted by the caller; each delivery is signed when sent).
 */
export async function queueAgreementNotification(db: DbOrTx, clock: Clock, gateway: GatewayName, agreementId: string, url: string, body: string): Promise<void> {
  await queueOne(db, clock, { sandbox_agreement_id: agreementId }, gateway, url, body);
}

async function queueOne(db: DbOrTx, clock: Clock, subject: { sandbox_payment_id: string } | { sandbox_agreement_id: string }, gateway: GatewayName, url: string, body: string): Promise<void> {
  const id = newId();
  await repo.insertNotification(db, {
    id, sandbox_payment_id: null, sandbox_agreement_id: null, ...subject, notify_id: notifyIdOf(gateway, body), url, headers: JSON.stringify({ 'content-type': contentTypes[gateway] }),
    body, copies: 1, tamper_signature: false, created_at: clock.now(),
  });
  await enqueueJob(db, clock, deliverNotificationJob, { notificationId: id }, { runAt: clock.now(), uniqueKey: `${deliverNotificationJob}:${id}:0`, maxAttempts: 1 });
}

function notifyIdOf(gateway: GatewayName, body: string): string {
  return gateway === 'alipay' ? (parseAlipayForm(body)?.notify_id ?? '') : (JSON.parse(body) as { id: string }).id;
}

interface DeliveryRequest {
  headers: Record<string, string>;
  body: string;
}

/** Flips one character of a base64 signature, keeping it well-formed but wrong. */
function corrupt(signature: string): string {
  const first = signature.charAt(0);
  return (first === 'A' ? 'B' : 'A') + signature.slice(1);
}

/**
 * The request of one delivery. Alipay's notification is signed once (its notify_time is part of
 * it); WeChat Pay signs each delivery afresh, since a signature older than five minutes is refused.
 */
function deliveryRequest(keys: SandboxKeyring, gateway: GatewayName, row: SandboxNotificationRow, now: Date): DeliveryRequest {
  const headers = row.headers;
  if (gateway === 'alipay') {
    const params = parseAlipayForm(row.body) ?? {};
    return { headers, body: row.tamper_signature ? alipayForm({ ...params, sign: corrupt(params.sign ?? '') }) : row.body };
  }
  const signed = signWechatMessage(row.body, { serialNo: keys.wechat.platformSerialNo, privateKeyPem: keys.wechat.platformPrivateKey }, now);
  return { headers: { ...headers, ...signed, ...(row.tamper_signature ? { 'wechatpay-signature': corrupt(signed['wechatpay-signature']) } : {}) }, body: row.body };
}

const deliveryTimeoutMs = 5_000;

async function post(url: string, request: DeliveryRequest): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(deliveryTimeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function acknowledged(gateway: GatewayName, result: Awaited<ReturnType<typeof post>>): boolean {
  if ('error' in result) return false;
  return gateway === 'alipay' ? result.status === 200 && result.body.trim() === 'success' : result.status === 200 || result.status === 204;
}

function resultText(result: Awaited<ReturnType<typeof post>>): string {
  return 'error' in result ? `error: ${result.error}` : `${result.status} ${result.body.slice(0, 80)}`;
}

async function retryCompression(ctx: AppContext): Promise<number> {
  const value = await paymentsRepository.getSetting<number>(ctx.db, retryCompressionSetting);
  return typeof value === 'number' && value >= 1 ? value : defaultRetryCompression;
}

/** The job: one delivery of one notification, then the next retry or the end. */
export async function deliverNotification(ctx: AppContext, notificationId: string): Promise<void> {
  const row = await repo.findNotification(ctx.db, notificationId);
  if (!row || row.delivered_at || row.gave_up_at) return;
  // A trade's gateway, or the agreement's (Alipay's 商户代扣 or WeChat Pay's 委托代扣 contract).
  const gateway = row.sandbox_payment_id ? (await repo.findPayment(ctx.db, row.sandbox_payment_id))?.gateway
    : row.sandbox_agreement_id ? (await repo.findAgreement(ctx.db, row.sandbox_agreement_id))?.gateway : undefined;
  if (!gateway) return;
  const keys = await sandboxKeys(ctx);
  const copies = row.attempts === 0 ? row.copies : 1;
  const results = await Promise.all(Array.from({ length: copies }, () => post(row.url, deliveryRequest(keys, gateway, row, ctx.clock.now()))));
  const attempts = row.attempts + 1;
  const now = ctx.clock.now();
  if (results.some((r) => acknowledged(gateway, r))) {
    await repo.updateNotification(ctx.db, row.id, { attempts, delivered_at: now, last_result: resultText(results[0] ?? { error: 'nothing sent' }) });
    return;
  }
  const delayMs = retryScheduleMs[gateway][attempts - 1];
  await repo.updateNotification(ctx.db, row.id, { attempts, last_result: resultText(results[0] ?? { error: 'nothing sent' }), ...(delayMs === undefined ? { gave_up_at: now } : {}) });
  if (delayMs === undefined) return;
  const runAt = new Date(now.getTime() + Math.round(delayMs / (await retryCompression(ctx))));
  await enqueueJob(ctx.db, ctx.clock, deliverNotificationJob, { notificationId: row.id }, { runAt, uniqueKey: `${deliverNotificationJob}:${row.id}:${attempts}`, maxAttempts: 1 });
}
