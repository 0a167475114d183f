import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import './campus.errors.js';
import { campusRepository as repo } from './campus.repository.js';
import { dailyLimitOf } from './daily-limit.js';
import { campusCardOf } from './payment-codes.js';

/** The most a student may set as the per-purchase limit (the database's CHECK says the same). */
export const purchaseLimitMaxFen = 100_000;

export interface PurchaseLimitView {
  limitFen: number;
  maxFen: number;
  /** 每日消费限额 a parent set (null: none), and the canteen purchases of the day so far. */
  dailyLimitFen: number | null;
  spentTodayFen: number;
}

/** 单笔限额: what a canteen purchase may cost before the consumption password is asked for; beside it the parent's daily limit. */
export async function purchaseLimit(ctx: AppContext, caller: Caller): Promise<PurchaseLimitView> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  await campusCardOf(ctx, caller.subjectId);
  return limitsOf(ctx, caller.subjectId, (await repo.payer(ctx.db, caller.subjectId)).campus_purchase_limit_fen);
}

async function limitsOf(ctx: AppContext, studentId: string, limitFen: number): Promise<PurchaseLimitView> {
  const daily = await dailyLimitOf(ctx.db, studentId, ctx.clock.now());
  return { limitFen, maxFen: purchaseLimitMaxFen, dailyLimitFen: daily.limitFen, spentTodayFen: daily.spentTodayFen };
}

/** The student sets their own limit, with the query password (a higher limit asks the card for less). */
export async function setPurchaseLimit(ctx: AppContext, caller: Caller, input: { limitFen: number; queryPassword: string }, source: string, requestId: string): Promise<PurchaseLimitView> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  if (input.limitFen < 0 || input.limitFen > purchaseLimitMaxFen) throw fail('CAMPUS_LIMIT_INVALID', { limitFen: input.limitFen });
  await campusCardOf(ctx, caller.subjectId);
  await verifyQueryPassword(ctx, caller.subjectId, input.queryPassword, source);
  await inTransaction(ctx.db, async (tx) => {
    const before = (await repo.lockPayer(tx, caller.subjectId)).campus_purchase_limit_fen;
    await repo.setPurchaseLimit(tx, caller.subjectId, input.limitFen, ctx.clock.now());
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.purchase_limit.set', entityType: 'student', entityId: caller.subjectId, before: { limitFen: before }, after: { limitFen: input.limitFen }, requestId });
  });
  return limitsOf(ctx, caller.subjectId, input.limitFen);
}
