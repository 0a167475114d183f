import { randomInt } from 'node:crypto';
import type { AppContext } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/database.js';
import { newId } from '../../../platform/ids.js';
import { enqueueJob } from '../../../platform/jobs.js';
import { sandboxKeys } from '../gateways/registry.js';
import type { GatewayName } from '../payments.tables.js';
import { queueNotifications, queueRefundNotification, type TestSwitches } from './sandbox-notifications.js';
import { sandboxRepository as repo, type SandboxPaymentRow, type SandboxRefundRow } from './sandbox.repository.js';

/**
 * The sandbox gateway's trades: what Alipay or WeChat Pay keep on their side. A merchant opens a
 * trade (or reopens it with the same out_trade_no and the same amount, as both gateways allow),
 * the payer pays or cancels at the cashier, the merchant queries, closes and refunds it.
 */

export interface OpenTrade {
  gateway: GatewayName;
  appId: string;
  merchantId: string;
  outTradeNo: string;
  amountFen: number;
  subject: string;
  payee: string;
  notifyUrl: string;
  returnUrl: string | null;
}

export type OpenTradeResult = { ok: true; payment: SandboxPaymentRow } | { ok: false; reason: 'already_paid' | 'closed' | 'inconsistent' };

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

/** 28 digits, as both gateways' trade numbers are: the date, a channel prefix, then random digits. */
function newTradeNo(gateway: GatewayName, at: Date): string {
  const date = at.toISOString().slice(0, 10).replaceAll('-', '');
  return gateway === 'alipay' ? `${date}2200${digits(16)}` : `4200${digits(6)}${date}${digits(10)}`;
}

export async function openTrade(ctx: AppContext, trade: OpenTrade): Promise<OpenTradeResult> {
  return inTransaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    await repo.insertPaymentIfAbsent(tx, {
      id: newId(), gateway: trade.gateway, app_id: trade.appId, merchant_id: trade.merchantId, out_trade_no: trade.outTradeNo, trade_no: newTradeNo(trade.gateway, now),
      amount_fen: trade.amountFen, subject: trade.subject, payee: trade.payee, notify_url: trade.notifyUrl, return_url: trade.returnUrl, status: 'pending', created_at: now, paid_at: null,
    });
    const payment = await repo.lockByOutTradeNo(tx, trade.gateway, trade.merchantId, trade.outTradeNo);
    if (!payment) throw new Error('sandbox trade vanished');
    if (payment.status === 'paid') return { ok: false, reason: 'already_paid' };
    if (payment.status === 'closed') return { ok: false, reason: 'closed' };
    if (payment.amount_fen !== trade.amountFen) return { ok: false, reason: 'inconsistent' };
    // A reopened trade takes the merchant's latest notify and return addresses, and is payable again.
    await repo.updatePayment(tx, payment.id, { notify_url: trade.notifyUrl, return_url: trade.returnUrl, status: 'pending' });
    return { ok: true, payment: { ...payment, notify_url: trade.notifyUrl, return_url: trade.returnUrl, status: 'pending' } };
  });
}

/** 确认支付 at the cashier: the trade is paid and its notifications are queued (with the test switches). */
export async function payAtCashier(ctx: AppContext, paymentId: string, switches: TestSwitches): Promise<SandboxPaymentRow | undefined> {
  return (await payPendingTrade(ctx, paymentId, switches)).payment;
}

/**
 * Pays a trade waiting for payment and queues its notifications, in one transaction. `paid` says
 * whether this call paid it; otherwise `payment` is the trade as it is (paid, cancelled or closed
 * by then), or undefined when there is no such trade.
 */
export async function payPendingTrade(ctx: AppContext, paymentId: string, switches: TestSwitches): Promise<{ paid: boolean; payment: SandboxPaymentRow | undefined }> {
  const keys = await sandboxKeys(ctx);
  return inTransaction(ctx.db, async (tx) => {
    const payment = await repo.lockPayment(tx, paymentId);
    if (!payment || payment.status !== 'pending') return { paid: false, payment };
    const paid = { ...payment, status: 'paid' as const, paid_at: ctx.clock.now() };
    await repo.updatePayment(tx, paymentId, { status: 'paid', paid_at: paid.paid_at });
    await queueNotifications({ ...ctx, db: tx }, keys, paid, switches);
    return { paid: true, payment: paid };
  });
}

