import { addDays, beijingMidnight } from '../../domain/calendar.js';
import { assertSchoolAccess, assertStudentAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { offsetOf } from '../shared/pagination.js';
import type { AdminOrderDetail, AdminOrderQuery, AdminOrderRow } from './admin-payments.schemas.js';
import { orderView } from './order-view.js';
import { operatorRefundBlock } from './order-rules.js';
import './payments.errors.js';
import { incomingPaymentKey } from './payment-ledger.js';
import { adminPaymentsRepository as repo, paymentsRepository, type AdminOrderRowData, type RefundRow, type StudentOrOrderTerm } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';
import { adminRefundView } from './abnormal-refunds.js';

/**
 * The console's order search: operators everywhere, a school's card manager only the orders of
 * their own school's students (read only). Names come back masked.
 */

/** What a search box holds: 1–8 digits an education ID prefix, 9–31 hex characters an order number prefix, else a name. */
export function parseSearchTerm(q: string | undefined): StudentOrOrderTerm | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  if (/^\d{1,8}$/.test(text)) return { educationIdPrefix: text };
  if (/^[0-9a-f]{9,31}$/i.test(text)) return { orderNoPrefix: text.toLowerCase() };
  return { nameContains: text };
}

/** The school a console list is limited to: a card manager's own (never another), an operator's choice or none. */
export function consoleSchoolScope(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.role === 'operator') return requested;
  if (caller.role !== 'school_admin' || !caller.schoolId) throw fail('ACCESS_DENIED');
  if (requested) assertSchoolAccess(caller, requested);
  return caller.schoolId;
}

function adminRow(ctx: AppContext, row: AdminOrderRowData): AdminOrderRow {
  return { ...orderView(row, ctx.clock), educationId: row.education_id, schoolId: row.school_id, schoolName: row.school_name };
}

export async function searchOrders(ctx: AppContext, caller: Caller, query: AdminOrderQuery) {
  const schoolId = consoleSchoolScope(caller, query.schoolId);
  const { items, total } = await repo.searchOrders(ctx.db, {
    schoolId,
    term: parseSearchTerm(query.q),
    status: query.status,
    kind: query.kind,
    gateway: query.gateway,
    createdFrom: query.from ? beijingMidnight(query.from) : undefined,
    createdTo: query.to ? beijingMidnight(addDays(query.to, 1)) : undefined,
  }, { offset: offsetOf(query), limit: query.pageSize });
  return { items: items.map((row) => adminRow(ctx, row)), total, page: query.page, pageSize: query.pageSize };
}

/**
 * The idempotency keys of everything the ledger booked for an order (see payment-ledger.ts): each
 * gateway trade it was paid by (the order's own, any reported by a processed notification, any
 * being refunded) and each refund's reservation and payout.
 */
function ledgerKeysOfOrder(
  order: AdminOrderRowData,
  notifications: readonly { gateway: GatewayName; trade_no: string | null; outcome: string }[],
  refunds: readonly RefundRow[],
): string[] {
  const trades: [GatewayName, string][] = [];
  if (order.gateway && order.gateway_trade_no) trades.push([order.gateway, order.gateway_trade_no]);
  for (const n of notifications) if (n.trade_no && n.outcome === 'processed') trades.push([n.gateway, n.trade_no]);
  for (const r of refunds) trades.push([r.gateway, r.trade_no]);
  return [
    ...trades.map(([gateway, tradeNo]) => incomingPaymentKey(gateway, tradeNo)),
    ...refunds.flatMap((r) => [`refund-reserve:${r.id}`, `refund-paid:${r.id}`, `refund-to-merchant-bank:${r.id}`, `refund-offline-paid:${r.id}`]),
  ];
}

/** One order and everything that happened to it: attempts, notifications, refunds and its ledger transactions. */
export async function adminOrderDetail(ctx: AppContext, caller: Caller, orderId: string): Promise<AdminOrderDetail> {
  const row = await repo.findOrder(ctx.db, orderId);
  if (!row) throw fail('ORDER_NOT_FOUND', { orderId });
  await assertStudentAccess(ctx.db, caller, row.student_id);
  const [attempts, notifications, refunds] = await Promise.all([
    repo.attemptsOfOrder(ctx.db, orderId),
    repo.notificationsOfOrder(ctx.db, row.order_no),
    paymentsRepository.refundsOfOrder(ctx.db, orderId),
  ]);
  const ledger = await repo.ledgerByKeys(ctx.db, ledgerKeysOfOrder(row, notifications, refunds));
  const refundable = operatorRefundBlock(row) === null;
  return {
    order: adminRow(ctx, row),
    refundableFen: refundable ? row.amount_fen - row.refunded_fen : 0,
    attempts: attempts.map((a) => ({ id: a.id, gateway: a.gateway, createdAt: a.created_at.toISOString() })),
    notifications: notifications.map((n) => ({
      id: n.id, gateway: n.gateway, notifyId: n.notify_id, verified: n.verified, outcome: n.outcome, errorCode: n.error_code, tradeNo: n.trade_no, amountFen: n.amount_fen, receivedAt: n.received_at.toISOString(),
    })),
    refunds: refunds.map(adminRefundView),
    ledger: ledger.map((t) => ({
      id: t.id, type: t.type, memo: t.memo, createdAt: t.created_at.toISOString(),
      postings: t.postings.map((p) => ({ accountCode: p.code, debitFen: p.debit_fen, creditFen: p.credit_fen })),
    })),
  };
}
