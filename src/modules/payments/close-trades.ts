import { recordAudit, systemActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { enqueueJob } from '../../platform/jobs.js';
import { queryTrades } from './confirm-order.js';
import type { GatewayName, TradeCloseResult } from './gateways/gateway.js';
import { gatewayClient } from './gateways/registry.js';
import { paymentsRepository as repo } from './payments.repository.js';
import { settleReportedPayments } from './settle-payment.js';

/**
 * 关单: an order sent to a gateway that is then cancelled or expires is closed at every gateway it
 * was sent to, so the payer can no longer pay it there. It runs as a job after the order's own
 * close has committed (no gateway call inside a database transaction), and is retried with the
 * jobs' backoff while a gateway cannot be reached. A trade the payer paid just before the close
 * (the gateway refuses to close it) is credited and refunded at once, as a late payment, without
 * waiting for its notification.
 */
export const closeTradesJob = 'payments.close-trades';

export interface GatewayClose {
  gateway: GatewayName;
  result: TradeCloseResult;
}

/** In the transaction that closes the order. */
export async function enqueueCloseTrades(db: DbOrTx, clock: Clock, orderId: string): Promise<void> {
  await enqueueJob(db, clock, closeTradesJob, { orderId }, { uniqueKey: `${closeTradesJob}:${orderId}` });
}

export async function closeTradesAtGateways(ctx: AppContext, orderId: string): Promise<GatewayClose[]> {
  const order = await repo.findOrder(ctx.db, orderId);
  if (!order) return [];
  const closes: GatewayClose[] = [];
  for (const attempt of await repo.latestAttempts(ctx.db, order.id)) {
    const client = await gatewayClient(ctx, attempt.gateway, attempt.gateway_base_url);
    closes.push({ gateway: attempt.gateway, result: await client.closeTrade(order.order_no) });
  }
  if (closes.some((c) => c.result === 'paid')) await settleReportedPayments(ctx, order.id, (await queryTrades(ctx, order)).paid);
  await recordAudit(ctx.db, ctx.clock, { actor: systemActor, action: 'payments.order.trades_closed', entityType: 'payment_order', entityId: order.id, after: { gateways: closes }, requestId: null });
  return closes;
}
