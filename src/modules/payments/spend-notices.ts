import { sql } from 'kysely';
import { beijingMinute } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertBoundParent, lockBinding } from '../../platform/access.js';
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
 * they happened, and in counter order: a ride still on its bus holds the later ones back (a day at
 * most). Decision 0007 has the marks that make each event told once.
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

/**
 * Switches it on (told from now on: each card's rides so far are marked read) or changes the
 * amount (what is read stays read). The binding is locked first, as unbinding locks it.
 */
export async function setSpendNotice(ctx: AppContext, caller: Caller, studentId: string, minAmountFen: number, requestId: string): Promise<SpendNoticeView> {
  await assertParentOf(ctx, caller, studentId);
  if (!Number.isSafeInteger(minAmountFen) || minAmountFen < spendNoticeMinFen || minAmountFen > spendNoticeMaxFen) {
    throw fail('SPEND_NOTICE_AMOUNT', { minAmountFen, minFen: spendNoticeMinFen, maxFen: spendNoticeMaxFen });
  }
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await lockBinding(tx, caller.subjectId, studentId);
    const before = await tx.selectFrom('spend_notices').select('min_amount_fen').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    if (before?.min_amount_fen === minAmountFen) return;
    // A second request switching it on at the same moment finds the notice armed and only sets the amount.
    const armed = before ? undefined : await tx.insertInto('spend_notices').values({ parent_id: caller.subjectId, student_id: studentId, min_amount_fen: minAmountFen, armed_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing()).returning('armed_at').executeTakeFirst();
    if (armed) {
      await sql`
        insert into spend_notice_marks (parent_id, student_id, card_id, last_tap_counter)
        select ${caller.subjectId}, ${studentId}, c.id, coalesce((select max(t.card_counter) from transit_taps t where t.card_id = c.id and t.outcome = 'settled'), 0)
        from cards c where c.student_id = ${studentId}`.execute(tx);
    } else {
      await tx.updateTable('spend_notices').set({ min_amount_fen: minAmountFen, updated_at: now }).where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).execute();
    }
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

/** A card of a child whose parent asked for notices, and how far the job has read it. */
interface WatchedCard {
  parent_id: string;
  student_id: string;
  card_id: string;
  card_no: string;
  phone: string;
  name: string;
  min_amount_fen: number;
  armed_at: Date;
  last_purchase_at: Date | null;
  last_purchase_id: string | null;
  last_tap_counter: number | null;
}

interface SpendEvent {
  kind: 'canteen' | 'bus' | 'rail_entry' | 'rail_exit' | 'pos';
  place: string;
  amount_fen: number;
  at: Date;
}

/** How far to read in one run, per card and kind: more waits for the next run. */
const readPerRun = 200;
/** A ride counter missing this long after a later ride is taken as never coming (a lost record). */
const gapWaitMs = 24 * 3600_000;

function watchedCards(db: DbOrTx) {
  return sql<WatchedCard>`
    select n.parent_id, n.student_id, c.id as card_id, c.card_no, p.phone, s.name, n.min_amount_fen, n.armed_at,
           m.last_purchase_at, m.last_purchase_id, m.last_tap_counter
    from spend_notices n
    join parents p on p.id = n.parent_id
    join students s on s.id = n.student_id
    join cards c on c.student_id = n.student_id
    left join spend_notice_marks m on m.parent_id = n.parent_id and m.student_id = n.student_id and m.card_id = c.id`.execute(db);
}

/** The card's canteen purchases after its mark (or after arming), oldest first. */
async function purchasesAfter(db: DbOrTx, card: WatchedCard) {
  const { rows } = await sql<{ id: string; at: Date; amount_fen: number; merchant: string; refunded_at: Date | null }>`
    select id, at, amount_fen, merchant, refunded_at from campus_purchases
    where card_id = ${card.card_id} and at > ${card.armed_at}
      and (${card.last_purchase_at}::timestamptz is null or (at, id) > (${card.last_purchase_at}::timestamptz, ${card.last_purchase_id}::uuid))
    order by at, id limit ${readPerRun}`.execute(db);
  return rows;
}

/**
 * The card's settled rides above its mark, by counter, with when the server received each. A
 * card with no mark came after the notice was switched on: its counters start at 1.
 */
async function ridesAfter(db: DbOrTx, card: WatchedCard) {
  const { rows } = await sql<{ card_counter: number; at: Date; received_at: Date; amount_fen: number; kind: SpendEvent['kind']; operator: string }>`
    select t.card_counter, t.at, b.received_at, t.amount_fen, t.kind, t.operator
    from transit_taps t join transit_batches b on b.id = t.batch_row_id
    where t.card_id = ${card.card_id} and t.outcome = 'settled' and t.card_counter > ${card.last_tap_counter ?? 0}
    order by t.card_counter limit ${readPerRun}`.execute(db);
  return rows;
}

/**
 * Rides in counter order up to the first counter still missing (its terminal has not uploaded
 * yet), so a bus ride uploaded after a later metro ride is told in its turn rather than lost; a
 * counter still missing a day after the server received the next ride is given up (a lost record).
 */
export function contiguousRides<T extends { card_counter: number; received_at: Date }>(rides: readonly T[], lastCounter: number, now: Date): T[] {
  const taken: T[] = [];
  let previous = lastCounter;
  for (const ride of rides) {
    if (ride.card_counter !== previous + 1 && now.getTime() - ride.received_at.getTime() < gapWaitMs) break;
    taken.push(ride);
    previous = ride.card_counter;
  }
  return taken;
}

/** What a run read on one card: the events to tell and where its marks move to (null: nothing new). */
async function readCard(db: DbOrTx, card: WatchedCard, now: Date) {
  const purchases = await purchasesAfter(db, card);
  const rides = contiguousRides(await ridesAfter(db, card), card.last_tap_counter ?? 0, now);
  if (purchases.length === 0 && rides.length === 0) return null;
  const events: SpendEvent[] = [
    // A purchase refunded before it was read is not told.
    ...purchases.filter((p) => p.refunded_at === null).map((p) => ({ kind: 'canteen' as const, place: p.merchant, amount_fen: p.amount_fen, at: p.at })),
    // A ride taken before the notice was switched on (uploaded since) is read, not told.
    ...rides.filter((r) => r.at.getTime() > card.armed_at.getTime()).map((r) => ({ kind: r.kind, place: r.operator, amount_fen: Number(r.amount_fen), at: r.at })),
  ].filter((e) => e.amount_fen >= card.min_amount_fen).sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastPurchase = purchases.at(-1);
  return {
    events,
    marks: {
      last_purchase_at: lastPurchase?.at ?? card.last_purchase_at,
      last_purchase_id: lastPurchase?.id ?? card.last_purchase_id,
      last_tap_counter: rides.length > 0 ? Number(rides.at(-1)!.card_counter) : card.last_tap_counter,
    },
  };
}

const eventLabel: Record<SpendEvent['kind'], (place: string) => string> = {
  canteen: (place) => place,
  pos: (place) => place,
  bus: () => '公交',
  rail_entry: () => '地铁',
  rail_exit: () => '地铁',
};

/** One text for one card's new events: the first three listed, the rest counted, and the total. */
export function spendNoticeText(name: string, cardNo: string, events: readonly SpendEvent[]): string {
  const total = events.reduce((sum, e) => sum + e.amount_fen, 0);
  const listed = events.slice(0, listedPerText).map((e) => `${beijingMinute(e.at).slice(5)} ${eventLabel[e.kind](e.place)} ${formatYuan(e.amount_fen)}`).join('；');
  const more = events.length > listedPerText ? ` 等` : '';
  return `【北京学生卡】您孩子${maskName(name)}的卡（尾号 ${cardNo.slice(-4)}）有 ${events.length} 笔新消费，共 ${formatYuan(total)}：${listed}${more}。`;
}

/**
 * The job: reads each watched card past its marks, texts its new events at or above the amount
 * in one text, and moves its marks in the same transaction (texted or not, so the next run reads
 * only what is new). The marks move only from where this run read them, so two runs racing tell
 * each event once; a failed text is logged, its marks stay, and the next run tries again.
 */
export async function sendSpendNotices(ctx: AppContext): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const now = ctx.clock.now();
  for (const card of (await watchedCards(ctx.db)).rows) {
    try {
      const read = await readCard(ctx.db, card, now);
      if (!read) continue;
      const texted = await inTransaction(ctx.db, async (tx) => {
        const { marks } = read;
        const moved = await sql<{ card_id: string }>`
          insert into spend_notice_marks (parent_id, student_id, card_id, last_purchase_at, last_purchase_id, last_tap_counter)
          values (${card.parent_id}, ${card.student_id}, ${card.card_id}, ${marks.last_purchase_at}, ${marks.last_purchase_id}, ${marks.last_tap_counter})
          on conflict (parent_id, student_id, card_id) do update
            set last_purchase_at = excluded.last_purchase_at, last_purchase_id = excluded.last_purchase_id, last_tap_counter = excluded.last_tap_counter
          where spend_notice_marks.last_purchase_id is not distinct from ${card.last_purchase_id}::uuid
            and spend_notice_marks.last_tap_counter is not distinct from ${card.last_tap_counter}::bigint
          returning card_id`.execute(tx);
        if (moved.rows.length === 0 || read.events.length === 0) return false;
        await ctx.sms.send(tx, { phone: card.phone, body: spendNoticeText(card.name, card.card_no, read.events) });
        return true;
      });
      if (texted) sent++;
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, studentId: card.student_id, cardId: card.card_id }, 'spend notice not sent; the next run tries again');
    }
  }
  return { sent, failed };
}
