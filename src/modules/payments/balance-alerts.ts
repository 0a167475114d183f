import { sql } from 'kysely';
import { maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './payments.errors.js';

/**
 * 余额提醒 (domain rules, "What users ask for": low-balance alerts on a parent dashboard): a bound
 * parent names an amount; when the balance of any card of the child in use falls below it, the
 * parent gets one text message, and the next only after the balance has been back at or above
 * the amount (a top-up). A job compares the purses' balances, so no payment path waits for it.
 */

/** The amounts a parent may name: ¥1.00 to ¥500.00. */
export const balanceAlertMinFen = 100;
export const balanceAlertMaxFen = 50_000;

export interface BalanceAlertView {
  /** Null: no alert set. */
  thresholdFen: number | null;
  /** When the text for the current fall went; null while none has. */
  alertedAt: string | null;
}

/** Only a parent bound to the child sets or reads it: it texts the parent's phone. */
async function assertParentOf(ctx: AppContext, caller: Caller, studentId: string): Promise<void> {
  if (caller.role !== 'parent') throw fail('BALANCE_ALERT_PARENT_ONLY');
  await assertStudentAccess(ctx.db, caller, studentId);
}

export async function getBalanceAlert(ctx: AppContext, caller: Caller, studentId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  const row = await ctx.db.selectFrom('balance_alerts').select(['threshold_fen', 'alerted_at']).where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).executeTakeFirst();
  return { thresholdFen: row?.threshold_fen ?? null, alertedAt: row?.alerted_at?.toISOString() ?? null };
}

/** Sets (or changes) the amount; the alert is armed again, so a balance already below it is told at the next check. */
export async function setBalanceAlert(ctx: AppContext, caller: Caller, studentId: string, thresholdFen: number, requestId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  if (!Number.isSafeInteger(thresholdFen) || thresholdFen < balanceAlertMinFen || thresholdFen > balanceAlertMaxFen) throw fail('BALANCE_ALERT_AMOUNT', { thresholdFen, minFen: balanceAlertMinFen, maxFen: balanceAlertMaxFen });
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await tx.insertInto('balance_alerts').values({ parent_id: caller.subjectId, student_id: studentId, threshold_fen: thresholdFen, alerted_at: null, updated_at: now })
      .onConflict((oc) => oc.columns(['parent_id', 'student_id']).doUpdateSet({ threshold_fen: thresholdFen, alerted_at: null, updated_at: now })).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'balance_alert.set', entityType: 'student', entityId: studentId, after: { thresholdFen }, requestId });
  });
  return { thresholdFen, alertedAt: null };
}

export async function removeBalanceAlert(ctx: AppContext, caller: Caller, studentId: string, requestId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const removed = await tx.deleteFrom('balance_alerts').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).returning('threshold_fen').executeTakeFirst();
    if (removed) await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'balance_alert.removed', entityType: 'student', entityId: studentId, before: { thresholdFen: removed.threshold_fen }, requestId });
  });
  return { thresholdFen: null, alertedAt: null };
}

/** A purse's available balance in SQL, as balanceOf computes it for a credit-normal account; purses are coded `purse:<card id>` (accountCodes.purse). */
const available = sql<number>`(a.credits_posted_fen - a.debits_posted_fen - a.debits_pending_fen)`;

/**
 * The job: texts each armed alert whose child has a card in use below the amount (the lowest
 * such balance is named), and re-arms those whose child's cards are all back at or above it.
 * An alert whose parent is no longer bound to the child sends nothing.
 */
export async function sendLowBalanceAlerts(ctx: AppContext): Promise<{ sent: number; rearmed: number }> {
  const { rows: due } = await sql<{ parent_id: string; student_id: string; threshold_fen: number; phone: string; name: string; lowest_fen: string }>`
    select ba.parent_id, ba.student_id, ba.threshold_fen, p.phone, s.name, min(${available}) as lowest_fen
    from balance_alerts ba
    join parent_students ps on ps.parent_id = ba.parent_id and ps.student_id = ba.student_id
    join parents p on p.id = ba.parent_id
    join students s on s.id = ba.student_id
    join cards c on c.student_id = ba.student_id and c.status = 'active'
    join ledger_accounts a on a.code = 'purse:' || c.id
    where ba.alerted_at is null
    group by ba.parent_id, ba.student_id, ba.threshold_fen, p.phone, s.name
    having min(${available}) < ba.threshold_fen`.execute(ctx.db);
  let sent = 0;
  for (const alert of due) {
    await inTransaction(ctx.db, async (tx) => {
      // Marked before it is sent, in one transaction: two runs racing send it once.
      const marked = await tx.updateTable('balance_alerts').set({ alerted_at: ctx.clock.now() })
        .where('parent_id', '=', alert.parent_id).where('student_id', '=', alert.student_id).where('alerted_at', 'is', null).returning('parent_id').executeTakeFirst();
      if (!marked) return;
      const body = `【北京学生卡】您孩子${maskName(alert.name)}的学生卡余额为 ${formatYuan(Number(alert.lowest_fen))}，低于您设置的提醒金额 ${formatYuan(alert.threshold_fen)}，请及时充值。`;
      await ctx.sms.send(tx, { phone: alert.phone, body });
      sent++;
    });
  }
  const { numAffectedRows } = await sql`
    update balance_alerts ba set alerted_at = null
    where ba.alerted_at is not null and not exists (
      select 1 from cards c join ledger_accounts a on a.code = 'purse:' || c.id
      where c.student_id = ba.student_id and c.status = 'active' and ${available} < ba.threshold_fen)`.execute(ctx.db);
  return { sent, rearmed: Number(numAffectedRows ?? 0) };
}
