import { isDomainError } from '../../domain/errors.js';
import { normaliseBankAccount, type AbnormalRefundBank } from '../../domain/wechat-banks.js';
import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { closeWhatTheRefundSettles, insertGatewayRefund, lockRefundAfterItsOrder } from './gateway-refunds.js';
import { abnormalRefundClient } from './gateways/registry.js';
import { bookOfflineRefundPaid } from './payment-ledger.js';
import { paymentsRepository as repo, type RefundRow } from './payments.repository.js';
import { refundView, type RefundView } from './refund-order.js';

/**
 * What an operator does with a refund the gateway gave up on (docs/decisions/0012-abnormal-refunds.md):
 *
 * - WeChat Pay ABNORMAL (the payer's card was cancelled or frozen): 发起异常退款, to the payer's
 *   bank card (bank, card number and name go to WeChat encrypted; we keep the bank and the last
 *   four digits), or to the merchant's bank account, the money then owed to the payer until the
 *   operator records the offline transfer;
 * - CLOSED: the refund asked again under a new out_refund_no, for the same amount, the money
 *   staying reserved.
 *
 * The decision is recorded first, in the request's transaction (idempotent, audited), as an
 * application awaiting WeChat's answer (abnormal_pending_*); the gateway is called after it
 * commits, never inside it. Only WeChat's 200 makes it the refund's route (abnormal_*); a refusal
 * drops it, leaving the route WeChat accepted before. The gateway's REFUND.SUCCESS then books the
 * refund by where WeChat says the money went (gateway-refunds.ts).
 */

export type AbnormalRefundInput =
  | { route: 'user_bank_card'; bankType: AbnormalRefundBank; bankAccount: string; realName: string }
  | { route: 'merchant_bank_card' };

type AbnormalApplication = { route: 'user_bank_card' | 'merchant_bank_card'; bankType: string | null; accountLast4: string | null; appliedAt: string };

/** What the console shows of a refund: the bank and last four digits of a 异常退款, never the number or the name. */
export interface AdminRefundView extends RefundView {
  /** The 异常退款 WeChat accepted. */
  abnormal: AbnormalApplication | null;
  /** One sent and not answered yet (WeChat unreachable, or busy: 5xx, 429). */
  abnormalPending: AbnormalApplication | null;
  /** WeChat reported the money paid where we did not send it: nothing booked, for an operator to check. */
  routeConflict: string | null;
  offlineReference: string | null;
  offlinePaidAt: string | null;
  replacesRefundId: string | null;
}

export function adminRefundView(row: RefundRow): AdminRefundView {
  return {
    ...refundView(row),
    abnormal: row.abnormal_route && row.abnormal_applied_at
      ? { route: row.abnormal_route, bankType: row.abnormal_bank_type, accountLast4: row.abnormal_account_last4, appliedAt: row.abnormal_applied_at.toISOString() }
      : null,
    abnormalPending: row.abnormal_pending_route && row.abnormal_pending_at
      ? { route: row.abnormal_pending_route, bankType: row.abnormal_pending_bank_type, accountLast4: row.abnormal_pending_last4, appliedAt: row.abnormal_pending_at.toISOString() }
      : null,
    routeConflict: row.route_conflict,
    offlineReference: row.offline_reference,
    offlinePaidAt: row.offline_paid_at?.toISOString() ?? null,
    replacesRefundId: row.replaces_refund_id,
  };
}

const actorOf = (caller: Caller): AuditActor => ({ role: caller.role, id: caller.subjectId });

/** A 异常退款 is for a WeChat refund that failed ABNORMAL, and is applied once (again only if it fails again). */
function assertAbnormalApplicable(refund: RefundRow): void {
  if (refund.status !== 'failed') {
    throw fail(refund.abnormal_route || refund.abnormal_pending_route ? 'REFUND_ABNORMAL_ALREADY_APPLIED' : 'REFUND_NOT_FAILED', { refundId: refund.id, status: refund.status });
  }
  if (refund.gateway !== 'wechat' || refund.gateway_failure !== 'ABNORMAL' || !refund.gateway_refund_no) {
    throw fail('REFUND_NOT_ABNORMAL', { refundId: refund.id, gateway: refund.gateway, failure: refund.gateway_failure });
  }
}

/** The card number as the gateway takes it (digits only), or BANK_ACCOUNT_INVALID. */
export function bankAccountOf(input: AbnormalRefundInput): string | null {
  if (input.route !== 'user_bank_card') return null;
  const digits = normaliseBankAccount(input.bankAccount);
  if (!digits) throw fail('BANK_ACCOUNT_INVALID');
  return digits;
}

