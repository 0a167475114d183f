import { addDays, beijingMidnight, shanghaiDate } from '../../domain/calendar.js';
import { assertBoundParent, lockBinding } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './campus.errors.js';
import { campusRepository as repo } from './campus.repository.js';

/**
 * 每日消费限额 (domain rules, "What users ask for": per-child limits on a parent dashboard): a bound
 * parent caps what the child's campus card may spend at the canteen in one Beijing day. The limit
 * is the child's, one for all the parents: whoever set it last. The canteen POS refuses a purchase
 * that would take the day's purchases past it (CAMPUS_DAILY_LIMIT), charging nothing; a refunded
 * purchase no longer counts. The student sees the limit and may not change it. When the binding of
 * the parent who set it ends, another bound parent takes it over; with none left it ends, since no
 * one could lift it (a student who unbinds their last parent ends it, and that parent is texted).
 * It is for students of a university or vocational college (only the canteen is limited), and it
 * stays with the student across a lost or replaced card.
 */

/** The amounts a parent may name: ¥1.00 to ¥1,000.00 a day (the database's CHECK says the same). */
export const dailyLimitMinFen = 100;
export const dailyLimitMaxFen = 100_000;

export interface DailyLimitView {
  /** Null: no limit. */
  limitFen: number | null;
  /** The canteen purchases of the Beijing day so far, refunds left out. */
  spentTodayFen: number;
  minFen: number;
  maxFen: number;
}

/** What the student's campus cards spent at the canteen in the Beijing day holding `now`, refunded purchases left out. */
export async function spentToday(db: DbOrTx, studentId: string, now: Date): Promise<number> {
  return Number((await spentTodayQuery(db, studentId, now).executeTakeFirstOrThrow()).fen);
}

function spentTodayQuery(db: DbOrTx, studentId: string, now: Date) {
  const today = shanghaiDate(now);
  return db
    .selectFrom('campus_purchases')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_fen'), eb.lit(0)).as('fen'))
    .where('student_id', '=', studentId)
    .where('at', '>=', beijingMidnight(today))
    .where('at', '<', beijingMidnight(addDays(today, 1)))
    .where('refunded_at', 'is', null);
}

/** The child's limit and today's spending, as parent and student both see them. */
export async function dailyLimitOf(db: DbOrTx, studentId: string, now: Date): Promise<DailyLimitView> {
  const row = await db.selectFrom('campus_daily_limits').select('limit_fen').where('student_id', '=', studentId).executeTakeFirst();
  return { limitFen: row?.limit_fen ?? null, spentTodayFen: await spentToday(db, studentId, now), minFen: dailyLimitMinFen, maxFen: dailyLimitMaxFen };
}

/**
 * In the purchase's transaction, under the card's lock: refuses a purchase that would take the
 * day past the limit. The limit row is locked first, so a parent changing it waits for the
 * purchase (or the purchase for the change), and so does a purchase on any other campus card of
 * the child's. The day's spending is summed in a statement of its own after that lock: a sum in
 * the locking statement would be read as it stood before the wait, missing a purchase on another
 * card that committed meanwhile.
 */
export async function assertWithinDailyLimit(tx: Tx, studentId: string, amountFen: number, now: Date): Promise<void> {
  const limit = await tx.selectFrom('campus_daily_limits').select('limit_fen').where('student_id', '=', studentId).forUpdate().executeTakeFirst();
  if (!limit) return;
  const spentTodayFen = await spentToday(tx, studentId, now);
  if (spentTodayFen + amountFen > limit.limit_fen) {
    throw fail('CAMPUS_DAILY_LIMIT', { limitFen: limit.limit_fen, spentTodayFen, leftFen: Math.max(0, limit.limit_fen - spentTodayFen) });
  }
}

const assertParentOf = (ctx: AppContext, caller: Caller, studentId: string) => assertBoundParent(ctx.db, caller, studentId, 'DAILY_LIMIT_PARENT_ONLY');

