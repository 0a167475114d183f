import { sql } from 'kysely';
import { addDays, beijingMinute, shanghaiDate } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { expiryGraceDays, graceEndsOn, validityOn } from '../../domain/validity.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { extensionOpensOn } from '../ecards/ecard-rules.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { assess } from './extend-card.js';
import { graduationDate } from './extension-rules.js';

/**
 * 到期提醒 (domain rules, "What users ask for" 3: expiry reminders and a grace period): a bound
 * parent is texted once per card and expiry date when the child's card is due for its extension
 * and can have it:
 * - a K-12 card or e-card expiring within 30 days, while this year's extension window is open,
 *   unless it is already valid until the holder's graduation (no extension goes further);
 * - a university e-card from 30 July, when its extension opens, to its 30 September;
 * and once more when the card has expired and is in its grace period (it still rides, and can
 * still be extended: docs/decisions/0008), a last call before it stops working;
 * never to a graduate's parents, and only by day.
 * The app's 待办 says the same on the home page; the text reaches a parent who does not open it.
 */

/** How far ahead a K-12 card's expiry is told (as 待办 does). */
export const k12ReminderDays = 30;
const productNames = { k12_card: '北京通学生卡', k12_ecard: '电子学生卡', university_ecard: '电子学生交通卡' } as const;

interface Candidate {
  card_id: string;
  card_no: string;
  product: keyof typeof productNames;
  valid_until: string;
  name: string;
  stage: string;
  grade: number | null;
  student_status: string;
  parent_id: string;
  phone: string;
}

function candidates(ctx: AppContext, today: string) {
  return sql<Candidate>`
    select c.id as card_id, c.card_no, c.product, c.valid_until, s.name, s.stage, cl.grade, s.status as student_status, ps.parent_id, p.phone
    from cards c
    join students s on s.id = c.student_id
    left join classes cl on cl.id = s.class_id
    join parent_students ps on ps.student_id = c.student_id
    join parents p on p.id = ps.parent_id
    where c.status = 'active' and c.valid_until is not null
      and c.valid_until between ${addDays(today, -expiryGraceDays)} and ${addDays(today, 92)}
      and c.product in ('k12_card', 'k12_ecard', 'university_ecard')
      and not exists (select 1 from expiry_reminders r where r.card_id = c.id and r.valid_until = c.valid_until and r.parent_id = ps.parent_id
                        and r.kind = case when c.valid_until < ${today} then 'in_grace' else 'expiring' end)`.execute(ctx.db);
}

/**
 * Whether the card is due for its extension today and can have it: before it expires (within the
 * K-12 window, or a university e-card's from 30 July) or, expired, in its grace period, when a
 * K-12 card can still be extended late (docs/decisions/0008) and a university e-card always can.
 */
async function due(ctx: AppContext, card: Candidate, today: string, windowOpen: boolean): Promise<boolean> {
  if (card.student_status === 'graduated') return false;
  const inGrace = validityOn(card.valid_until, today) === 'grace';
  if (card.product === 'university_ecard') return inGrace || today >= extensionOpensOn(card.valid_until);
  // In grace a K-12 card is told only when the late extension would be granted now (the extension's own check).
  if (inGrace) {
    const row = await cardsRepository.findCard(ctx.db, card.card_id);
    return row !== undefined && (await assess(ctx.db, ctx.clock, row)).blockedBy === null;
  }
  if (!windowOpen || card.valid_until > addDays(today, k12ReminderDays)) return false;
  const graduation = graduationDate(card.stage, card.grade, today);
  return graduation === null || card.valid_until < graduation;
}

export function expiryReminderText(card: Pick<Candidate, 'name' | 'product' | 'card_no' | 'valid_until'>, today: string): string {
  const whose = `您孩子${maskName(card.name)}的${productNames[card.product]}（尾号 ${card.card_no.slice(-4)}）`;
  if (validityOn(card.valid_until, today) === 'grace') {
    return `【北京学生卡】${whose}已于 ${card.valid_until} 到期，宽限期至 ${graceEndsOn(card.valid_until)}，期满后将不能乘车，请尽快在北京学生卡 App 中办理延期。`;
  }
  return `【北京学生卡】${whose}将于 ${card.valid_until} 到期，请在北京学生卡 App 中办理延期。`;
}

/** Texts go out by day (Beijing 08:00–20:00), not at the midnight the date turns over. */
const textingHours = { from: 8, to: 20 };

/** The job: one text per parent, card, expiry date and kind (expiring, in grace), recorded with the text; one failure does not stop the rest. */
export async function sendExpiryReminders(ctx: AppContext): Promise<{ sent: number; failed: number }> {
  const now = ctx.clock.now();
  const hour = Number(beijingMinute(now).slice(11, 13));
  if (hour < textingHours.from || hour >= textingHours.to) return { sent: 0, failed: 0 };
  const today = shanghaiDate(now);
  const windowOpen = (await repo.windowContaining(ctx.db, today)) !== undefined;
  let sent = 0;
  let failed = 0;
  for (const card of (await candidates(ctx, today)).rows) {
    if (!(await due(ctx, card, today, windowOpen))) continue;
    try {
      const texted = await inTransaction(ctx.db, async (tx) => {
        const kind = card.valid_until < today ? 'in_grace' : 'expiring';
        const recorded = await tx.insertInto('expiry_reminders').values({ card_id: card.card_id, valid_until: card.valid_until, parent_id: card.parent_id, kind, texted_at: ctx.clock.now() })
          .onConflict((oc) => oc.doNothing()).returning('card_id').executeTakeFirst();
        if (!recorded) return false;
        await ctx.sms.send(tx, { phone: card.phone, body: expiryReminderText(card, today) });
        return true;
      });
      if (texted) sent++;
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, cardId: card.card_id }, 'expiry reminder not sent; the next run tries again');
    }
  }
  return { sent, failed };
}