/**
 * Records the operator's 异常退款 (call inside the request's transaction): the refund is
 * requested again, the application (route, bank, the card's last four digits) awaiting WeChat's
 * answer; the route WeChat accepted before, if any, stays until WeChat accepts this one. Audited
 * without the number or the name.
 */
export async function recordAbnormalRefund(ctx: AppContext, caller: Caller, refundId: string, input: AbnormalRefundInput, requestId: string): Promise<AdminRefundView> {
  const account = bankAccountOf(input);
  const refund = await lockRefundAfterItsOrder(ctx.db, refundId);
  if (!refund) throw fail('REFUND_NOT_FOUND', { refundId });
  assertAbnormalApplicable(refund);
  const now = ctx.clock.now();
  const applied = {
    abnormal_pending_route: input.route, abnormal_pending_bank_type: input.route === 'user_bank_card' ? input.bankType : null, abnormal_pending_last4: account?.slice(-4) ?? null,
    abnormal_pending_at: now, abnormal_pending_by: `${caller.role}:${caller.subjectId}`,
  };
  await repo.updateRefund(ctx.db, refund.id, { ...applied, status: 'requested', last_error: null, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, {
    actor: actorOf(caller), action: 'payments.refund.abnormal_applied', entityType: 'payment_refund', entityId: refund.id, requestId,
    before: { status: refund.status, failure: refund.gateway_failure, route: refund.abnormal_route },
    after: { route: input.route, bankType: applied.abnormal_pending_bank_type, accountLast4: applied.abnormal_pending_last4, amountFen: refund.amount_fen },
  });
  return adminRefundView({ ...refund, ...applied, status: 'requested', last_error: null, updated_at: now });
}

/**
 * Sends a recorded 异常退款 to WeChat Pay (after its transaction committed; once: a replay of the
 * request does not send it again). WeChat's 200 makes it the refund's route. A refusal (a 4xx
 * business code) puts the refund back to failed with WeChat's reason, the route it accepted
 * before (if any) unchanged, and is thrown (GATEWAY_REJECTED, its code in the details). An
 * unknown outcome (WeChat unreachable or busy: 5xx SYSTEM_ERROR, 429; an answer that fails
 * verification) leaves it requested and pending: the retry job asks WeChat (查询单笔退款), which
 * answers ABNORMAL again if the application never arrived.
 */
export async function sendAbnormalRefund(ctx: AppContext, refundId: string, input: AbnormalRefundInput): Promise<void> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund || refund.status !== 'requested' || refund.abnormal_pending_route !== input.route || !refund.gateway_refund_no) return;
  const attempt = await repo.latestAttempt(ctx.db, refund.order_id, refund.gateway);
  if (!attempt) throw fail('REFUND_NOT_ABNORMAL', { refundId, reason: 'the order was never sent to WeChat Pay' });
  const client = await abnormalRefundClient(ctx, attempt.gateway_base_url);
  const details = input.route === 'user_bank_card' ? { route: input.route, bankType: input.bankType, bankAccount: bankAccountOf(input) as string, realName: input.realName.trim() } : { route: input.route };
  try {
    await client.applyAbnormalRefund({ gatewayRefundNo: refund.gateway_refund_no, outRequestNo: refund.out_request_no, ...details });
    await inTransaction(ctx.db, (tx) => acceptAbnormalRefund({ ...ctx, db: tx }, refundId));
  } catch (error) {
    if (!isDomainError(error, 'GATEWAY_REJECTED')) {
      ctx.logger.warn({ refundId, err: error instanceof Error ? error.message : String(error) }, '异常退款 not confirmed by the gateway; the retry job asks again');
      await repo.recordRefundTry(ctx.db, refundId, 'abnormal refund sent, no answer from the gateway', ctx.clock.now());
      return;
    }
    await inTransaction(ctx.db, (tx) => refuseAbnormalRefund({ ...ctx, db: tx }, refundId, error.details));
    throw error;
  }
}

const noPending = { abnormal_pending_route: null, abnormal_pending_bank_type: null, abnormal_pending_last4: null, abnormal_pending_at: null, abnormal_pending_by: null };

/** WeChat accepted the 异常退款 (200): it is the refund's route now, the one a success is checked against. */
async function acceptAbnormalRefund(ctx: AppContext, refundId: string): Promise<void> {
  const refund = await lockRefundAfterItsOrder(ctx.db, refundId);
  // Settled meanwhile (a notification booked it, taking the route from WeChat's word), or nothing pending.
  if (!refund || refund.status !== 'requested' || !refund.abnormal_pending_route) return;
  await repo.updateRefund(ctx.db, refundId, {
    ...noPending, abnormal_route: refund.abnormal_pending_route, abnormal_bank_type: refund.abnormal_pending_bank_type, abnormal_account_last4: refund.abnormal_pending_last4,
    abnormal_applied_at: refund.abnormal_pending_at, abnormal_applied_by: refund.abnormal_pending_by, last_error: null, updated_at: ctx.clock.now(),
  });
}

