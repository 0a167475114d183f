import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import './campus.errors.js';
import { campusRepository as repo } from './campus.repository.js';
import { campusCardOf } from './payment-codes.js';

/** The most a student may set as the per-purchase limit (the database's CHECK says the same). */
export const purchaseLimitMaxFen = 100_000;

/** 单笔限额: what a canteen purchase may cost before the consumption password is asked for. */
export async function purchaseLimit(ctx: AppContext, caller: Caller): Promise<{ limitFen: number; maxFen: number }> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  await campusCardOf(ctx, caller.subjectId);
  return { limitFen: (await repo.payer(ctx.db, caller.subjectId)).campus_purchase_limit_fen, maxFen: purchaseLimitMaxFen };
}

/** The student sets their own limit, with the query password (a higher limit asks the card for less). */
export async function setPurchaseLimit(ctx: AppContext, caller: Caller, input: { limitFen: number; queryPassword: string }, source: string, requestId: string) {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  if (input.limitFen < 0 || input.limitFen > purchaseLimitMaxFen) throw fail('CAMPUS_LIMIT_INVALID', { limitFen: input.limitFen });
  await campusCardOf(ctx, caller.subjectId);
  await verifyQueryPassword(ctx, caller.subjectId, input.queryPassword, source);
  await inTransaction(ctx.db, async (tx) => {
    const before = (await repo.lockPayer(tx, caller.subjectId)).campus_purchase_limit_fen;
    await repo.setPurchaseLimit(tx, caller.subjectId, input.limitFen, ctx.clock.now());
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.purchase_limit.set', entityType: 'student', entityId: caller.subjectId, before: { limitFen: before }, after: { limitFen: input.limitFen }, requestId });
  });
  return { limitFen: input.limitFen, maxFen: purchaseLimitMaxFen };
}
