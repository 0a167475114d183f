import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import type { RefundResult } from './gateways/gateway.js';
import { abnormalRefundClient, gatewayClient } from './gateways/registry.js';
import { bookRefundPaid, bookRefundToMerchantBank } from './payment-ledger.js';
import { paymentsRepository as repo, type RefundRow } from './payments.repository.js';
import type { GatewayName, RefundReason } from './payments.tables.js';

/**
 * Refunds through the gateway, in three steps so that no network call happens inside a
 * transaction: the refund row is written (with its out_request_no) in the transaction that
 * reserved the money; it is then sent, as often as needed (the gateway refunds once per
 * out_request_no); the gateway's confirmation is booked in a second, short transaction.
 */

const reasonText: Record<RefundReason, string> = {
  late_payment: '订单已关闭，退回款项',
  duplicate_payment: '重复支付，退回款项',
  operator: '订单退款',
  balance_refund: '余额退款',
};

export interface NewGatewayRefund {
  orderId: string;
  gateway: GatewayName;
  tradeNo: string;
  amountFen: number;
  reason: RefundReason;
  balanceRefundId?: string | null;
  requestedBy: string;
  /** Why an operator refunded (audited with the refund). */
  note?: string | null;
  /** A CLOSED refund this one asks again (its money stays reserved under it). */
  replacesRefundId?: string | null;
}

/** Writes a requested refund; call it in the transaction that reserved the money. */
export async function insertGatewayRefund(tx: DbOrTx, clock: Clock, refund: NewGatewayRefund, actor: AuditActor, requestId: string | null): Promise<string> {
  const now = clock.now();
  const id = newId();
  await repo.insertRefund(tx, {
    id,
    order_id: refund.orderId,
    gateway: refund.gateway,
    trade_no: refund.tradeNo,
    out_request_no: id.replaceAll('-', ''),
    amount_fen: refund.amountFen,
    reason: refund.reason,
    status: 'requested',
    balance_refund_id: refund.balanceRefundId ?? null,
    requested_by: refund.requestedBy,
    gateway_refund_no: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
    replaces_refund_id: refund.replacesRefundId ?? null,
  });
  await recordAudit(tx, clock, { actor, action: 'payments.refund.requested', entityType: 'payment_refund', entityId: id, after: refund, requestId });
  return id;
}

/** A WeChat refund an operator sent on by 异常退款 (accepted, or sent and not answered yet). */
const abnormalApplied = (refund: RefundRow): boolean => refund.gateway === 'wechat' && (refund.abnormal_applied_at !== null || refund.abnormal_pending_route !== null);

/**
 * Sends one refund to its gateway and books it when the gateway confirms. A failure (network,
 * gateway busy, refund still processing) leaves it requested for the retry job; it never throws.
 * A refund sent on by 异常退款 is not sent again but asked after (查询单笔退款): its state then is
 * what WeChat holds now, not a replay of the first refund's answer.
 */
export async function sendRefund(ctx: AppContext, refundId: string): Promise<RefundRow['status']> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund) return 'succeeded';
  if (refund.status !== 'requested' || refund.route_conflict !== null) return refund.status;
  const order = await repo.findOrder(ctx.db, refund.order_id);
  const attempt = await repo.latestAttempt(ctx.db, refund.order_id, refund.gateway);
  try {
    if (!order || !attempt) throw new Error('the order was never sent to this gateway');
    const via = abnormalApplied(refund) ? 'query' : 'answer';
    const result: RefundResult = via === 'query'
      ? await (await abnormalRefundClient(ctx, attempt.gateway_base_url)).queryRefund(refund.out_request_no)
      : await (await gatewayClient(ctx, refund.gateway, attempt.gateway_base_url)).refund({
        outTradeNo: order.order_no, tradeNo: refund.trade_no, refundFen: refund.amount_fen, totalFen: order.amount_fen, outRequestNo: refund.out_request_no, reason: reasonText[refund.reason],
        notifyUrl: attempt.notify_url,
      });
    // The gateway took it: the day whose bill lists it (reconciliation looks for it there).
    await repo.recordRefundBilledAt(ctx.db, refundId, result.billedAt ?? ctx.clock.now());
    if (result.failed) {
      await inTransaction(ctx.db, (tx) => markRefundFailedAtGateway(tx, ctx.clock, refundId, { status: result.failed!, gatewayRefundNo: result.gatewayRefundNo, via }, systemActor));
      return 'failed';
    }
    if (!result.done) {
      await repo.recordRefundTry(ctx.db, refundId, 'processing at the gateway', ctx.clock.now());
      return 'requested';
    }
    await inTransaction(ctx.db, (tx) => bookRefundSucceeded(tx, ctx.clock, refundId, { gatewayRefundNo: result.gatewayRefundNo, receivedAccount: result.receivedAccount ?? null }, systemActor));
    return (await repo.findRefund(ctx.db, refundId))?.status ?? 'succeeded';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn({ refundId, err: message }, 'gateway refund not completed; will retry');
    await repo.recordRefundTry(ctx.db, refundId, message, ctx.clock.now());
    return 'requested';
  }
}

