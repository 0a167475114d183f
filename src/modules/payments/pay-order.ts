import { isDomainError } from '../../domain/errors.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Clock } from '../../platform/clock.js';
import { assertPaymentWindowOpen } from '../calendar/calendar.js';
import type { GatewayName } from './gateways/gateway.js';
import { gatewayClient, sandboxEndpoint } from './gateways/registry.js';
import { accessibleOrder } from './list-orders.js';
import { isOpen, isPayableByHand } from './order-rules.js';
import { orderView, type OrderView } from './order-view.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';

export interface PaymentStart {
  gateway: GatewayName;
  /** The server's own origin as the payer reached it: notify and return URLs are built on it. */
  origin: string;
  payerIp: string;
  /** Where the cashier sends the payer back, a path of this site (checked by `returnPathSchema`); the order page when absent. */
  returnPath?: string | undefined;
}

export interface PreparedPayment {
  orderId: string;
  gateway: GatewayName;
  endpoint: string;
  cashierUrl: string;
  /** Where the gateway notifies this trade's payment, and later its refunds. */
  notifyUrl: string;
}

export interface PaymentLink {
  order: OrderView;
  gateway: GatewayName;
  cashierUrl: string;
}

/** The order may be paid: waiting for payment, within its time limit, and (fees) inside the window. */
async function assertPayable(db: DbOrTx, clock: Clock, order: OrderRow): Promise<void> {
  if (!isOpen(order.status)) throw fail('ORDER_NOT_PAYABLE', { orderId: order.id, status: order.status });
  if (order.expires_at.getTime() <= clock.now().getTime()) throw fail('ORDER_EXPIRED', { orderId: order.id, expiredAt: order.expires_at.toISOString() });
  // The pay button is active only inside the payment window (seed 001), not just order creation.
  if (order.kind === 'fee') await assertPaymentWindowOpen(db, clock);
}

/**
 * Step one of 继续支付 / 支付, outside any transaction: asks the gateway for a cashier link
 * (WeChat Pay: an H5 order over HTTP; Alipay: a locally signed gateway URL). Asking twice is
 * harmless: both gateways answer the same out_trade_no with the same trade.
 */
export async function preparePayment(ctx: AppContext, caller: Caller, orderId: string, start: PaymentStart): Promise<PreparedPayment> {
  const order = await accessibleOrder(ctx.db, caller, orderId);
  // An auto top-up's order is charged through the agreement only (order-rules.ts).
  if (!isPayableByHand(order)) throw fail('ORDER_NOT_PAYABLE', { orderId: order.id, status: order.status, createdBy: order.created_by_role });
  await assertPayable(ctx.db, ctx.clock, order);
  const endpoint = sandboxEndpoint(start.origin, start.gateway);
  const client = await gatewayClient(ctx, start.gateway, endpoint);
  const notifyUrl = `${start.origin}/api/v1/payments/notify/${start.gateway}`;
  const cashierUrl = await client.startPayment({
    outTradeNo: order.order_no,
    amountFen: order.amount_fen,
    subject: order.item.name,
    payee: order.item.payee,
    expiresAt: order.expires_at,
    notifyUrl,
    // Alipay's return_url, WeChat Pay H5's redirect_url: both on our own origin, never another site's.
    returnUrl: `${start.origin}${start.returnPath ?? `/orders/${order.id}`}`,
    payerIp: start.payerIp,
  }).catch((error: unknown) => {
    // WeChat Pay answers ORDERPAID when the trade was paid before its notification reached us.
    if (isDomainError(error, 'GATEWAY_REJECTED') && error.details?.code === 'ORDERPAID') throw fail('ORDER_ALREADY_PAID', { orderId: order.id, gateway: start.gateway });
    throw error;
  });
  return { orderId: order.id, gateway: start.gateway, endpoint, cashierUrl, notifyUrl };
}

/** Step two, in the request's transaction: the attempt is recorded and the order is `paying`. */
export async function recordPaymentAttempt(ctx: AppContext, actor: AuditActor, prepared: PreparedPayment, requestId: string | null): Promise<PaymentLink> {
  const order = await repo.lockOrder(ctx.db, prepared.orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId: prepared.orderId });
  await assertPayable(ctx.db, ctx.clock, order);
  const now = ctx.clock.now();
  const attemptId = newId();
  await repo.insertAttempt(ctx.db, { id: attemptId, order_id: order.id, gateway: prepared.gateway, cashier_url: prepared.cashierUrl, gateway_base_url: prepared.endpoint, notify_url: prepared.notifyUrl, created_at: now });
  await repo.updateOrder(ctx.db, order.id, { status: 'paying', updated_at: now });
  await recordAudit(ctx.db, ctx.clock, {
    actor,
    action: 'payments.order.paying',
    entityType: 'payment_order',
    entityId: order.id,
    before: { status: order.status },
    after: { status: 'paying', gateway: prepared.gateway, attemptId },
    requestId,
  });
  const updated = await repo.findOrder(ctx.db, order.id);
  if (!updated) throw fail('ORDER_NOT_FOUND', { orderId: order.id });
  return { order: orderView(updated, ctx.clock), gateway: prepared.gateway, cashierUrl: prepared.cashierUrl };
}
