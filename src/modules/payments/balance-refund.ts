import { assertStudentAccess } from '../../platform/access.js';
import { accessibleCard } from '../cards/card-access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { balanceOf } from '../ledger/ledger.js';
import { insertGatewayRefund } from './gateway-refunds.js';
import { issueRedLetterForRefund } from './invoices.js';
import { accountCodes } from '../ledger/ledger.js';
import { inAppBalanceRefundLimitFen } from './order-rules.js';
import { bookOutletPayout, cardPurse, reserveBalanceRefund } from './payment-ledger.js';
import { paymentsRepository as repo, type BalanceRefundRow, type OrderRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';
import { refundView, type RefundView } from './refund-order.js';

export interface BalanceRefundView {
  id: string;
  studentId: string;
  amountFen: number;
  route: BalanceRefundRow['route'];
  status: BalanceRefundRow['status'];
  outlet: string | null;
  outletReference: string | null;
  createdAt: string;
  completedAt: string | null;
  refunds: RefundView[];
}

async function view(ctx: AppContext, row: BalanceRefundRow): Promise<BalanceRefundView> {
  return {
    id: row.id, studentId: row.student_id, amountFen: row.amount_fen, route: row.route, status: row.status, outlet: row.outlet, outletReference: row.outlet_reference,
    createdAt: row.created_at.toISOString(), completedAt: row.completed_at?.toISOString() ?? null,
    refunds: (await repo.refundsOfBalanceRefund(ctx.db, row.id)).map(refundView),
  };
}

interface RefundShare {
  orderId: string;
  gateway: GatewayName;
  tradeNo: string;
  refundedFen: number;
  amountFen: number;
}

/**
 * How a balance goes back through the gateways: against the card's paid top-ups, newest
 * first, each at most what is left of it. Null when the top-ups cannot cover the balance (it
 * came from elsewhere, or older top-ups were refunded): then only an outlet can pay it out.
 */
function allocateToTopUps(orders: readonly OrderRow[], amountFen: number): RefundShare[] | null {
  const shares: RefundShare[] = [];
  let leftFen = amountFen;
  for (const order of orders) {
    if (leftFen === 0) break;
    const shareFen = Math.min(leftFen, order.amount_fen - order.refunded_fen);
    if (shareFen <= 0 || !order.gateway || !order.gateway_trade_no) continue;
    shares.push({ orderId: order.id, gateway: order.gateway, tradeNo: order.gateway_trade_no, refundedFen: order.refunded_fen, amountFen: shareFen });
    leftFen -= shareFen;
  }
  return leftFen === 0 ? shares : null;
}

/** The gateway refunds that would carry `amountFen` back, or null when it must wait at an outlet (over ¥200, or not covered by top-ups). */
async function gatewayAllocation(db: DbOrTx, cardId: string, amountFen: number): Promise<RefundShare[] | null> {
  return amountFen <= inAppBalanceRefundLimitFen ? allocateToTopUps(await repo.refundableTopUps(db, cardId), amountFen) : null;
}

/** Where a balance refund of `amountFen` from the card would go now: back in the app through the gateways, or at an outlet. */
export async function plannedRefundRoute(db: DbOrTx, cardId: string, amountFen: number): Promise<'app' | 'outlet' | 'none'> {
  if (amountFen <= 0) return 'none';
  return (await gatewayAllocation(db, cardId, amountFen)) ? 'app' : 'outlet';
}

/**
 * The whole available balance of a card's purse is handed back (card return). Up to ¥200
 * it goes back in the app, through the gateways the money came in by; above that, or when the
 * top-ups cannot carry it, it waits for an operator to pay it out at an outlet. Either way the
 * purse is emptied now, into refunds:payable, in the request's transaction.
 */
export async function requestBalanceRefund(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<BalanceRefundView> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const studentId = card.student_id;
  const actor = { role: caller.role, id: caller.subjectId };
  const purse = await cardPurse(ctx.db, ctx.clock, card.id, actor);
  const amountFen = (await balanceOf(ctx.db, purse.id)).availableFen;
  if (amountFen <= 0) throw fail('BALANCE_REFUND_NOTHING', { cardId, balanceFen: amountFen });
  const allocation = await gatewayAllocation(ctx.db, card.id, amountFen);
  const now = ctx.clock.now();
  const id = newId();
  await repo.insertBalanceRefund(ctx.db, {
    id, student_id: studentId, purse_code: accountCodes.purse(card.id), amount_fen: amountFen, route: allocation ? 'gateway' : 'outlet', status: allocation ? 'refunding' : 'awaiting_outlet',
    requested_by_role: caller.role, requested_by: caller.subjectId, outlet: null, outlet_reference: null, completed_by: null, created_at: now, updated_at: now, completed_at: null,
  });
  await reserveBalanceRefund(ctx.db, ctx.clock, purse, { id, amountFen }, actor);
  for (const share of allocation ?? []) {
    const refundId = await insertGatewayRefund(ctx.db, ctx.clock, { orderId: share.orderId, gateway: share.gateway, tradeNo: share.tradeNo, amountFen: share.amountFen, reason: 'balance_refund', balanceRefundId: id, requestedBy: `${caller.role}:${caller.subjectId}` }, actor, requestId);
    await repo.updateOrder(ctx.db, share.orderId, { refunded_fen: share.refundedFen + share.amountFen, updated_at: now });
    await issueRedLetterForRefund(ctx.db, ctx.clock, { orderId: share.orderId, refundId, amountFen: share.amountFen }, actor, requestId);
  }
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'payments.balance_refund.requested', entityType: 'balance_refund', entityId: id, after: { studentId, cardId, amountFen, route: allocation ? 'gateway' : 'outlet' }, requestId });
  const row = await repo.findBalanceRefund(ctx.db, id);
  if (!row) throw fail('BALANCE_REFUND_NOT_FOUND', { id });
  return view(ctx, row);
}