export async function getDailyLimit(ctx: AppContext, caller: Caller, studentId: string): Promise<DailyLimitView> {
  await assertParentOf(ctx, caller, studentId);
  return dailyLimitOf(ctx.db, studentId, ctx.clock.now());
}

/** Sets or changes the child's limit; the child must study at a university or vocational college. */
export async function setDailyLimit(ctx: AppContext, caller: Caller, studentId: string, limitFen: number, requestId: string): Promise<DailyLimitView> {
  await assertParentOf(ctx, caller, studentId);
  if (!Number.isSafeInteger(limitFen) || limitFen < dailyLimitMinFen || limitFen > dailyLimitMaxFen) {
    throw fail('DAILY_LIMIT_AMOUNT', { limitFen, minFen: dailyLimitMinFen, maxFen: dailyLimitMaxFen });
  }
  const { school_id: schoolId } = await repo.payer(ctx.db, studentId);
  if (!(await repo.isCampusSchool(ctx.db, schoolId))) throw fail('DAILY_LIMIT_CAMPUS_ONLY');
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    // The binding before the limit, in unbinding's order.
    await lockBinding(tx, caller.subjectId, studentId);
    const before = await tx.selectFrom('campus_daily_limits').select(['limit_fen', 'set_by_parent_id']).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    if (before?.limit_fen === limitFen && before.set_by_parent_id === caller.subjectId) return;
    await tx.insertInto('campus_daily_limits').values({ student_id: studentId, limit_fen: limitFen, set_by_parent_id: caller.subjectId, updated_at: now })
      .onConflict((oc) => oc.column('student_id').doUpdateSet({ limit_fen: limitFen, set_by_parent_id: caller.subjectId, updated_at: now })).execute();
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId }, action: 'campus.daily_limit.set', entityType: 'student', entityId: studentId,
      before: before ? { limitFen: before.limit_fen, setByParentId: before.set_by_parent_id } : null, after: { limitFen, setByParentId: caller.subjectId }, requestId,
    });
  });
  return dailyLimitOf(ctx.db, studentId, now);
}

/** Lifts the child's limit (any bound parent may). */
export async function removeDailyLimit(ctx: AppContext, caller: Caller, studentId: string, requestId: string): Promise<DailyLimitView> {
  await assertParentOf(ctx, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const removed = await tx.deleteFrom('campus_daily_limits').where('student_id', '=', studentId).returning(['limit_fen', 'set_by_parent_id']).executeTakeFirst();
    if (removed) {
      await recordAudit(tx, ctx.clock, {
        actor: { role: caller.role, id: caller.subjectId }, action: 'campus.daily_limit.removed', entityType: 'student', entityId: studentId,
        before: { limitFen: removed.limit_fen, setByParentId: removed.set_by_parent_id }, requestId,
      });
    }
  });
  return dailyLimitOf(ctx.db, studentId, ctx.clock.now());
}

/**
 * Before a binding ends (in its transaction, audited by it): a limit that parent set passes to
 * another parent still bound, or ends when none is. Says what became of it, if there was one.
 */
export async function releaseDailyLimit(tx: Tx, parentId: string, studentId: string): Promise<{ limitFen: number; handedTo: string | null } | null> {
  const limit = await tx.selectFrom('campus_daily_limits').select('limit_fen').where('student_id', '=', studentId).where('set_by_parent_id', '=', parentId).forUpdate().executeTakeFirst();
  if (!limit) return null;
  // Held until commit: the parent taking it over cannot unbind meanwhile.
  const other = await tx.selectFrom('parent_students').select('parent_id').where('student_id', '=', studentId).where('parent_id', '!=', parentId).orderBy('bound_at').forKeyShare().executeTakeFirst();
  if (other) await tx.updateTable('campus_daily_limits').set({ set_by_parent_id: other.parent_id }).where('student_id', '=', studentId).execute();
  else await tx.deleteFrom('campus_daily_limits').where('student_id', '=', studentId).execute();
  return { limitFen: limit.limit_fen, handedTo: other?.parent_id ?? null };
}
