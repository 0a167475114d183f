import { isDomainError } from '../../domain/errors.js';
import { addDays, beijingMidnight, shanghaiDate } from '../../domain/calendar.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { sendOpenRefunds } from './gateway-refunds.js';
import { gatewayClient } from './gateways/registry.js';
import { billMissedNeedsAttention, dayNotOver, fetchDayBill, noEndpoint, reconcileBill, settleOrRefuse, type DayBill } from './reconcile-bills.js';
import { incomingPaymentKey } from './payment-ledger.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';

/**
 * Daily reconciliation of one Beijing day, per gateway: against the gateway's bill file (对账单,
 * reconcile-bills.ts) when it has one for the day, else (before the bill is made, about 09:00 the
 * next morning, or when its download fails) by asking the gateway's query API about every order
 * sent to it that day. Either way what the gateway says is compared with what the order says and
 * what the ledger booked. A payment the gateway has but the ledger lacks is settled on the spot
 * (credited or refunded, by the same path as a notification); the rest is reported for an
 * operator: an order credited without a payment at the gateway, amounts that differ, a trade for
 * an order number we do not know, a refund we did not make (made by hand in the merchant portal)
 * or one of ours missing from the bill, refunds still waiting, refused notifications, gateways
 * that could not be asked; and, from the bill, the gateway's fees.
 */

export type FindingKind =
  | 'settled_by_reconciliation' | 'credited_without_gateway_payment' | 'amount_mismatch' | 'gateway_unreachable' | 'refund_pending' | 'notification_rejected'
  | 'unknown_trade' | 'refund_not_ours' | 'refund_missing_from_bill' | 'refund_state_mismatch' | 'bill_unavailable';

/** What a check found (reconcile-bills.ts and the query path below). */
export interface Finding {
  kind: FindingKind;
  orderNo: string | null;
  gateway: GatewayName | null;
  detail: string;
}

/** A finding as reported: with whether someone must look into it (findingNeedsAttention), so no reader repeats the rule. */
export interface ReportedFinding extends Finding {
  needsAttention: boolean;
}

