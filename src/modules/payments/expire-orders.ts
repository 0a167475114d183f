import { isDomainError } from '../../domain/errors.js';
import { systemActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { closeOrder } from './cancel-order.js';
import { queryTrades } from './confirm-order.js';
import { isOpen } from './order-rules.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';
import { settleReportedPayments, type ReportedPayment } from './settle-payment.js';

export interface ExpiryRun {
  expired: number;
  paid: number;
  /** Orders left for the next run because a gateway could not be asked. */
  deferred: number;
}

/**
 * The recurring job: open orders past their time limit are closed. An order sent to a gateway
 * is first checked with the gateway, because a payment whose notification was lost must be
 * credited, not expired; if the gateway cannot be asked now, the order waits for the next run.
 */
export async function expireDueOrders(ctx: AppContext, limit = 50): Promise<ExpiryRun> {
  const run: ExpiryRun = { expired: 0, paid: 0, deferred: 0 };
  for (const order of await repo.dueOrders(ctx.db, ctx.clock.now(), limit)) {
    const result = await expireOne(ctx, order);
    if (result) run[result] += 1;
  }
  return run;
}

/** The payments the gateways report for an order sent to them; null when one could not be asked. */
async function paymentsAtGateways(ctx: AppContext, order: OrderRow): Promise<ReportedPayment[] | null> {
  try {
    return (await queryTrades(ctx, order)).paid;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    ctx.logger.warn({ orderId: order.id, code: error.code }, 'gateway not reachable; order expiry deferred');
    return null;
  }
}

/**
 * What happened to one due order; null when another request closed or paid it meanwhile. Asks
 * the gateway, so never inside a transaction.
 */
export async function expireOne(ctx: AppContext, order: OrderRow): Promise<keyof ExpiryRun | null> {
  if (order.status === 'paying') {
    const paid = await paymentsAtGateways(ctx, order);
    if (paid === null) return 'deferred';
    if (paid.length > 0) {
      await settleReportedPayments(ctx, order.id, paid);
      return 'paid';
    }
  }
  return inTransaction(ctx.db, async (tx): Promise<keyof ExpiryRun | null> => {
    const locked = await repo.lockOrder(tx, order.id);
    if (!locked || !isOpen(locked.status) || locked.expires_at.getTime() > ctx.clock.now().getTime()) return null;
    await closeOrder(tx, ctx.clock, locked.id, locked.status, 'expired', systemActor, null);
    return 'expired';
  });
}
