import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { topUpBlock } from '../cards/card-view.js';
import { closeOrder } from './cancel-order.js';
import { insertGatewayRefund, sendOpenRefunds } from './gateway-refunds.js';
import { runOrderFulfilledHooks } from './order-hooks.js';
import { isOpen } from './order-rules.js';
import { bookPaymentForOrder, bookPaymentForRefund, type IncomingPayment } from './payment-ledger.js';
import './payments.errors.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';

/** A payment a gateway vouched for (a verified notification, or its answer to our query). */
export interface ReportedPayment extends IncomingPayment {
  outTradeNo: string;
  paidAt: Date | null;
}

export type SettleOutcome = 'credited' | 'already_settled' | 'refund_requested';

/**
 * Payments a gateway vouched for when asked (not notified), settled one by one; the refunds they
 * open (a late or a second payment) are sent at once.
 */
export async function settleReportedPayments(ctx: AppContext, orderId: string, payments: readonly ReportedPayment[]): Promise<void> {
  for (const payment of payments) await settlePayment(ctx.db, ctx.clock, payment, systemActor, null);
  await sendOpenRefunds(ctx, orderId);
}

/**
 * The one place a gateway payment turns into money on the ledger, whichever path reported it.
 * Under the order's row lock:
 * - the order and amount must be ours, and the order must have been sent to that gateway;
 * - an open order is paid: the purse or fee income is credited and the order fulfilled;
 * - the same trade again (a duplicate, a retry, a later status of the trade) changes nothing;
 * - a payment for a cancelled or expired order, or a second trade for a paid one, is kept in
 *   refunds:payable and a refund through the gateway is requested: never lost, never credited;
 * - so is a top-up whose card can no longer take one (returned, lost, expired since the order was
 *   placed): its order is cancelled, and the money goes back rather than onto a card nobody uses.
 * The ledger key is the gateway's trade number, so even two racing paths book a trade once.
 */
export function settlePayment(db: DbOrTx, clock: Clock, payment: ReportedPayment, actor: AuditActor, requestId: string | null): Promise<{ outcome: SettleOutcome; orderId: string }> {
  return inTransaction(db, (tx) => settle(tx, clock, payment, actor, requestId));
}

async function settle(tx: Tx, clock: Clock, payment: ReportedPayment, actor: AuditActor, requestId: string | null): Promise<{ outcome: SettleOutcome; orderId: string }> {
  const order = await repo.lockOrderByNo(tx, payment.outTradeNo);
  if (!order) throw fail('PAYMENT_ORDER_UNKNOWN', { orderNo: payment.outTradeNo, gateway: payment.gateway });
  if (payment.amountFen !== order.amount_fen) throw fail('PAYMENT_AMOUNT_MISMATCH', { orderNo: order.order_no, orderFen: order.amount_fen, reportedFen: payment.amountFen });
  if (!(await repo.latestAttempt(tx, order.id, payment.gateway))) {
    throw fail('PAYMENT_ORDER_UNKNOWN', { orderNo: order.order_no, gateway: payment.gateway, reason: 'never sent to this gateway' });
  }
  if (order.gateway === payment.gateway && order.gateway_trade_no === payment.tradeNo) return { outcome: 'already_settled', orderId: order.id };
  if (!isOpen(order.status)) return { outcome: await holdForRefund(tx, clock, order, payment, actor, requestId), orderId: order.id };
  const cardBlock = await topUpCardBlock(tx, clock, order);
  if (cardBlock) return { outcome: await cancelForCard(tx, clock, order, payment, cardBlock, actor, requestId), orderId: order.id };
  return { outcome: await fulfil(tx, clock, order, payment, actor, requestId), orderId: order.id };
}

/**
 * Why a top-up's card cannot take it now, or null. The card is locked for share: a return (退卡)
 * settling the balance at the same time comes wholly before or after this payment.
 */
async function topUpCardBlock(tx: Tx, clock: Clock, order: OrderRow): Promise<string | null> {
  if (order.kind !== 'top_up' || !order.card_id) return null;
  const card = await tx.selectFrom('cards').select(['product', 'status', 'valid_until']).where('id', '=', order.card_id).forShare().executeTakeFirst();
  return card ? topUpBlock(card, clock) : 'missing';
}

async function cancelForCard(tx: Tx, clock: Clock, order: OrderRow, payment: ReportedPayment, cardBlock: string, actor: AuditActor, requestId: string | null): Promise<SettleOutcome> {
  // Its trades at other gateways are closed too, so the family cannot pay it a second time.
  await closeOrder(tx, clock, order.id, order.status, 'cancelled', actor, requestId, { reason: 'card_not_top_up_able', cardBlock, tradeNo: payment.tradeNo });
  return holdForRefund(tx, clock, { ...order, status: 'cancelled' }, payment, actor, requestId);
}

/**
 * Paid and fulfilled in one step: today a purse lives only in the ledger, so crediting it is the
 * fulfilment. (A physical card topped up over NFC will stay `paid` until the card is written.)
 */
async function fulfil(tx: Tx, clock: Clock, order: OrderRow, payment: ReportedPayment, actor: AuditActor, requestId: string | null): Promise<SettleOutcome> {
  const now = clock.now();
  const posted = await bookPaymentForOrder(tx, clock, order, payment, actor);
  await repo.updateOrder(tx, order.id, { status: 'fulfilled', gateway: payment.gateway, gateway_trade_no: payment.tradeNo, paid_at: payment.paidAt ?? now, updated_at: now });
  await runOrderFulfilledHooks(tx, clock, { ...order, status: 'fulfilled', gateway: payment.gateway, gateway_trade_no: payment.tradeNo, paid_at: payment.paidAt ?? now }, actor);
  await recordAudit(tx, clock, {
    actor,
    action: 'payments.order.fulfilled',
    entityType: 'payment_order',
    entityId: order.id,
    before: { status: order.status },
    after: { status: 'fulfilled', gateway: payment.gateway, tradeNo: payment.tradeNo, amountFen: payment.amountFen, ledgerTransactionId: posted.id },
    requestId,
  });
  return 'credited';
}

async function holdForRefund(tx: Tx, clock: Clock, order: OrderRow, payment: ReportedPayment, actor: AuditActor, requestId: string | null): Promise<SettleOutcome> {
  const posted = await bookPaymentForRefund(tx, clock, order, payment, actor);
  if (posted.replayed) return 'already_settled';
  const reason = order.status === 'cancelled' || order.status === 'expired' ? 'late_payment' : 'duplicate_payment';
  await insertGatewayRefund(tx, clock, { orderId: order.id, gateway: payment.gateway, tradeNo: payment.tradeNo, amountFen: payment.amountFen, reason, requestedBy: 'system' }, actor, requestId);
  return 'refund_requested';
}
