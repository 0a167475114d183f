import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import type { GatewayName, TradeState } from './gateways/gateway.js';
import { gatewayClient } from './gateways/registry.js';
import { accessibleOrder } from './list-orders.js';
import { orderView, type OrderView } from './order-view.js';
import { paymentsRepository as repo, type OrderRow } from './payments.repository.js';
import { settlePayment, type ReportedPayment } from './settle-payment.js';

export interface GatewayAnswer {
  gateway: GatewayName;
  state: TradeState['state'];
}

export interface TradeQueries {
  orderId: string;
  answers: GatewayAnswer[];
  paid: ReportedPayment[];
}

/** Statuses after which there is nothing left to learn from the gateway about the order itself. */
const settledStatuses = new Set<OrderRow['status']>(['paid', 'fulfilled', 'refunded']);

/**
 * What each gateway the order was sent to says about it (network; outside any transaction).
 * For a paid order only the other gateways are asked: a second payment made there is refunded.
 */
export async function queryTrades(ctx: AppContext, order: OrderRow): Promise<Omit<TradeQueries, 'orderId'>> {
  const answers: GatewayAnswer[] = [];
  const paid: ReportedPayment[] = [];
  const attempts = (await repo.latestAttempts(ctx.db, order.id)).filter((a) => !settledStatuses.has(order.status) || a.gateway !== order.gateway);
  for (const attempt of attempts) {
    const trade = await (await gatewayClient(ctx, attempt.gateway, attempt.gateway_base_url)).queryTrade(order.order_no);
    answers.push({ gateway: attempt.gateway, state: trade.state });
    if (trade.state === 'paid' && trade.tradeNo && trade.amountFen !== null) {
      paid.push({ gateway: attempt.gateway, outTradeNo: order.order_no, tradeNo: trade.tradeNo, amountFen: trade.amountFen, paidAt: trade.paidAt });
    }
  }
  return { answers, paid };
}

/**
 * 已完成支付: the payer says they paid; we ask the gateways rather than trust the tap.
 * Step one (network) returns what they say.
 */
export async function askGateways(ctx: AppContext, caller: Caller, orderId: string): Promise<TradeQueries> {
  const order = await accessibleOrder(ctx.db, caller, orderId);
  return { orderId, ...(await queryTrades(ctx, order)) };
}

export interface Confirmation {
  order: OrderView;
  /** True when the order is paid (now or before); false while the gateways know of no payment. */
  confirmed: boolean;
  gateways: GatewayAnswer[];
}

/** Step two, in the request's transaction: every payment a gateway vouched for is settled. */
export async function applyConfirmation(ctx: AppContext, caller: Caller, queries: TradeQueries, requestId: string): Promise<Confirmation> {
  for (const payment of queries.paid) await settlePayment(ctx.db, ctx.clock, payment, { role: caller.role, id: caller.subjectId }, requestId);
  const order = await repo.findOrder(ctx.db, queries.orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId: queries.orderId });
  return { order: orderView(order, ctx.clock), confirmed: settledStatuses.has(order.status), gateways: queries.answers };
}
