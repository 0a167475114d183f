import { isDomainError } from '../../domain/errors.js';
import { addDays, beijingMidnight, shanghaiDate } from '../../domain/calendar.js';
import { systemActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { sendOpenRefunds } from './gateway-refunds.js';
import { gatewayClient } from './gateways/registry.js';
import { incomingPaymentKey } from './payment-ledger.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';
import { settlePayment } from './settle-payment.js';

/**
 * Daily reconciliation of one Beijing day: for every order sent to a gateway that day, what the
 * gateway says (its query API: the sandbox has no bill files to download), what the order says,
 * and what the ledger booked. A payment the gateway has but the ledger lacks is settled on the
 * spot (credited or refunded, by the same path as a notification); the rest is reported for an
 * operator: an order credited without a payment at the gateway, refunds still waiting, refused
 * notifications, gateways that could not be asked.
 */

export type FindingKind = 'settled_by_reconciliation' | 'credited_without_gateway_payment' | 'amount_mismatch' | 'gateway_unreachable' | 'refund_pending' | 'notification_rejected';

export interface Finding {
  kind: FindingKind;
  orderNo: string | null;
  gateway: GatewayName | null;
  detail: string;
}

export interface GatewayTotals {
  /** Paid at the gateway, for the day's orders. */
  gatewayPaidFen: number;
  /** Booked by the ledger for those same trades. */
  ledgerBookedFen: number;
}

export interface ReconciliationReport {
  date: string;
  ranAt: string;
  orders: number;
  totals: Record<GatewayName, GatewayTotals>;
  findings: Finding[];
  /** True when the gateways, the orders and the ledger agree (after the settlements made). */
  balanced: boolean;
}

async function reconcileOrder(ctx: AppContext, order: OrderRow, totals: ReconciliationReport['totals'], findings: Finding[]): Promise<void> {
  for (const attempt of await repo.latestAttempts(ctx.db, order.id)) {
    let trade;
    try {
      trade = await (await gatewayClient(ctx, attempt.gateway, attempt.gateway_base_url)).queryTrade(order.order_no);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      findings.push({ kind: 'gateway_unreachable', orderNo: order.order_no, gateway: attempt.gateway, detail: error.code });
      continue;
    }
    if (trade.state !== 'paid' || !trade.tradeNo || trade.amountFen === null) {
      // A trade refunded in full is closed at Alipay; an order still credited to it is not.
      const credited = order.gateway === attempt.gateway && order.gateway_trade_no !== null && !(order.status === 'refunded' && trade.state === 'closed');
      if (credited) findings.push({ kind: 'credited_without_gateway_payment', orderNo: order.order_no, gateway: attempt.gateway, detail: `gateway says ${trade.state}` });
      continue;
    }
    totals[attempt.gateway].gatewayPaidFen += trade.amountFen;
    const key = incomingPaymentKey(attempt.gateway, trade.tradeNo);
    if ((await repo.ledgerAmountByKey(ctx.db, key)) === undefined) {
      const { outcome } = await settlePayment(ctx.db, ctx.clock, { gateway: attempt.gateway, outTradeNo: order.order_no, tradeNo: trade.tradeNo, amountFen: trade.amountFen, paidAt: trade.paidAt }, systemActor, null)
        .catch((error: unknown) => ({ outcome: isDomainError(error) ? error.code : String(error) }));
      await sendOpenRefunds(ctx, order.id);
      findings.push({ kind: 'settled_by_reconciliation', orderNo: order.order_no, gateway: attempt.gateway, detail: `${trade.tradeNo}: ${outcome}` });
    }
    const bookedFen = (await repo.ledgerAmountByKey(ctx.db, key)) ?? 0;
    totals[attempt.gateway].ledgerBookedFen += bookedFen;
    if (bookedFen !== trade.amountFen) findings.push({ kind: 'amount_mismatch', orderNo: order.order_no, gateway: attempt.gateway, detail: `gateway ${trade.amountFen} fen, ledger ${bookedFen} fen` });
  }
}

export async function reconcileDay(ctx: AppContext, date: string): Promise<ReconciliationReport> {
  const from = beijingMidnight(date);
  const to = beijingMidnight(addDays(date, 1));
  const totals: ReconciliationReport['totals'] = { alipay: { gatewayPaidFen: 0, ledgerBookedFen: 0 }, wechat: { gatewayPaidFen: 0, ledgerBookedFen: 0 } };
  const findings: Finding[] = [];
  const orders = await repo.ordersAttemptedBetween(ctx.db, from, to);
  for (const order of orders) await reconcileOrder(ctx, order, totals, findings);
  for (const refund of await repo.openRefundsCreatedBefore(ctx.db, to)) {
    findings.push({ kind: 'refund_pending', orderNo: null, gateway: refund.gateway, detail: `refund ${refund.id}: ${refund.amount_fen} fen, ${refund.attempts} tries, ${refund.last_error ?? 'not sent yet'}` });
  }
  for (const note of await repo.rejectedNotificationsBetween(ctx.db, from, to)) {
    // An agreement notification names its 商户签约号, not an order: said in the detail, not the order column.
    const namesOrder = Boolean(note.names_order);
    const about = note.order_no && !namesOrder ? `签约号 ${note.order_no}: ` : '';
    findings.push({ kind: 'notification_rejected', orderNo: namesOrder ? note.order_no : null, gateway: note.gateway, detail: `${about}${note.error_code ?? 'rejected'} (notification ${note.id})` });
  }
  const ranAt = ctx.clock.now();
  const attention: FindingKind[] = ['credited_without_gateway_payment', 'amount_mismatch', 'gateway_unreachable', 'refund_pending'];
  const report: ReconciliationReport = { date, ranAt: ranAt.toISOString(), orders: orders.length, totals, findings, balanced: !findings.some((f) => attention.includes(f.kind)) };
  await repo.saveReconciliation(ctx.db, date, ranAt, report);
  if (!report.balanced) ctx.logger.warn({ date, findings: findings.length }, 'payment reconciliation found differences');
  return report;
}

export async function storedReconciliation(ctx: AppContext, date: string): Promise<ReconciliationReport> {
  const row = await repo.findReconciliation(ctx.db, date);
  if (!row) throw fail('RECONCILIATION_NOT_FOUND', { date });
  return row.report as ReconciliationReport;
}

/** The job: yesterday (Beijing) is reconciled once, on the first run after midnight. */
export async function reconcileYesterday(ctx: AppContext): Promise<void> {
  const yesterday = addDays(shanghaiDate(ctx.clock.now()), -1);
  if (await repo.findReconciliation(ctx.db, yesterday)) return;
  await reconcileDay(ctx, yesterday);
}
