import type { PhoneDescription } from '../../domain/phone-eligibility.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accessibleCard } from '../cards/card-access.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { deviceOf } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import { moveBalance } from './move-balance.js';
import type { EcardResult } from './open-k12-ecard.js';
import { assertPhoneEligible } from './phone-support.js';

/**
 * Lost phone, step 2 (step 1 is the remote suspend, POST /cards/:cardId/loss): the K-12 e-card
 * moves to a new phone, which must itself be eligible. It moves as a NEW card number with the
 * balance moved and the suspended card replaced (docs/cards.md, "Phone e-cards"): the lost
 * phone still holds the old number, which therefore stays on the deny-list for good.
 */
export async function movePhone(ctx: AppContext, caller: Caller, cardId: string, phone: PhoneDescription, requestId: string): Promise<EcardResult> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  const found = await accessibleCard(ctx.db, caller, cardId);
  if (found.product !== 'k12_ecard') throw fail('ECARD_NOT_K12', { product: found.product });
  await assertPhoneEligible(ctx.db, phone);
  const actor = { role: caller.role, id: caller.subjectId };
  const now = ctx.clock.now();
  const device = deviceOf(phone);

  return inTransaction(ctx.db, async (tx) => {
    await cardsRepository.lockStudent(tx, found.student_id);
    const card = await cardsRepository.lockCard(tx, found.id);
    if (!card) throw fail('CARD_NOT_FOUND', { cardId });
    if (card.status !== 'suspended') throw fail('ECARD_NOT_SUSPENDED', { status: card.status });
    const old = await changeCardStatus(tx, ctx.clock, { cardId: card.id, event: 'replace', reason: 'ecard:phone_move', actor, requestId });
    const moved = await issueCard(tx, ctx.clock, {
      product: card.product, studentId: card.student_id, active: true, device, stage: card.stage, validUntil: card.valid_until, replacesCardId: card.id, reason: 'ecard:phone_move', actor, requestId,
    });
    const movedFen = await moveBalance(tx, ctx.clock, card.id, moved.id, '电子学生卡换机', actor);
    await repo.insertApplication(tx, {
      id: newId(), kind: 'phone_move', student_id: card.student_id, card_id: moved.id, previous_card_id: card.id, agreement_version: null, accepted_at: null,
      actor_role: caller.role, actor_id: caller.subjectId, device: JSON.stringify(device), created_at: now,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'ecards.phone_moved', entityType: 'card', entityId: moved.id, before: { cardId: card.id, model: card.device?.model ?? null }, after: { model: device.model, movedFen }, requestId });
    return { card: await cardView(tx, ctx.clock, moved), previousCard: await cardView(tx, ctx.clock, old), balanceMovedFen: movedFen };
  });
}
