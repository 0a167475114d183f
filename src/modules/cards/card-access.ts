import { assertStudentAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './cards.errors.js';
import { cardsRepository as repo, type CardRow } from './cards.repository.js';

/**
 * The card, if the caller may touch it: its holder, a bound parent, the school's card manager
 * or kiosk, an operator (ownership as in src/platform/access.ts). An unknown card is a 404.
 */
export async function accessibleCard(db: DbOrTx, caller: Caller, cardId: string): Promise<CardRow> {
  const card = await repo.findCard(db, cardId);
  if (!card) throw fail('CARD_NOT_FOUND', { cardId });
  await assertStudentAccess(db, caller, card.student_id);
  return card;
}