/** Statuses a gateway's success no longer changes: booked already, or (superseded) a CLOSED refund asked again under another number. */
const settledStatuses = new Set<RefundRow['status']>(['succeeded', 'offline_due', 'superseded']);

/** What the gateway said of a refund that succeeded: its number, and (WeChat Pay) where the money went. */
export interface RefundSuccess {
  gatewayRefundNo: string | null;
  /** WeChat Pay's user_received_account; null when the gateway does not say (Alipay). */
  receivedAccount: string | null;
}

/**
 * Where WeChat Pay says a refund went: the merchant's own account (退还商户: 商户基本账户,
 * 商户结算银行账户) or the payer (零钱, a bank card: anything else it names), or null when it
 * does not say.
 */
export function paidInto(receivedAccount: string | null): 'merchant' | 'payer' | null {
  if (receivedAccount === null) return null;
  return receivedAccount.startsWith('商户') ? 'merchant' : 'payer';
}

/** The 异常退款 routes we sent a refund on: the one WeChat accepted and the one awaiting its answer. */
const routesAsked = (refund: RefundRow) => [refund.abnormal_route, refund.abnormal_pending_route].filter((r) => r !== null);

/**
 * The application a success shows WeChat took: the pending one becomes the accepted route when
 * WeChat's report fits it (to the merchant's account, or to the payer's card); dropped otherwise.
 */
function settledApplication(refund: RefundRow, into: 'merchant' | 'payer' | null) {
  const pending = refund.abnormal_pending_route;
  const clear = { abnormal_pending_route: null, abnormal_pending_bank_type: null, abnormal_pending_last4: null, abnormal_pending_at: null, abnormal_pending_by: null };
  if (!pending || into !== (pending === 'merchant_bank_card' ? 'merchant' : 'payer')) return clear;
  return { ...clear, abnormal_route: pending, abnormal_bank_type: refund.abnormal_pending_bank_type, abnormal_account_last4: refund.abnormal_pending_last4, abnormal_applied_at: refund.abnormal_pending_at, abnormal_applied_by: refund.abnormal_pending_by };
}

/**
 * The gateway has refunded (its answer to the refund call or the query, or its notification).
 * Where the money went is WeChat's word (user_received_account), not our route: to the payer, it
 * is booked refunds:payable → clearing and the order or balance refund may be done; to the
 * merchant's bank account after we sent it there, it waits for the offline transfer
 * (offline_due) with the money still owed. Paid to the merchant's account when we did not send
 * it there, or with no word of where when we did, nothing is booked: the refund is flagged for
 * an operator (route_conflict, audited; later reports book nothing either), for paying the payer
 * offline on our word alone could pay them twice. Once per refund.
 */