export async function getBalanceRefund(ctx: AppContext, caller: Caller, id: string): Promise<BalanceRefundView> {
  const row = await repo.findBalanceRefund(ctx.db, id);
  if (!row) throw fail('BALANCE_REFUND_NOT_FOUND', { id });
  await assertStudentAccess(ctx.db, caller, row.student_id);
  return view(ctx, row);
}

/** 退资记录: every balance refund of a card, newest first, for whoever may see the card. */
export async function balanceRefundsOfCard(ctx: AppContext, caller: Caller, cardId: string): Promise<BalanceRefundView[]> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const rows = await repo.balanceRefundsOfPurse(ctx.db, accountCodes.purse(card.id));
  return Promise.all(rows.map((row) => view(ctx, row)));
}

/** An operator records that an outlet paid the balance out (cash or bank transfer, with its reference). */
export async function completeOutletRefund(ctx: AppContext, caller: Caller, id: string, input: { outlet: string; reference: string }, requestId: string): Promise<BalanceRefundView> {
  const row = await repo.lockBalanceRefund(ctx.db, id);
  if (!row) throw fail('BALANCE_REFUND_NOT_FOUND', { id });
  if (row.status !== 'awaiting_outlet') throw fail('BALANCE_REFUND_NOT_AT_OUTLET', { id, status: row.status });
  const actor = { role: caller.role, id: caller.subjectId };
  await bookOutletPayout(ctx.db, ctx.clock, { id, amountFen: row.amount_fen, outlet: input.outlet }, actor);
  const now = ctx.clock.now();
  await repo.updateBalanceRefund(ctx.db, id, { status: 'completed', outlet: input.outlet, outlet_reference: input.reference, completed_by: caller.subjectId, updated_at: now, completed_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'payments.balance_refund.completed', entityType: 'balance_refund', entityId: id, before: { status: row.status }, after: { status: 'completed', route: 'outlet', outlet: input.outlet, reference: input.reference }, requestId });
  const updated = await repo.findBalanceRefund(ctx.db, id);
  if (!updated) throw fail('BALANCE_REFUND_NOT_FOUND', { id });
  return view(ctx, updated);
}
