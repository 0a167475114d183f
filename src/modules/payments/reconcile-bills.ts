import { addDays, beijingMidnight } from '../../domain/calendar.js';
import { isDomainError } from '../../domain/errors.js';
import { systemActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { sendOpenRefunds } from './gateway-refunds.js';
import { millifenToFen, type BillLine, type TradeBill } from './gateways/bill.js';
import { billClient } from './gateways/registry.js';
import { incomingPaymentKey } from './payment-ledger.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';
import type { Finding, GatewayTotals } from './reconcile.js';
import { settlePayment } from './settle-payment.js';

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

interface BillContext {
  ctx: AppContext;
  gateway: GatewayName;
  totals: GatewayTotals;
  findings: Finding[];
  /** Our orders named by the bill's lines, by order number. */
  orders: Map<string, OrderRow>;
}

const fen = (n: number) => `${n} fen`;

/** Settles a billed payment the ledger lacks (credited or refunded, as a notification would), then compares amounts. */
async function checkPayment(b: BillContext, line: BillLine): Promise<void> {
  b.totals.gatewayPaidFen += line.amountFen;
  const order = b.orders.get(line.outTradeNo);
  if (!order) {
    b.findings.push({ kind: 'unknown_trade', orderNo: null, gateway: b.gateway, detail: `${line.outTradeNo} (${line.tradeNo}): ${fen(line.amountFen)}` });
    return;
  }
  const key = incomingPaymentKey(b.gateway, line.tradeNo);
  if ((await repo.ledgerAmountByKey(b.ctx.db, key)) === undefined) {
    const payment = { gateway: b.gateway, outTradeNo: order.order_no, tradeNo: line.tradeNo, amountFen: line.amountFen, paidAt: line.at };
    const { outcome } = await settlePayment(b.ctx.db, b.ctx.clock, payment, systemActor, null).catch((error: unknown) => ({ outcome: isDomainError(error) ? error.code : String(error) }));
    await sendOpenRefunds(b.ctx, order.id);
    b.findings.push({ kind: 'settled_by_reconciliation', orderNo: order.order_no, gateway: b.gateway, detail: `${line.tradeNo}: ${outcome} (bill)` });
  }
  const bookedFen = (await repo.ledgerAmountByKey(b.ctx.db, key)) ?? 0;
  b.totals.ledgerBookedFen += bookedFen;
  if (bookedFen !== line.amountFen) b.findings.push({ kind: 'amount_mismatch', orderNo: order.order_no, gateway: b.gateway, detail: `bill ${fen(line.amountFen)}, ledger ${fen(bookedFen)}` });
}

/** Every refund line must be one of ours, for the same amount. One we never made was made by hand at the gateway: reported, nothing booked. */
async function checkRefundLines(b: BillContext, lines: readonly BillLine[]): Promise<void> {
  const ours = new Map((await repo.refundsByOutRequestNo(b.ctx.db, b.gateway, lines.map((l) => l.outRefundNo as string))).map((r) => [r.out_request_no, r]));
  for (const line of lines) {
    b.totals.gatewayRefundedFen = (b.totals.gatewayRefundedFen ?? 0) + line.amountFen;
    const refund = ours.get(line.outRefundNo as string);
    const orderNo = b.orders.has(line.outTradeNo) ? line.outTradeNo : null;
    if (!refund) b.findings.push({ kind: 'refund_not_ours', orderNo, gateway: b.gateway, detail: `${line.outRefundNo}: ${fen(line.amountFen)} of ${line.tradeNo}` });
    else if (refund.amount_fen !== line.amountFen) b.findings.push({ kind: 'amount_mismatch', orderNo, gateway: b.gateway, detail: `refund ${line.outRefundNo}: bill ${fen(line.amountFen)}, ours ${fen(refund.amount_fen)}` });
  }
}

/** What we hold as done on that day must be on the bill: payments credited here, refunds the gateway confirmed. */
async function checkOursInBill(b: BillContext, bill: TradeBill): Promise<void> {
  const from = beijingMidnight(bill.date);
  const to = beijingMidnight(addDays(bill.date, 1));
  const billed = new Set(bill.lines.map((l) => (l.kind === 'payment' ? `p:${l.tradeNo}` : `r:${l.outRefundNo}`)));
  for (const order of await repo.ordersPaidAtGatewayBetween(b.ctx.db, b.gateway, from, to)) {
    if (!billed.has(`p:${order.gateway_trade_no}`)) b.findings.push({ kind: 'credited_without_gateway_payment', orderNo: order.order_no, gateway: b.gateway, detail: `${order.gateway_trade_no}: not in the bill` });
  }
  for (const refund of await repo.succeededRefundsCreatedBetween(b.ctx.db, b.gateway, from, to)) {
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