export async function bookRefundSucceeded(tx: Tx, clock: Clock, refundId: string, success: RefundSuccess, actor: AuditActor): Promise<void> {
  const refund = await lockRefundAfterItsOrder(tx, refundId);
  // Flagged already: WeChat's word contradicted our route once, and only an operator settles it.
  if (!refund || settledStatuses.has(refund.status) || refund.route_conflict !== null) return;
  const { gatewayRefundNo, receivedAccount } = success;
  const into = paidInto(receivedAccount);
  const toMerchantAsked = routesAsked(refund).includes('merchant_bank_card');
  if (into === 'merchant' ? !toMerchantAsked : into === null && toMerchantAsked) return flagRouteConflict(tx, clock, refund, success, actor);
  const now = clock.now();
  const money = { id: refund.id, gateway: refund.gateway, amountFen: refund.amount_fen, orderId: refund.order_id };
  const application = settledApplication(refund, into);
  const after = { gatewayRefundNo, amountFen: refund.amount_fen, receivedAccount };
  if (into === 'merchant') {
    await bookRefundToMerchantBank(tx, clock, money, actor);
    await repo.updateRefund(tx, refund.id, { ...application, status: 'offline_due', gateway_refund_no: gatewayRefundNo ?? refund.gateway_refund_no, attempts: refund.attempts + 1, last_error: null, updated_at: now });
    await recordAudit(tx, clock, { actor, action: 'payments.refund.paid_to_merchant_bank', entityType: 'payment_refund', entityId: refund.id, after });
    return;
  }
  await bookRefundPaid(tx, clock, money, actor);
  await repo.updateRefund(tx, refund.id, { ...application, status: 'succeeded', gateway_refund_no: gatewayRefundNo, attempts: refund.attempts + 1, last_error: null, updated_at: now, completed_at: now });
  // Sent to the merchant's account too, but WeChat paid the payer: say so beside the booking.
  await recordAudit(tx, clock, { actor, action: 'payments.refund.succeeded', entityType: 'payment_refund', entityId: refund.id, after: toMerchantAsked ? { ...after, routesAsked: routesAsked(refund) } : after });
  await closeWhatTheRefundSettles(tx, clock, refund);
}

/** WeChat's report of a success contradicts the routes we sent the refund on: nothing booked, left for an operator (once). */
async function flagRouteConflict(tx: Tx, clock: Clock, refund: RefundRow, success: RefundSuccess, actor: AuditActor): Promise<void> {
  if (refund.route_conflict !== null) return;
  const reported = success.receivedAccount ?? '(not reported)';
  await repo.updateRefund(tx, refund.id, {
    route_conflict: reported, gateway_refund_no: success.gatewayRefundNo ?? refund.gateway_refund_no, updated_at: clock.now(),
    last_error: `ROUTE_CONFLICT WeChat Pay reports the refund paid to ${reported}; routes sent: ${routesAsked(refund).join(', ') || 'none'}. Nothing booked: check in the merchant platform before paying anyone`,
  });
  await recordAudit(tx, clock, { actor, action: 'payments.refund.route_conflict', entityType: 'payment_refund', entityId: refund.id, after: { receivedAccount: success.receivedAccount, routesAsked: routesAsked(refund), amountFen: refund.amount_fen } });
}

/** The payer has the money back: the order may be fully refunded, the balance refund done. */
export async function closeWhatTheRefundSettles(tx: DbOrTx, clock: Clock, refund: RefundRow): Promise<void> {
  await closeWhenFullyRefunded(tx, clock, refund);
  if (refund.balance_refund_id) await completeBalanceRefundWhenDone(tx, clock, refund.balance_refund_id);
}

/**
 * The refund, locked after its order: refunding and invoicing take the order first, then
 * refunds:payable, so a refund's outcome must take the order before the refund and refunds:payable
 * too, or the two could deadlock.
 */
export async function lockRefundAfterItsOrder(tx: DbOrTx, refundId: string): Promise<RefundRow | undefined> {
  const unlocked = await repo.findRefund(tx, refundId);
  if (!unlocked) return undefined;
  await repo.lockOrder(tx, unlocked.order_id);
  return repo.lockRefund(tx, refundId);
}

/**
 * The gateway gave up on a refund (its answer, the query or its notification says ABNORMAL or
 * CLOSED): the refund becomes `failed`, the money stays reserved in refunds:payable, the retry
 * job leaves it, and the console shows why. An operator settles it (abnormal-refunds.ts): an
 * ABNORMAL one by WeChat's 异常退款, whose REFUND.SUCCESS then books it like any other; a CLOSED
 * one by asking again under a new number.
 *
 * After a 异常退款 was sent, a notification saying ABNORMAL or CLOSED may be the first refund's,
 * late or redelivered under a new id, while WeChat processes the application: it is not trusted
 * ('check': nothing changed; the caller asks WeChat, and only the query's answer fails it), for
 * the operator could otherwise apply again and WeChat pay twice.
 */
