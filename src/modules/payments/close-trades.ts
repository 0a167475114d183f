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

/** The job that closes a closed order's trades at its gateways (关单). */
export const closeTradesJob = 'payments.close-trades';

/**
 * Ten attempts with the jobs' doubling backoff from 10 s: about three hours, past the trade's own
 * time limit (the order's), after which the gateway takes no payment for it anyway.
 */
const closeAttempts = 10;

export interface GatewayClose {
  gateway: GatewayName;
  result: TradeCloseResult;
}

/** In the transaction that cancels or expires an order that was sent to a gateway. */
export async function enqueueCloseTrades(db: DbOrTx, clock: Clock, orderId: string): Promise<void> {
  await enqueueJob(db, clock, closeTradesJob, { orderId }, { uniqueKey: `${closeTradesJob}:${orderId}`, maxAttempts: closeAttempts });
}

/**
 * 关单: the order's trade is closed at every gateway it was sent to, so the payer can no longer
 * pay it there. Runs as a job after the order's own close has committed (no gateway call inside
 * a database transaction). Every gateway is asked even when one fails; the job then fails and is
 * retried, asking again (closing is idempotent). A trade the payer paid just before the close is
 * credited and refunded at once, as a late payment, without waiting for its notification. The
 * answers are audited once all gateways have given one.
 */
export async function closeTradesAtGateways(ctx: AppContext, orderId: string): Promise<GatewayClose[]> {
  const order = await repo.findOrder(ctx.db, orderId);
  if (!order) return [];
  const closes: GatewayClose[] = [];
  const failures: unknown[] = [];
  for (const attempt of await repo.latestAttempts(ctx.db, order.id)) {
    try {
      const client = await gatewayClient(ctx, attempt.gateway, attempt.gateway_base_url);
      closes.push({ gateway: attempt.gateway, result: await client.closeTrade(order.order_no) });
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} gateways could not close order ${order.order_no}`);
  const paid = closes.some((c) => c.result === 'paid') ? (await queryTrades(ctx, order)).paid : [];
  if (paid.length > 0) await settleReportedPayments(ctx, order.id, paid);
  await recordAudit(ctx.db, ctx.clock, {
    actor: systemActor, action: 'payments.order.trades_closed', entityType: 'payment_order', entityId: order.id, after: { gateways: closes, settledPayments: paid.length }, requestId: null,
  });
  return closes;
}
