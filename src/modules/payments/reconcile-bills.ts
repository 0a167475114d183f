import { addDays, beijingMidnight } from '../../domain/calendar.js';
import { isDomainError } from '../../domain/errors.js';
import { systemActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { sendOpenRefunds } from './gateway-refunds.js';
import { millifenToFen, type BillLine, type BillRefundState, type TradeBill } from './gateways/bill.js';
import { billClient } from './gateways/registry.js';
import { incomingPaymentKey } from './payment-ledger.js';
import { paymentsRepository as repo, type OrderRow, type RefundRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';
import type { Finding, GatewayTotals } from './reconcile.js';
import { settlePayment, type ReportedPayment } from './settle-payment.js';

/**
 * Reconciliation of one gateway's day against its bill file (对账单): every payment and refund
 * line against our orders, refunds and the ledger, which also finds what the order table never
 * knew of (a trade for an order number we have no record of, a refund made by hand in the
 * merchant portal) and the gateway's fees. A payment the bill has and the ledger lacks is settled
 * through settlePayment, as the query path does; nothing else moves money.
 */

export type DayBill = { bill: TradeBill } | { unavailable: string };

/** No payment was ever sent to the gateway, so there is no endpoint to ask for its bill (nor anything to find in it). */
export const noEndpoint = 'NO_GATEWAY_ENDPOINT';
/** The day is not over (today or later): its bill cannot exist, so it is not asked for. */
export const dayNotOver = 'DAY_NOT_OVER';
/** What the gateways answer before a day's bill is made (and dayNotOver): to be waited for, not looked into, until the bill is overdue. */
export const billNotMadeYet: ReadonlySet<string> = new Set([dayNotOver, 'isp.bill_not_exist', 'STATEMENT_CREATING']);

/**
 * Whether a day without its bill needs someone to look: the bill failed (a download or a check
 * that failed, a refusal), or it is overdue (still not made once the day after the day is over;
 * the gateways make it that morning). A gateway never paid through has none to miss.
 */
export function billMissedNeedsAttention(unavailable: string, date: string, now: Date): boolean {
  if (unavailable === noEndpoint) return false;
  return !billNotMadeYet.has(unavailable) || now.getTime() >= beijingMidnight(addDays(date, 2)).getTime();
}

/** The day's bill of `gateway`, or why there is none to use (not made yet, the download failed). Outside any transaction. */
export async function fetchDayBill(ctx: AppContext, gateway: GatewayName, date: string): Promise<DayBill> {
  const endpoint = await repo.latestGatewayEndpoint(ctx.db, gateway);
  if (!endpoint) return { unavailable: noEndpoint };
  try {
    const answer = await (await billClient(ctx, gateway, endpoint)).tradeBill(date);
    return answer.state === 'ready' ? { bill: answer.bill } : { unavailable: answer.code };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const reason = (error.details as { reason?: unknown } | undefined)?.reason;
    return { unavailable: typeof reason === 'string' ? `${error.code}: ${reason}` : error.code };
  }
}

/**
 * A payment the gateway reports and the ledger lacks, through settlePayment (credited, or
 * refunded if late or second); or the code it was refused with, when nothing was booked.
 */
export async function settleOrRefuse(ctx: AppContext, payment: ReportedPayment): Promise<{ outcome: string } | { refused: string }> {
  try {
    return { outcome: (await settlePayment(ctx.db, ctx.clock, payment, systemActor, null)).outcome };
  } catch (error) {
    return { refused: isDomainError(error) ? error.code : String(error) };
  }
}

interface BillContext {
  ctx: AppContext;
  gateway: GatewayName;
  totals: GatewayTotals;
  findings: Finding[];
  /** Our orders named by the bill's lines, by order number. */
  orders: Map<string, OrderRow>;
}

const fen = (n: number) => `${n} fen`;

/**
 * Settles a billed payment the ledger lacks (credited or refunded, as a notification would), then
 * compares amounts. A payment for an order never sent to that gateway is not ours to settle
 * there: an unknown trade, like one for a number we never issued.
 */
async function checkPayment(b: BillContext, line: BillLine): Promise<void> {
  b.totals.gatewayPaidFen += line.amountFen;
  const order = b.orders.get(line.outTradeNo);
  if (!order || !(await repo.attemptedAt(b.ctx.db, order.id, b.gateway))) {
    const known = order ? `, order known, never sent to ${b.gateway}` : '';
    b.findings.push({ kind: 'unknown_trade', orderNo: order ? order.order_no : null, gateway: b.gateway, detail: `${line.outTradeNo} (${line.tradeNo}): ${fen(line.amountFen)}${known}` });
    return;
  }
  const key = incomingPaymentKey(b.gateway, line.tradeNo);
  let refused: string | null = null;
  if ((await repo.ledgerAmountByKey(b.ctx.db, key)) === undefined) {
    const payment = { gateway: b.gateway, outTradeNo: order.order_no, tradeNo: line.tradeNo, amountFen: line.amountFen, paidAt: line.at };
    const settled = await settleOrRefuse(b.ctx, payment);
    await sendOpenRefunds(b.ctx, order.id);
    // Only what was booked is said settled; a refusal is told with the amounts below.
    if ('outcome' in settled) b.findings.push({ kind: 'settled_by_reconciliation', orderNo: order.order_no, gateway: b.gateway, detail: `${line.tradeNo}: ${settled.outcome} (bill)` });
    else refused = settled.refused;
  }
  const bookedFen = (await repo.ledgerAmountByKey(b.ctx.db, key)) ?? 0;
  b.totals.ledgerBookedFen += bookedFen;
  if (bookedFen !== line.amountFen || refused) {
    b.findings.push({ kind: 'amount_mismatch', orderNo: order.order_no, gateway: b.gateway, detail: `bill ${fen(line.amountFen)}, ledger ${fen(bookedFen)}${refused ? ` (not settled: ${refused})` : ''}` });
  }
}

/**
 * What our refund's status says of it, in the bill's terms: done (to the payer, or by a 异常退款
 * into our bank account for an offline transfer), given up (a CLOSED one asked again is too), or
 * neither yet.
 */
const refundStates: Record<RefundRow['status'], BillRefundState> = { succeeded: 'success', offline_due: 'success', failed: 'failed', superseded: 'failed', requested: 'processing' };
const ourRefundState = (status: RefundRow['status']): BillRefundState => refundStates[status];

/**
 * Every refund line must be one of ours, for the same amount, in the same state once the gateway's
 * is final: a refund failed here (its money reserved for an operator) that the gateway paid out
 * must not be paid again; one booked here that the gateway gave up on never reached the payer.
 * One we never made was made by hand at the gateway: reported, nothing booked. Only the
 * successful lines count as refunded.
 */
async function checkRefundLines(b: BillContext, lines: readonly BillLine[]): Promise<void> {
  const ours = new Map((await repo.refundsByOutRequestNo(b.ctx.db, b.gateway, lines.map((l) => l.outRefundNo as string))).map((r) => [r.out_request_no, r]));
  for (const line of lines) {
    if (line.refundState === 'success') b.totals.gatewayRefundedFen = (b.totals.gatewayRefundedFen ?? 0) + line.amountFen;
    const refund = ours.get(line.outRefundNo as string);
    const orderNo = b.orders.has(line.outTradeNo) ? line.outTradeNo : null;
    if (!refund) {
      b.findings.push({ kind: 'refund_not_ours', orderNo, gateway: b.gateway, detail: `${line.outRefundNo}: ${fen(line.amountFen)} of ${line.tradeNo}${line.refundState === 'success' ? '' : ` (${line.refundState})`}` });
      continue;
    }
    if (refund.amount_fen !== line.amountFen) b.findings.push({ kind: 'amount_mismatch', orderNo, gateway: b.gateway, detail: `refund ${line.outRefundNo}: bill ${fen(line.amountFen)}, ours ${fen(refund.amount_fen)}` });
    const ourState = ourRefundState(refund.status);
    if (line.refundState !== 'processing' && line.refundState !== ourState) {
      b.findings.push({ kind: 'refund_state_mismatch', orderNo, gateway: b.gateway, detail: `refund ${line.outRefundNo}: bill ${line.refundState}, ours ${refund.status} (${fen(refund.amount_fen)})` });
    }
  }
}

/**
 * What we hold as done on that day must be on the bill: payments credited here, and refunds the
 * gateway confirmed that it took that day (by its own time, which a refund asked for before
 * midnight and sent after does not share with its creation).
 */
async function checkOursInBill(b: BillContext, bill: TradeBill): Promise<void> {
  const from = beijingMidnight(bill.date);
  const to = beijingMidnight(addDays(bill.date, 1));
  const billed = new Set(bill.lines.map((l) => (l.kind === 'payment' ? `p:${l.tradeNo}` : `r:${l.outRefundNo}`)));
  for (const order of await repo.ordersPaidAtGatewayBetween(b.ctx.db, b.gateway, from, to)) {
    if (!billed.has(`p:${order.gateway_trade_no}`)) b.findings.push({ kind: 'credited_without_gateway_payment', orderNo: order.order_no, gateway: b.gateway, detail: `${order.gateway_trade_no}: not in the bill` });
  }
  for (const refund of await repo.succeededRefundsBilledBetween(b.ctx.db, b.gateway, from, to)) {
    if (!billed.has(`r:${refund.out_request_no}`)) b.findings.push({ kind: 'refund_missing_from_bill', orderNo: refund.order_no, gateway: b.gateway, detail: `${refund.out_request_no}: ${fen(refund.amount_fen)}` });
  }
}

/** Compares one gateway's bill with our books; fills that gateway's totals (fees included) and findings. */
export async function reconcileBill(ctx: AppContext, bill: TradeBill, totals: GatewayTotals, findings: Finding[]): Promise<void> {
  const orders = new Map((await repo.ordersByNo(ctx.db, [...new Set(bill.lines.map((l) => l.outTradeNo))])).map((o) => [o.order_no, o]));
  const b: BillContext = { ctx, gateway: bill.gateway, totals, findings, orders };
  totals.gatewayRefundedFen = 0;
  totals.feesFen = millifenToFen(bill.summary.feeMillifen);
  for (const line of bill.lines) if (line.kind === 'payment') await checkPayment(b, line);
  await checkRefundLines(b, bill.lines.filter((l) => l.kind === 'refund'));
  await checkOursInBill(b, bill);
}
