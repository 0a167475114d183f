import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { changeCardStatus } from '../cards/card-status.js';
import type { CardRow } from '../cards/cards.repository.js';
import { ecardsRepository as repo } from './ecards.repository.js';

/**
 * The K-12 e-card was returned: the student's physical K-12 card takes transit back. Its newest
 * superseded card (the one the e-card superseded when it was opened, or a replacement issued
 * superseded while the e-card held transit) is `restore`d in the caller's transaction — active
 * again, or inactive if its holder never activated it. A lost card stays lost (found again later,
 * it comes back active). Returns the restored card, or null when there is none.
 */
export async function restorePhysicalCard(tx: Tx, clock: Clock, studentId: string, actor: AuditActor, requestId: string | null): Promise<CardRow | null> {
  const superseded = await repo.cardsOf(tx, studentId, ['k12_card'], ['superseded']);
  const newest = superseded.at(-1);
  if (!newest) return null;
  return changeCardStatus(tx, clock, { cardId: newest.id, event: 'restore', reason: 'ecard:k12_return', actor, requestId });
}
