import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { enqueueCloseTrades } from './close-trades.js';
import { accessibleOrder } from './list-orders.js';
import { isPayableByHand } from './order-rules.js';
import { orderView, type OrderView } from './order-view.js';
import { paymentsRepository as repo } from './payments.repository.js';

/**
 * 取消订单: an unpaid order is closed, and so are its trades at the gateways it was sent to (a
 * job, close-trades.ts); a payment the payer completed before that is refunded automatically
 * when it is reported (settle-payment.ts).
 * Cancelling a cancelled order again answers with it unchanged.
 */
export async function cancelOrder(ctx: AppContext, caller: Caller, orderId: string, requestId: string): Promise<OrderView> {
  await accessibleOrder(ctx.db, caller, orderId);
  const order = await repo.lockOrder(ctx.db, orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId });
  if (order.status !== 'cancelled') {
    if (!isPayableByHand(order)) throw fail('ORDER_NOT_CANCELLABLE', { orderId, status: order.status });
    await closeOrder(ctx.db, ctx.clock, order.id, order.status, 'cancelled', { role: caller.role, id: caller.subjectId }, requestId);
  }
  const updated = await repo.findOrder(ctx.db, orderId);
  if (!updated) throw fail('ORDER_NOT_FOUND', { orderId });
  return orderView(updated, ctx.clock);
}

/**
 * An open order becomes cancelled or expired; the caller holds its row lock. An order sent to a
 * gateway is closed there too, once this commits. `why` goes into the audit row.
 */
export async function closeOrder(db: DbOrTx, clock: Clock, orderId: string, from: string, to: 'cancelled' | 'expired', actor: AuditActor, requestId: string | null, why: Record<string, unknown> = {}): Promise<void> {
  const now = clock.now();
  await repo.updateOrder(db, orderId, { status: to, closed_at: now, updated_at: now });
  if (from === 'paying') await enqueueCloseTrades(db, clock, orderId);
  await recordAudit(db, clock, { actor, action: `payments.order.${to}`, entityType: 'payment_order', entityId: orderId, before: { status: from }, after: { status: to, ...why }, requestId });
}