/** 取消 at the cashier: the payer walked away; the merchant may send them back to pay again. */
export async function cancelAtCashier(ctx: AppContext, paymentId: string): Promise<SandboxPaymentRow | undefined> {
  return inTransaction(ctx.db, async (tx) => {
    const payment = await repo.lockPayment(tx, paymentId);
    if (!payment || payment.status !== 'pending') return payment;
    await repo.updatePayment(tx, paymentId, { status: 'cancelled' });
    return { ...payment, status: 'cancelled' };
  });
}

export type CloseTradeResult = { ok: true; payment: SandboxPaymentRow } | { ok: false; reason: 'not_found' | 'paid' | 'closed' };

/** The merchant closes an unpaid trade: it can no longer be paid or reopened. A closed one stays as it is. */
export async function closeTrade(ctx: AppContext, trade: { gateway: GatewayName; merchantId: string; outTradeNo: string }): Promise<CloseTradeResult> {
  return inTransaction(ctx.db, async (tx) => {
    const payment = await repo.lockByOutTradeNo(tx, trade.gateway, trade.merchantId, trade.outTradeNo);
    if (!payment) return { ok: false, reason: 'not_found' };
    if (payment.status === 'paid') return { ok: false, reason: 'paid' };
    if (payment.status === 'closed') return { ok: false, reason: 'closed' };
    await repo.updatePayment(tx, payment.id, { status: 'closed' });
    return { ok: true, payment: { ...payment, status: 'closed' } };
  });
}

export type RefundTradeResult =
  | { ok: true; payment: SandboxPaymentRow; refund: SandboxRefundRow; fundChange: boolean }
  | { ok: false; reason: 'not_found' | 'not_paid' | 'exceeds' | 'inconsistent' };

export interface RefundToMake {
  gateway: GatewayName;
  merchantId: string;
  outTradeNo: string;
  outRequestNo: string;
  amountFen: number;
  /** WeChat Pay: where the refund's outcome is notified. */
  notifyUrl: string | null;
  /** WeChat Pay: how long the refund stays PROCESSING (0: it succeeds at once, as Alipay's do). */
  processingMs: number;
  /** WeChat Pay: the refund fails at once with this status, and no money moves. */
  failWith: 'ABNORMAL' | 'CLOSED' | null;
}

/**
 * Refunds once per out_request_no; the same number again returns the first refund as it now is.
 * A refund that succeeds (at once, or when its processing time is up) is notified to its
 * notify_url, if it has one, in the same transaction.
 */
export async function refundTrade(ctx: AppContext, trade: RefundToMake): Promise<RefundTradeResult> {
  return inTransaction(ctx.db, async (tx) => {
    const payment = await repo.lockByOutTradeNo(tx, trade.gateway, trade.merchantId, trade.outTradeNo);
    if (!payment) return { ok: false, reason: 'not_found' };
    const earlier = await repo.findRefund(tx, payment.id, trade.outRequestNo);
    if (earlier) return earlier.amount_fen === trade.amountFen ? { ok: true, payment, refund: earlier, fundChange: false } : { ok: false, reason: 'inconsistent' };
    if (payment.status !== 'paid') return { ok: false, reason: 'not_paid' };
    if (trade.amountFen <= 0 || payment.refunded_fen + trade.amountFen > payment.amount_fen) return { ok: false, reason: 'exceeds' };
    const now = ctx.clock.now();
    const refund: SandboxRefundRow = {
      id: newId(), sandbox_payment_id: payment.id, out_request_no: trade.outRequestNo, refund_no: `50${digits(26)}`, amount_fen: trade.amountFen,
      notify_url: trade.notifyUrl, succeeded_at: trade.processingMs > 0 || trade.failWith ? null : now, failed_status: trade.failWith, abnormal_type: null, received_account: null, created_at: now,
    };
    await repo.insertRefund(tx, refund);
    if (trade.failWith) return { ok: true, payment, refund, fundChange: false };
    const refundedFen = payment.refunded_fen + trade.amountFen;
    await repo.updatePayment(tx, payment.id, { refunded_fen: refundedFen });
    const refunded = { ...payment, refunded_fen: refundedFen };
    if (refund.succeeded_at) await queueRefundNotification({ ...ctx, db: tx }, refunded, refund);
    else await enqueueJob(tx, ctx.clock, completeSandboxRefundJob, { refundId: refund.id }, { runAt: new Date(now.getTime() + trade.processingMs), uniqueKey: `${completeSandboxRefundJob}:${refund.id}` });
    return { ok: true, payment: refunded, refund, fundChange: true };
  });
}

