import { sql } from 'kysely';
import { beijingMinute } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertBoundParent } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './payments.errors.js';

/**
 * 消费提醒 (domain rules, "What users ask for" 4: tap notifications on a parent dashboard): a bound
 * parent is texted about the child's canteen purchases and transit rides of at least an amount.
 * A job gathers each card's new ones and texts them together (so a morning of rides is one text,
 * not five). Rides reach the server when their terminal uploads, so they are told then, later than
 * they happened. A ride whose upload fills a gap in the card's counters below one already told is
 * not told: texts are a courtesy, the card's history is the record.
 */

export const spendNoticeMinFen = 1;
export const spendNoticeMaxFen = 50_000;
/** The most events one text lists; the rest are counted. */
const listedPerText = 3;

export interface SpendNoticeView {
  /** Null: off. */
  minAmountFen: number | null;
}

const assertParentOf = (ctx: AppContext, caller: Caller, studentId: string) => assertBoundParent(ctx.db, caller, studentId, 'SPEND_NOTICE_PARENT_ONLY');

export async function getSpendNotice(ctx: AppContext, caller: Caller, studentId: string): Promise<SpendNoticeView> {
  await assertParentOf(ctx, caller, studentId);
  const row = await ctx.db.selectFrom('spend_notices').select('min_amount_fen').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).executeTakeFirst();
  return { minAmountFen: row?.min_amount_fen ?? null };
}

/** Switches it on (told from now on) or changes the amount (what is already told stays told). */
export async function setSpendNotice(ctx: AppContext, caller: Caller, studentId: string, minAmountFen: number, requestId: string): Promise<SpendNoticeView> {
  await assertParentOf(ctx, caller, studentId);
  if (!Number.isSafeInteger(minAmountFen) || minAmountFen < spendNoticeMinFen || minAmountFen > spendNoticeMaxFen) {
    throw fail('SPEND_NOTICE_AMOUNT', { minAmountFen, minFen: spendNoticeMinFen, maxFen: spendNoticeMaxFen });
  }
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    const before = await tx.selectFrom('spend_notices').select('min_amount_fen').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    if (before?.min_amount_fen === minAmountFen) return;
    await tx.insertInto('spend_notices').values({ parent_id: caller.subjectId, student_id: studentId, min_amount_fen: minAmountFen, armed_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['parent_id', 'student_id']).doUpdateSet({ min_amount_fen: minAmountFen, updated_at: now })).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'spend_notice.set', entityType: 'student', entityId: studentId, before: before ? { minAmountFen: before.min_amount_fen } : null, after: { minAmountFen }, requestId });
  });
  return { minAmountFen };
}

export async function removeSpendNotice(ctx: AppContext, caller: Caller, studentId: string, requestId: string): Promise<SpendNoticeView> {
  await assertParentOf(ctx, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const removed = await deleteSpendNotice(tx, caller.subjectId, studentId);
    if (removed) await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'spend_notice.removed', entityType: 'student', entityId: studentId, before: { minAmountFen: removed.min_amount_fen }, requestId });
  });
  return { minAmountFen: null };
}

/** Deletes a parent's notice for a child (turned off, or the binding ended; its marks go with it). */
export function deleteSpendNotice(tx: DbOrTx, parentId: string, studentId: string) {
  return tx.deleteFrom('spend_notices').where('parent_id', '=', parentId).where('student_id', '=', studentId).returning('min_amount_fen').executeTakeFirst();
}

interface SpendEvent {
  parent_id: string;
  student_id: string;
  card_id: string;
  card_no: string;
  phone: string;
  name: string;
  kind: 'canteen' | 'bus' | 'rail_entry' | 'rail_exit' | 'pos';
  place: string;
  amount_fen: number;
  at: Date;
  purchase_id: string | null;
  tap_counter: number | null;
  last_purchase_id: string | null;
  last_tap_counter: number | null;
}

