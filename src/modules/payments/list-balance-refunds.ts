import { maskIdNumber, maskName } from '../../domain/masking.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { offsetOf } from '../shared/pagination.js';
import type { AdminBalanceRefundDetail, AdminBalanceRefundQuery, AdminBalanceRefundRow } from './admin-payments.schemas.js';
import { getBalanceRefund } from './balance-refund.js';
import './payments.errors.js';
import { adminPaymentsRepository as repo } from './payments.repository.js';
import { consoleSchoolScope, parseSearchTerm } from './search-orders.js';

/**
 * Balance refunds (card return) as the console lists them: the ones waiting for an outlet
 * first. Operators see all; a card manager their own school's, read only.
 */
export async function listBalanceRefunds(ctx: AppContext, caller: Caller, query: AdminBalanceRefundQuery) {
  const schoolId = consoleSchoolScope(caller, query.schoolId);
  const { items, total } = await repo.searchBalanceRefunds(ctx.db, { schoolId, term: parseSearchTerm(query.q), status: query.status, route: query.route }, { offset: offsetOf(query), limit: query.pageSize });
  const rows: AdminBalanceRefundRow[] = items.map((r) => ({
    id: r.id, studentId: r.student_id, amountFen: r.amount_fen, route: r.route, status: r.status, outlet: r.outlet, outletReference: r.outlet_reference,
    createdAt: r.created_at.toISOString(), completedAt: r.completed_at?.toISOString() ?? null,
    studentName: maskName(r.student_name), educationId: r.education_id, schoolName: r.school_name,
    gatewayRefunds: Number(r.gateway_refunds ?? 0), gatewayRefundsSucceeded: Number(r.gateway_refunds_succeeded ?? 0),
  }));
  return { items: rows, total, page: query.page, pageSize: query.pageSize };
}

/**
 * One balance refund with what the outlet checks before paying out (the holder's name and ID
 * number, masked, to compare with the document presented) and, once paid, the ledger's record of it.
 */
export async function adminBalanceRefundDetail(ctx: AppContext, caller: Caller, id: string): Promise<AdminBalanceRefundDetail> {
  // Authorised there: the refund's student must be the caller's to see.
  const refund = await getBalanceRefund(ctx, caller, id);
  const holder = await repo.findBalanceRefundHolder(ctx.db, id);
  if (!holder) throw fail('BALANCE_REFUND_NOT_FOUND', { id });
  const payout = refund.route === 'outlet' ? await repo.ledgerTransactionByKey(ctx.db, `balance-refund-outlet:${id}`) : undefined;
  return {
    ...refund,
    student: { name: maskName(holder.name), educationId: holder.education_id, idNumber: maskIdNumber(holder.id_number), gender: holder.gender, schoolName: holder.school_name },
    completedBy: holder.completed_by_name,
    payout: payout ? { transactionId: payout.id, amountFen: payout.amountFen, memo: payout.memo, createdAt: payout.createdAt.toISOString() } : null,
  };
}
