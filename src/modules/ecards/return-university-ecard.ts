import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accessibleCard } from '../cards/card-access.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView, type CardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { accountCodes, balanceOf, findAccountByCode } from '../ledger/ledger.js';
import { requestBalanceRefund } from '../payments/balance-refund.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';

export interface ReturnResult {
  card: CardView;
  refund: { id: string; amountFen: number; route: 'gateway' | 'outlet'; status: string } | null;
}

/**
 * 退卡 and 退资 (seed 003): the balance goes back — up to ¥200 in the app through the gateways,
 * above that at a Yikatong outlet (the payments module decides) — and the card is returned, in
 * one transaction. The student may then apply again (the one-active-card and linked-number
 * indexes only count live cards).
 */
export async function returnUniversityEcard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<ReturnResult> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  const found = await accessibleCard(ctx.db, caller, cardId);
  if (found.product !== 'university_ecard') throw fail('ECARD_NOT_UNIVERSITY', { product: found.product });
  const actor = { role: caller.role, id: caller.subjectId };
  const now = ctx.clock.now();

  return inTransaction(ctx.db, async (tx) => {
    const card = await cardsRepository.lockCard(tx, found.id);
    if (!card) throw fail('CARD_NOT_FOUND', { cardId });
    if (card.status !== 'active' && card.status !== 'suspended') throw fail('ECARD_NOT_ACTIVE', { status: card.status });
    const purse = await findAccountByCode(tx, accountCodes.purse(card.id));
    const { availableFen } = await balanceOf(tx, purse.id);
    const refund = availableFen > 0 ? await requestBalanceRefund({ ...ctx, db: tx }, caller, card.id, requestId) : null;
    const returned = await changeCardStatus(tx, ctx.clock, { cardId: card.id, event: 'return', reason: 'ecard:university_return', actor, requestId });
    await repo.insertApplication(tx, {
      id: newId(), kind: 'university_return', student_id: card.student_id, card_id: card.id, previous_card_id: null, agreement_version: null, accepted_at: null,
      actor_role: caller.role, actor_id: caller.subjectId, device: null, created_at: now,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'ecards.university_returned', entityType: 'card', entityId: card.id, after: { refundId: refund?.id ?? null, amountFen: refund?.amountFen ?? 0, route: refund?.route ?? null }, requestId });
    return {
      card: await cardView(tx, ctx.clock, returned),
      refund: refund ? { id: refund.id, amountFen: refund.amountFen, route: refund.route, status: refund.status } : null,
    };
  });
}
