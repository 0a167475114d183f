import { sql } from 'kysely';
import { maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertBoundParent, lockBinding } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { purseAvailableSql, purseJoinCondition } from '../ledger/ledger.js';
import './payments.errors.js';

/**
 * 余额提醒 (domain rules, "What users ask for": low-balance alerts on a parent dashboard): a bound
 * parent names an amount; when the balance of a card of the child in use falls below it, the
 * parent gets one text message about that card, and the next only after that card has been back
 * at or above the amount (a top-up). A job compares the purses' balances, so no payment path
 * waits for it.
 */

/** The amounts a parent may name: ¥1.00 to ¥500.00. */
export const balanceAlertMinFen = 100;
export const balanceAlertMaxFen = 50_000;

export interface BalanceAlertView {
  /** Null: no alert set. */
  thresholdFen: number | null;
  /** When the last text went for a card still below the amount; null when none is. */
  alertedAt: string | null;
}

/** Only a parent bound to the child sets or reads it: it texts the parent's phone. */
const assertParentOf = (ctx: AppContext, caller: Caller, studentId: string) => assertBoundParent(ctx.db, caller, studentId, 'BALANCE_ALERT_PARENT_ONLY');

export async function getBalanceAlert(ctx: AppContext, caller: Caller, studentId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  const row = await ctx.db.selectFrom('balance_alerts').select('threshold_fen').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).executeTakeFirst();
  const texted = await ctx.db.selectFrom('balance_alert_texts').select((eb) => eb.fn.max('texted_at').as('at')).where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).executeTakeFirst();
  return { thresholdFen: row?.threshold_fen ?? null, alertedAt: texted?.at ? new Date(texted.at).toISOString() : null };
}

/**
 * Sets (or changes) the amount. A new amount arms the alert again for every card, so a balance
 * already below it is told at the next check; the same amount saved again changes nothing (the
 * parent cannot have texts sent over and over by saving).
 */
export async function setBalanceAlert(ctx: AppContext, caller: Caller, studentId: string, thresholdFen: number, requestId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  if (!Number.isSafeInteger(thresholdFen) || thresholdFen < balanceAlertMinFen || thresholdFen > balanceAlertMaxFen) throw fail('BALANCE_ALERT_AMOUNT', { thresholdFen, minFen: balanceAlertMinFen, maxFen: balanceAlertMaxFen });
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await lockBinding(tx, caller.subjectId, studentId);
    const before = await tx.selectFrom('balance_alerts').select('threshold_fen').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    if (before?.threshold_fen === thresholdFen) return;
    await tx.insertInto('balance_alerts').values({ parent_id: caller.subjectId, student_id: studentId, threshold_fen: thresholdFen, updated_at: now })
      .onConflict((oc) => oc.columns(['parent_id', 'student_id']).doUpdateSet({ threshold_fen: thresholdFen, updated_at: now })).execute();
    await tx.deleteFrom('balance_alert_texts').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'balance_alert.set', entityType: 'student', entityId: studentId, before: before ? { thresholdFen: before.threshold_fen } : null, after: { thresholdFen }, requestId });
  });
  return getBalanceAlert(ctx, caller, studentId);
}

/** Turns it off (its texts' state goes with it). */
export async function removeBalanceAlert(ctx: AppContext, caller: Caller, studentId: string, requestId: string): Promise<BalanceAlertView> {
  await assertParentOf(ctx, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const removed = await deleteBalanceAlert(tx, caller.subjectId, studentId);
    if (removed) await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'balance_alert.removed', entityType: 'student', entityId: studentId, before: { thresholdFen: removed.threshold_fen }, requestId });
  });
  return { thresholdFen: null, alertedAt: null };
}

/** Deletes a parent's alert for a child (when turned off, and when the binding ends); undefined when there was none. */
export function deleteBalanceAlert(tx: DbOrTx, parentId: string, studentId: string) {
  return tx.deleteFrom('balance_alerts').where('parent_id', '=', parentId).where('student_id', '=', studentId).returning('threshold_fen').executeTakeFirst();
}

const available = purseAvailableSql('a');
const purseOfCard = purseJoinCondition('a', 'c.id');

/**
 * The job: texts the parent for each card of a child in use that is below the amount and not yet
 * texted, and forgets the texts of cards back at or above it (or no longer in use), so their next
 * fall texts again. One failed text is logged and the others still go.
 */
export async function sendLowBalanceAlerts(ctx: AppContext): Promise<{ sent: number; failed: number; rearmed: number }> {
  const { rows: due } = await sql<{ parent_id: string; student_id: string; card_id: string; threshold_fen: number; phone: string; name: string; balance_fen: number }>`
    select ba.parent_id, ba.student_id, c.id as card_id, ba.threshold_fen, p.phone, s.name, ${available} as balance_fen
    from balance_alerts ba
    join parent_students ps on ps.parent_id = ba.parent_id and ps.student_id = ba.student_id
    join parents p on p.id = ba.parent_id
    join students s on s.id = ba.student_id
    join cards c on c.student_id = ba.student_id and c.status = 'active'
    join ledger_accounts a on ${purseOfCard}
    where ${available} < ba.threshold_fen
      and not exists (select 1 from balance_alert_texts t where t.parent_id = ba.parent_id and t.student_id = ba.student_id and t.card_id = c.id)`.execute(ctx.db);
  let sent = 0;
  let failed = 0;
  for (const alert of due) {
    try {
      await inTransaction(ctx.db, async (tx) => {
        // Recorded with the text, in one transaction: two runs racing send it once.
        const recorded = await tx.insertInto('balance_alert_texts').values({ parent_id: alert.parent_id, student_id: alert.student_id, card_id: alert.card_id, texted_at: ctx.clock.now() })
          .onConflict((oc) => oc.doNothing()).returning('card_id').executeTakeFirst();
        if (!recorded) return;
        const body = `【北京学生卡】您孩子${maskName(alert.name)}的学生卡余额为 ${formatYuan(Number(alert.balance_fen))}，低于您设置的提醒金额 ${formatYuan(alert.threshold_fen)}，请及时充值。`;
        await ctx.sms.send(tx, { phone: alert.phone, body });
        sent++;
      });
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, studentId: alert.student_id, cardId: alert.card_id }, 'low-balance text not sent; the next run tries again');
    }
  }
  const { numAffectedRows } = await sql`
    delete from balance_alert_texts t
    using balance_alerts ba
    where ba.parent_id = t.parent_id and ba.student_id = t.student_id
      and not exists (
        select 1 from cards c join ledger_accounts a on ${purseOfCard}
        where c.id = t.card_id and c.status = 'active' and ${available} < ba.threshold_fen)`.execute(ctx.db);
  return { sent, failed, rearmed: Number(numAffectedRows ?? 0) };
}
