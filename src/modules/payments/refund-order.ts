import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { insertGatewayRefund } from './gateway-refunds.js';
import { issueRedLetterForRefund } from './invoices.js';
import { reserveOrderRefund } from './payment-ledger.js';
import { operatorRefundBlock } from './order-rules.js';
import { paymentsRepository as repo, type RefundRow } from './payments.repository.js';

export interface RefundView {
  id: string;
  orderId: string;
  gateway: string;
  amountFen: number;
  reason: RefundRow['reason'];
  status: RefundRow['status'];
  attempts: number;
  lastError: string | null;
  /** Why the gateway gave up on it (WeChat Pay ABNORMAL / CLOSED), while it matters. */
  gatewayFailure: RefundRow['gateway_failure'];
  createdAt: string;
  completedAt: string | null;
}

export function refundView(row: RefundRow): RefundView {
  return {
    id: row.id, orderId: row.order_id, gateway: row.gateway, amountFen: row.amount_fen, reason: row.reason, status: row.status,
    attempts: row.attempts, lastError: row.last_error, gatewayFailure: row.gateway_failure, createdAt: row.created_at.toISOString(), completedAt: row.completed_at?.toISOString() ?? null,
  };
}

/**
 * An operator refunds a paid order, wholly or in part, back through its gateway. The money is
 * taken back first (from the purse for a top-up, which refuses with INSUFFICIENT_FUNDS when it
 * has been spent; from fee income for a fee), in the request's transaction; the route then sends
 * the refund. At most what was paid and not yet refunded can be refunded.
 */
export async function refundOrder(ctx: AppContext, caller: Caller, orderId: string, input: { amountFen?: number | undefined; note?: string | undefined }, requestId: string): Promise<RefundView> {
  const order = await repo.lockOrder(ctx.db, orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId });
  const blocked = operatorRefundBlock(order);
  if (blocked || !order.gateway || !order.gateway_trade_no) throw fail(blocked ?? 'REFUND_NOT_ALLOWED', { orderId, status: order.status, kind: order.kind });
  const refundableFen = order.amount_fen - order.refunded_fen;
  const amountFen = input.amountFen ?? refundableFen;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > refundableFen) throw fail('REFUND_AMOUNT_INVALID', { amountFen, refundableFen });
  const actor = { role: caller.role, id: caller.subjectId };
  const refundId = await insertGatewayRefund(ctx.db, ctx.clock, { orderId, gateway: order.gateway, tradeNo: order.gateway_trade_no, amountFen, reason: 'operator', requestedBy: `${caller.role}:${caller.subjectId}`, note: input.note ?? null }, actor, requestId);
  await reserveOrderRefund(ctx.db, ctx.clock, order, { id: refundId, amountFen }, actor);
  await repo.updateOrder(ctx.db, orderId, { refunded_fen: order.refunded_fen + amountFen, updated_at: ctx.clock.now() });
  await issueRedLetterForRefund(ctx.db, ctx.clock, { orderId, refundId, amountFen }, actor, requestId);
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund) throw fail('NOT_FOUND', { refundId });
  return refundView(refund);
}

export async function getRefund(ctx: AppContext, refundId: string): Promise<RefundView> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund) throw fail('NOT_FOUND', { refundId });
  return refundView(refund);
}