/**
 * WeChat refused the 异常退款: failed again (still ABNORMAL), its reason shown; the operator may
 * try again. The application is dropped; a route WeChat accepted earlier stays, so a success it
 * still pays that way is booked that way.
 */
async function refuseAbnormalRefund(ctx: AppContext, refundId: string, details: Record<string, unknown> | undefined): Promise<void> {
  const refund = await lockRefundAfterItsOrder(ctx.db, refundId);
  if (!refund || refund.status !== 'requested') return;
  const reason = `abnormal refund refused: ${String(details?.code ?? '')} ${String(details?.message ?? '')}`.trim();
  await repo.updateRefund(ctx.db, refundId, { ...noPending, status: 'failed', last_error: reason, updated_at: ctx.clock.now() });
  await recordAudit(ctx.db, ctx.clock, {
    actor: systemActor, action: 'payments.refund.abnormal_refused', entityType: 'payment_refund', entityId: refundId,
    after: { code: details?.code ?? null, refusedRoute: refund.abnormal_pending_route, route: refund.abnormal_route },
  });
}

/**
 * The operator transferred a refund paid into the merchant's bank account to the payer: booked
 * (refunds:payable → clearing:merchant_bank), the refund succeeded, and what it settles closes
 * as for any refund. Once: a second record is refused.
 */
export async function recordOfflineTransfer(ctx: AppContext, caller: Caller, refundId: string, input: { reference: string }, requestId: string): Promise<AdminRefundView> {
  const refund = await lockRefundAfterItsOrder(ctx.db, refundId);
  if (!refund) throw fail('REFUND_NOT_FOUND', { refundId });
  if (refund.status !== 'offline_due') throw fail(refund.offline_paid_at ? 'REFUND_OFFLINE_ALREADY_RECORDED' : 'REFUND_NOT_OFFLINE_DUE', { refundId, status: refund.status });
  const now = ctx.clock.now();
  const reference = input.reference.trim();
  await bookOfflineRefundPaid(ctx.db, ctx.clock, { id: refund.id, amountFen: refund.amount_fen, orderId: refund.order_id, reference }, actorOf(caller));
  const paid = { status: 'succeeded' as const, offline_reference: reference, offline_paid_at: now, offline_paid_by: `${caller.role}:${caller.subjectId}`, completed_at: now, updated_at: now };
  await repo.updateRefund(ctx.db, refund.id, paid);
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'payments.refund.offline_paid', entityType: 'payment_refund', entityId: refund.id, requestId, after: { reference, amountFen: refund.amount_fen } });
  const settled = { ...refund, ...paid };
  await closeWhatTheRefundSettles(ctx.db, ctx.clock, settled);
  return adminRefundView(settled);
}

/**
 * A refund WeChat CLOSED is asked again: a new refund (a new out_refund_no) for the same order,
 * amount and reason, naming the closed one, which is superseded. The money stays reserved (it
 * never left refunds:payable); the route sends the new one after this commits.
 */
export async function rerequestClosedRefund(ctx: AppContext, caller: Caller, refundId: string, requestId: string): Promise<AdminRefundView> {
  const refund = await lockRefundAfterItsOrder(ctx.db, refundId);
  if (!refund) throw fail('REFUND_NOT_FOUND', { refundId });
  if (refund.status === 'superseded') throw fail('REFUND_ALREADY_REREQUESTED', { refundId });
  if (refund.status !== 'failed') throw fail('REFUND_NOT_FAILED', { refundId, status: refund.status });
  if (refund.gateway_failure !== 'CLOSED') throw fail('REFUND_NOT_CLOSED', { refundId, failure: refund.gateway_failure });
  const now = ctx.clock.now();
  await repo.updateRefund(ctx.db, refund.id, { status: 'superseded', updated_at: now });
  const actor = actorOf(caller);
  const newId = await insertGatewayRefund(ctx.db, ctx.clock, {
    orderId: refund.order_id, gateway: refund.gateway, tradeNo: refund.trade_no, amountFen: refund.amount_fen, reason: refund.reason, balanceRefundId: refund.balance_refund_id,
    requestedBy: `${caller.role}:${caller.subjectId}`, replacesRefundId: refund.id,
  }, actor, requestId);
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'payments.refund.rerequested', entityType: 'payment_refund', entityId: refund.id, requestId, before: { status: refund.status, failure: refund.gateway_failure }, after: { status: 'superseded', newRefundId: newId } });
  const created = await repo.findRefund(ctx.db, newId);
  if (!created) throw fail('REFUND_NOT_FOUND', { refundId: newId });
  return adminRefundView(created);
}
