import { givesWayToEcard, isFinal, isDenied, nextStatus, type CardEvent, type CardStatus } from '../../domain/card-lifecycle.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { withdrawCardActions } from '../transit/action-list.js';
import './cards.errors.js';
import { cardsRepository as repo, type CardRow } from './cards.repository.js';

export interface StatusChange {
  cardId: string;
  event: CardEvent;
  /** Why, for the history and the audit log (e.g. 'app', 'kiosk', 'replacement:<applicationId>'). */
  reason: string;
  actor: AuditActor;
  requestId: string | null;
}

/**
 * The one writer of a card's status. Run it inside the caller's transaction: it locks the card,
 * asks the product's state machine, writes the new status and appends a versioned status event
 * (what terminals' deny-lists are built from) and an audit row, all or nothing.
 */
export function changeCardStatus(db: DbOrTx, clock: Clock, change: StatusChange): Promise<CardRow> {
  // The event version's lock lasts until commit, so this must run in a transaction.
  return inTransaction(db, (tx) => applyStatusChange(tx, clock, change));
}

async function applyStatusChange(tx: Tx, clock: Clock, change: StatusChange): Promise<CardRow> {
  const card = await repo.lockCard(tx, change.cardId);
  if (!card) throw fail('CARD_NOT_FOUND', { cardId: change.cardId });
  // A physical K-12 card found again or activated while an e-card holds transit comes back superseded.
  const heldElsewhere = givesWayToEcard(card.product) && (change.event === 'unloss' || change.event === 'activate') && (await repo.activeTransitCard(tx, card.student_id)) !== undefined;
  const to = nextStatus(card.product, card.status, change.event, card.activated_at !== null, heldElsewhere);
  const now = clock.now();
  await repo.updateCard(tx, card.id, {
    status: to,
    status_changed_at: now,
    updated_at: now,
    ...(change.event === 'activate' ? { activated_at: now } : {}),
  });
  await appendStatusEvent(tx, clock, card, card.status, to, change);
  if (isFinal(to) && !isFinal(card.status)) await withdrawCardActions(tx, clock, card.id, to, change.actor, change.requestId);
  return { ...card, status: to, status_changed_at: now, updated_at: now, activated_at: change.event === 'activate' ? now : card.activated_at };
}

/** Appends the versioned event and the audit row of a card's status (also used when a card is issued); needs a transaction. */
export async function appendStatusEvent(tx: Tx, clock: Clock, card: CardRow, from: CardStatus | null, to: CardStatus, change: Omit<StatusChange, 'cardId' | 'event'> & { event: CardEvent | 'issue' }): Promise<void> {
  const now = clock.now();
  const version = await repo.nextEventVersion(tx);
  await repo.insertStatusEvent(tx, {
    version, card_id: card.id, card_no: card.card_no, from_status: from, to_status: to, denied: isDenied(to),
    reason: change.reason, actor_role: change.actor.role, actor_id: change.actor.id, at: now,
  });
  await recordAudit(tx, clock, {
    actor: change.actor,
    action: `cards.${change.event}`,
    entityType: 'card',
    entityId: card.id,
    before: from === null ? null : { status: from },
    after: { status: to, version, reason: change.reason },
    requestId: change.requestId,
  });
}
