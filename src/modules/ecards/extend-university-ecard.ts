import { shanghaiDate } from '../../domain/calendar.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accessibleCard } from '../cards/card-access.js';
import { cardView, type CardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import type { CardRow } from '../cards/cards.repository.js';
import { extensionOpensOn, universityValidUntil } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import { universityProblems } from './university-ecard.js';

function extension(card: CardRow, today: string) {
  const opensOn = card.valid_until ? extensionOpensOn(card.valid_until) : null;
  const extendsTo = universityValidUntil(today);
  const canExtend = card.status === 'active' && opensOn !== null && today >= opensOn && (card.valid_until === null || extendsTo > card.valid_until);
  return { cardId: card.id, validUntil: card.valid_until, opensOn, canExtend, extendsTo };
}

export async function extensionStatus(ctx: AppContext, caller: Caller, cardId: string) {
  const card = await accessibleCard(ctx.db, caller, cardId);
  if (card.product !== 'university_ecard') throw fail('ECARD_NOT_UNIVERSITY', { product: card.product });
  return extension(card, shanghaiDate(ctx.clock.now()));
}

/**
 * 卡片延期 (seed 003): from 30 July of the year the card ends, after re-checking enrolment, to the
 * next 30 September (a year on). A suspended or returned card cannot be extended; nor one already
 * extended this year.
 */
export async function extendUniversityEcard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<CardView> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  const found = await accessibleCard(ctx.db, caller, cardId);
  if (found.product !== 'university_ecard') throw fail('ECARD_NOT_UNIVERSITY', { product: found.product });
  const now = ctx.clock.now();
  const today = shanghaiDate(now);
  const actor = { role: caller.role, id: caller.subjectId };

  return inTransaction(ctx.db, async (tx) => {
    const card = await cardsRepository.lockCard(tx, found.id);
    if (!card) throw fail('CARD_NOT_FOUND', { cardId });
    if (card.status !== 'active') throw fail('ECARD_NOT_ACTIVE', { status: card.status });
    const ext = extension(card, today);
    if (!ext.canExtend) throw fail('ECARD_EXTENSION_NOT_YET', { validUntil: card.valid_until, opensOn: ext.opensOn });
    // Re-check enrolment (and that the school still takes part); the card itself is the active one.
    const problems = (await universityProblems(tx, card.student_id)).filter((p) => p.reason !== 'HAS_ACTIVE_CARD');
    if (problems.length > 0) throw fail('ECARD_UNIVERSITY_INELIGIBLE', { problems });
    await repo.setValidUntil(tx, card.id, ext.extendsTo, now);
    await repo.insertApplication(tx, {
      id: newId(), kind: 'university_extend', student_id: card.student_id, card_id: card.id, previous_card_id: null, agreement_version: null, accepted_at: null,
      actor_role: caller.role, actor_id: caller.subjectId, device: null, created_at: now,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'ecards.university_extended', entityType: 'card', entityId: card.id, before: { validUntil: card.valid_until }, after: { validUntil: ext.extendsTo }, requestId });
    return cardView(tx, ctx.clock, { ...card, valid_until: ext.extendsTo, updated_at: now });
  });
}