/** Canteen purchases and settled rides of at least the amount, after each card's marks and the notice's arming. */
async function untoldEvents(db: DbOrTx): Promise<SpendEvent[]> {
  const { rows } = await sql<SpendEvent>`
    with notice as (
      select n.parent_id, n.student_id, n.min_amount_fen, n.armed_at, p.phone, s.name, c.id as card_id, c.card_no, m.last_purchase_id, m.last_tap_counter
      from spend_notices n
      join parent_students ps on ps.parent_id = n.parent_id and ps.student_id = n.student_id
      join parents p on p.id = n.parent_id
      join students s on s.id = n.student_id
      join cards c on c.student_id = n.student_id
      left join spend_notice_marks m on m.parent_id = n.parent_id and m.student_id = n.student_id and m.card_id = c.id
    )
    select n.parent_id, n.student_id, n.card_id, n.card_no, n.phone, n.name, 'canteen' as kind, cp.merchant as place, cp.amount_fen, cp.at,
           cp.id as purchase_id, null::int as tap_counter, n.last_purchase_id, n.last_tap_counter
    from notice n
    join campus_purchases cp on cp.card_id = n.card_id and cp.at > n.armed_at and cp.amount_fen >= n.min_amount_fen
    where n.last_purchase_id is null or cp.id > n.last_purchase_id
    union all
    select n.parent_id, n.student_id, n.card_id, n.card_no, n.phone, n.name, t.kind, t.operator as place, t.amount_fen, t.at,
           null::uuid, t.card_counter, n.last_purchase_id, n.last_tap_counter
    from notice n
    join transit_taps t on t.card_id = n.card_id and t.outcome = 'settled' and t.card_counter > coalesce(n.last_tap_counter, -1)
    where t.at > n.armed_at and t.amount_fen >= n.min_amount_fen
    order by at`.execute(db);
  return rows;
}

const eventLabel: Record<SpendEvent['kind'], (place: string) => string> = {
  canteen: (place) => place,
  pos: (place) => place,
  bus: () => '公交',
  rail_entry: () => '地铁',
  rail_exit: () => '地铁',
};

/** One text for one card's new events: the first three listed, the rest counted, and the total. */
export function spendNoticeText(name: string, cardNo: string, events: readonly Pick<SpendEvent, 'kind' | 'place' | 'amount_fen' | 'at'>[]): string {
  const total = events.reduce((sum, e) => sum + e.amount_fen, 0);
  const listed = events.slice(0, listedPerText).map((e) => `${beijingMinute(e.at).slice(5)} ${eventLabel[e.kind](e.place)} ${formatYuan(e.amount_fen)}`).join('；');
  const more = events.length > listedPerText ? ` 等` : '';
  return `【北京学生卡】您孩子${maskName(name)}的卡（尾号 ${cardNo.slice(-4)}）有 ${events.length} 笔新消费，共 ${formatYuan(total)}：${listed}${more}。`;
}

/**
 * The job: one text per card with new events, sent with its marks moved in one transaction. The
 * marks move only from where this run read them, so two runs racing tell each event once; one
 * failed text is logged, its marks stay, and the next run tries again.
 */
export async function sendSpendNotices(ctx: AppContext): Promise<{ sent: number; failed: number }> {
  const byCard = new Map<string, SpendEvent[]>();
  for (const event of await untoldEvents(ctx.db)) {
    const key = `${event.parent_id}:${event.student_id}:${event.card_id}`;
    const list = byCard.get(key);
    if (list) list.push(event);
    else byCard.set(key, [event]);
  }
  let sent = 0;
  let failed = 0;
  for (const events of byCard.values()) {
    const first = events[0]!;
    const purchaseIds = events.flatMap((e) => (e.purchase_id ? [e.purchase_id] : [])).sort();
    const counters = events.flatMap((e) => (e.tap_counter === null ? [] : [e.tap_counter]));
    const lastPurchaseId = purchaseIds.at(-1) ?? first.last_purchase_id;
    const lastTapCounter = counters.length > 0 ? Math.max(...counters) : first.last_tap_counter;
    try {
      await inTransaction(ctx.db, async (tx) => {
        const moved = await sql<{ card_id: string }>`
          insert into spend_notice_marks (parent_id, student_id, card_id, last_purchase_id, last_tap_counter)
          values (${first.parent_id}, ${first.student_id}, ${first.card_id}, ${lastPurchaseId}, ${lastTapCounter})
          on conflict (parent_id, student_id, card_id) do update set last_purchase_id = excluded.last_purchase_id, last_tap_counter = excluded.last_tap_counter
          where spend_notice_marks.last_purchase_id is not distinct from ${first.last_purchase_id}::uuid
            and spend_notice_marks.last_tap_counter is not distinct from ${first.last_tap_counter}::int
          returning card_id`.execute(tx);
        if (moved.rows.length === 0) return;
        await ctx.sms.send(tx, { phone: first.phone, body: spendNoticeText(first.name, first.card_no, events) });
        sent++;
      });
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, studentId: first.student_id, cardId: first.card_id }, 'spend notice not sent; the next run tries again');
    }
  }
  return { sent, failed };
}