export const completeSandboxRefundJob = 'payments.sandbox.complete-refund';

/** The job: a processing refund's time is up; it succeeds and is notified. */
export async function completeSandboxRefund(ctx: AppContext, refundId: string): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const refund = await repo.lockRefund(tx, refundId);
    const payment = refund && (await repo.findPayment(tx, refund.sandbox_payment_id));
    if (!refund || !payment || refund.succeeded_at) return;
    const succeeded = { ...refund, succeeded_at: ctx.clock.now() };
    await repo.updateRefund(tx, refund.id, { succeeded_at: succeeded.succeeded_at });
    await queueRefundNotification({ ...ctx, db: tx }, payment, succeeded);
  });
}

export interface AbnormalRefundToApply {
  merchantId: string;
  /** The refund's number at the gateway (refund_id in the path). */
  refundNo: string;
  outRequestNo: string;
  type: 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD';
  /** Where the money goes, as WeChat's user_received_account will name it. */
  receivedAccount: string;
  processingMs: number;
}

export type AbnormalRefundResult =
  | { ok: true; payment: SandboxPaymentRow; refund: SandboxRefundRow }
  | { ok: false; reason: 'not_found' | 'not_abnormal' | 'other_type' };

/**
 * 发起异常退款: an ABNORMAL refund is sent again to a bank card (the payer's, or the merchant's
 * account): it is PROCESSING, the money leaves now, and its success is notified like any refund's.
 * Asked again with the same type, it answers the refund as it now is; another type is refused.
 */
export async function applyAbnormalRefund(ctx: AppContext, request: AbnormalRefundToApply): Promise<AbnormalRefundResult> {
  return inTransaction(ctx.db, async (tx) => {
    // The trade first, then the refund: the order refundTrade takes them in.
    const found = await repo.findRefundByNo(tx, request.merchantId, request.refundNo);
    const payment = found && (await repo.lockPayment(tx, found.sandbox_payment_id));
    const refund = payment && (await repo.lockRefund(tx, found.id));
    if (!refund || !payment || refund.out_request_no !== request.outRequestNo) return { ok: false, reason: 'not_found' };
    if (refund.abnormal_type) return refund.abnormal_type === request.type ? { ok: true, payment, refund } : { ok: false, reason: 'other_type' };
    if (refund.failed_status !== 'ABNORMAL') return { ok: false, reason: 'not_abnormal' };
    const now = ctx.clock.now();
    const applied: SandboxRefundRow = { ...refund, failed_status: null, abnormal_type: request.type, received_account: request.receivedAccount, succeeded_at: request.processingMs > 0 ? null : now };
    await repo.updateRefund(tx, refund.id, { failed_status: null, abnormal_type: request.type, received_account: request.receivedAccount, succeeded_at: applied.succeeded_at });
    const refunded = { ...payment, refunded_fen: payment.refunded_fen + refund.amount_fen };
    await repo.updatePayment(tx, payment.id, { refunded_fen: refunded.refunded_fen });
    if (applied.succeeded_at) await queueRefundNotification({ ...ctx, db: tx }, refunded, applied);
    else await enqueueJob(tx, ctx.clock, completeSandboxRefundJob, { refundId: refund.id }, { runAt: new Date(now.getTime() + request.processingMs), uniqueKey: `${completeSandboxRefundJob}:${refund.id}:abnormal` });
    return { ok: true, payment: refunded, refund: applied };
  });
}