/** The findings that are a difference someone must look into; the rest say what was done or is waited for. */
const attentionKinds: ReadonlySet<FindingKind> = new Set<FindingKind>(['credited_without_gateway_payment', 'amount_mismatch', 'gateway_unreachable', 'refund_pending', 'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'refund_state_mismatch']);

/**
 * The one rule for which findings need someone to look: a difference; or a bill that was not
 * used because it failed or is overdue (one not made yet is only waited for, billMissedNeedsAttention).
 * A day is balanced when none does.
 */
export function findingNeedsAttention(finding: Pick<Finding, 'kind' | 'detail'>, date: string, ranAt: Date): boolean {
  if (finding.kind === 'bill_unavailable') return billMissedNeedsAttention(finding.detail, date, ranAt);
  return attentionKinds.has(finding.kind);
}

export interface GatewayTotals {
  /** Paid at the gateway: the bill's payments, or (query path) the day's orders' trades. */
  gatewayPaidFen: number;
  /** Booked by the ledger for those same trades. */
  ledgerBookedFen: number;
  /** bill: compared with the gateway's bill file; query: each order asked about (no bill for the day). */
  source: 'bill' | 'query';
  /** Why the bill was not used (query path): the gateway's word, or the download's failure. */
  billUnavailable: string | null;
  /** Refunded at the gateway by the bill (null on the query path). */
  gatewayRefundedFen: number | null;
  /** The gateway's fees of the day by its bill (服务费 / 手续费, net of fees given back on refunds; null on the query path). */
  feesFen: number | null;
}

export interface ReconciliationReport {
  date: string;
  ranAt: string;
  orders: number;
  totals: Record<GatewayName, GatewayTotals>;
  findings: ReportedFinding[];
  /** True when the gateways, the orders and the ledger agree (after the settlements made): no finding needs attention. */
  balanced: boolean;
}

/** The query path for one order: asks each gateway it was sent to (those reconciled by their bill are left to it). */
async function reconcileOrder(ctx: AppContext, order: OrderRow, totals: ReconciliationReport['totals'], findings: Finding[]): Promise<void> {
  for (const attempt of await repo.latestAttempts(ctx.db, order.id)) {
    if (totals[attempt.gateway].source === 'bill') continue;
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
    let refused: string | null = null;
    if ((await repo.ledgerAmountByKey(ctx.db, key)) === undefined) {
      const settled = await settleOrRefuse(ctx, { gateway: attempt.gateway, outTradeNo: order.order_no, tradeNo: trade.tradeNo, amountFen: trade.amountFen, paidAt: trade.paidAt });
      await sendOpenRefunds(ctx, order.id);
      // Only what was booked is said settled; a refusal is told with the amounts below.
      if ('outcome' in settled) findings.push({ kind: 'settled_by_reconciliation', orderNo: order.order_no, gateway: attempt.gateway, detail: `${trade.tradeNo}: ${settled.outcome}` });
      else refused = settled.refused;
    }
    const bookedFen = (await repo.ledgerAmountByKey(ctx.db, key)) ?? 0;
    totals[attempt.gateway].ledgerBookedFen += bookedFen;
    if (bookedFen !== trade.amountFen || refused) {
      findings.push({ kind: 'amount_mismatch', orderNo: order.order_no, gateway: attempt.gateway, detail: `gateway ${trade.amountFen} fen, ledger ${bookedFen} fen${refused ? ` (not settled: ${refused})` : ''}` });
    }
  }
}

const gateways: readonly GatewayName[] = ['alipay', 'wechat'];

function totalsFor(day: DayBill): GatewayTotals {
  return 'bill' in day
    ? { gatewayPaidFen: 0, ledgerBookedFen: 0, source: 'bill', billUnavailable: null, gatewayRefundedFen: 0, feesFen: 0 }
    : { gatewayPaidFen: 0, ledgerBookedFen: 0, source: 'query', billUnavailable: day.unavailable, gatewayRefundedFen: null, feesFen: null };
}

export async function reconcileDay(ctx: AppContext, date: string): Promise<ReconciliationReport> {
  const from = beijingMidnight(date);
  const to = beijingMidnight(addDays(date, 1));
  // A day not over has no bill yet (WeChat Pay's NO_STATEMENT_EXIST, read as an empty bill, would report every payment missing).
  const dayOver = ctx.clock.now().getTime() >= to.getTime();
  const dayBill = (gateway: GatewayName) => (dayOver ? fetchDayBill(ctx, gateway, date) : Promise.resolve<DayBill>({ unavailable: dayNotOver }));
  const bills = { alipay: await dayBill('alipay'), wechat: await dayBill('wechat') };

  const totals: ReconciliationReport['totals'] = { alipay: totalsFor(bills.alipay), wechat: totalsFor(bills.wechat) };
  const findings: Finding[] = [];
  for (const gateway of gateways) {
    const day = bills[gateway];
    if ('bill' in day) await reconcileBill(ctx, day.bill, totals[gateway], findings);
    // A gateway never paid through has no bill to ask for: its totals say so, no finding needed.
    else if (day.unavailable !== noEndpoint) findings.push({ kind: 'bill_unavailable', orderNo: null, gateway, detail: day.unavailable });
  }
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
  const reported = findings.map((f) => ({ ...f, needsAttention: findingNeedsAttention(f, date, ranAt) }));
  const balanced = !reported.some((f) => f.needsAttention);
  const report: ReconciliationReport = { date, ranAt: ranAt.toISOString(), orders: orders.length, totals, findings: reported, balanced };
  await repo.saveReconciliation(ctx.db, date, ranAt, report);
  if (!report.balanced) ctx.logger.warn({ date, findings: findings.length }, 'payment reconciliation found differences');
  return report;
}

export async function storedReconciliation(ctx: AppContext, date: string): Promise<ReconciliationReport> {
  const row = await repo.findReconciliation(ctx.db, date);
  if (!row) throw fail('RECONCILIATION_NOT_FOUND', { date });
  return withSources(row.report as ReconciliationReport);
}

/**
 * Reports stored before bill files were read were all made by the query path; those stored before
 * findings said whether they need attention get it by the same rule, as of when they were made.
 */
function withSources(report: ReconciliationReport): ReconciliationReport {
  const fill = (t: Partial<GatewayTotals> & Pick<GatewayTotals, 'gatewayPaidFen' | 'ledgerBookedFen'>): GatewayTotals => ({ source: 'query', billUnavailable: null, gatewayRefundedFen: null, feesFen: null, ...t });
  const findings = report.findings.map((f: Finding & { needsAttention?: boolean }) => ({ ...f, needsAttention: f.needsAttention ?? findingNeedsAttention(f, report.date, new Date(report.ranAt)) }));
  return { ...report, totals: { alipay: fill(report.totals.alipay), wechat: fill(report.totals.wechat) }, findings };
}

/** The gateways make a day's bill from about 09:00 the next day; Alipay and WeChat Pay advise fetching it after 10:00. */
const billsFetchedFromHour = 10;

/**
 * The job: yesterday (Beijing) is reconciled on the first run after midnight (or again, when its
 * report was made before the day was over), by the query path since no bill is made yet; from 10:00 it is reconciled again, hourly, while a gateway's bill was
 * not used (not made yet, or its download failed), until every gateway's bill is.
 */
export async function reconcileYesterday(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now();
  const today = shanghaiDate(now);
  const yesterday = addDays(today, -1);
  const stored = await repo.findReconciliation(ctx.db, yesterday);
  if (stored) {
    const billsDue = now.getTime() >= beijingMidnight(today).getTime() + billsFetchedFromHour * 3600_000;
    const totals = withSources(stored.report as ReconciliationReport).totals;
    const waiting = gateways.some((g) => totals[g].source === 'query' && totals[g].billUnavailable !== noEndpoint);
    // A report made before the day was over (by an operator) missed the rest of it.
    const madeDuringTheDay = new Date(stored.ran_at).getTime() < beijingMidnight(today).getTime();
    if (!madeDuringTheDay && (!billsDue || !waiting)) return;
  }
  await reconcileDay(ctx, yesterday);
}