export async function markRefundFailedAtGateway(tx: Tx, clock: Clock, refundId: string, outcome: { status: 'ABNORMAL' | 'CLOSED'; gatewayRefundNo: string | null; via: 'answer' | 'notification' | 'query' }, actor: AuditActor): Promise<'failed' | 'unchanged' | 'check'> {
  const refund = await lockRefundAfterItsOrder(tx, refundId);
  if (!refund || refund.status !== 'requested') return 'unchanged';
  if (outcome.via !== 'query' && abnormalApplied(refund)) return 'check';
  const now = clock.now();
  await repo.updateRefund(tx, refund.id, {
    status: 'failed', gateway_failure: outcome.status, gateway_refund_no: outcome.gatewayRefundNo ?? refund.gateway_refund_no, attempts: refund.attempts + 1, last_error: `${outcome.status} at the gateway (${outcome.via})`, updated_at: now,
    // An application still awaiting an answer never took: the route WeChat accepted before (if any) stands.
    abnormal_pending_route: null, abnormal_pending_bank_type: null, abnormal_pending_last4: null, abnormal_pending_at: null, abnormal_pending_by: null,
  });
  await recordAudit(tx, clock, { actor, action: 'payments.refund.failed_at_gateway', entityType: 'payment_refund', entityId: refund.id, after: outcome });
  return 'failed';
}

/** An order whose whole amount has gone back through the gateway becomes `refunded`. */
async function closeWhenFullyRefunded(tx: DbOrTx, clock: Clock, refund: RefundRow): Promise<void> {
  if (refund.reason === 'late_payment' || refund.reason === 'duplicate_payment') return; // the order kept its own state
  const order = await repo.lockOrder(tx, refund.order_id);
  const refunds = await repo.refundsOfOrder(tx, refund.order_id);
  const refundedFen = refunds.filter((r) => r.status === 'succeeded' && (r.reason === 'operator' || r.reason === 'balance_refund')).reduce((sum, r) => sum + r.amount_fen, 0);
  if (!order || order.status !== 'fulfilled' || refundedFen < order.amount_fen) return;
  await repo.updateOrder(tx, order.id, { status: 'refunded', closed_at: clock.now(), updated_at: clock.now() });
  await recordAudit(tx, clock, { actor: systemActor, action: 'payments.order.refunded', entityType: 'payment_order', entityId: order.id, before: { status: order.status }, after: { status: 'refunded', refundedFen } });
}

async function completeBalanceRefundWhenDone(tx: DbOrTx, clock: Clock, balanceRefundId: string): Promise<void> {
  const balanceRefund = await repo.lockBalanceRefund(tx, balanceRefundId);
  if (!balanceRefund || balanceRefund.status !== 'refunding' || (await repo.openRefundsOfBalanceRefund(tx, balanceRefundId)) > 0) return;
  await repo.updateBalanceRefund(tx, balanceRefundId, { status: 'completed', updated_at: clock.now(), completed_at: clock.now() });
  await recordAudit(tx, clock, { actor: systemActor, action: 'payments.balance_refund.completed', entityType: 'balance_refund', entityId: balanceRefundId, after: { route: 'gateway' } });
}

/** Sends whatever refunds an order has waiting (after a settlement that requested one). */
export async function sendOpenRefunds(ctx: AppContext, orderId: string): Promise<void> {
  for (const refundId of await repo.openRefundIdsOfOrder(ctx.db, orderId)) await sendRefund(ctx, refundId);
}

/** How long a refund that failed waits before the job tries it again. */
const refundRetryAfterMs = 60_000;

/** The job: refunds that did not complete (gateway down, still processing) are sent again. */
export async function retryStaleRefunds(ctx: AppContext, limit = 20): Promise<number> {
  const ids = await repo.staleRefundIds(ctx.db, new Date(ctx.clock.now().getTime() - refundRetryAfterMs), limit);
  for (const id of ids) await sendRefund(ctx, id);
  return ids.length;
}
