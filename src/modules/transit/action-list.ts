import { keepsBalanceOnCard, type FinalStatus } from '../../domain/card-lifecycle.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { onOrderFulfilled } from '../payments/order-hooks.js';
import type { ActionsResponse } from './protocol.js';
import './transit.errors.js';
import { transitRepository as repo } from './transit.repository.js';

/**
 * Action lists: what was done online for a card (a top-up paid in the app, an extension) waits
 * here until the card next taps a terminal, which writes it to the card and confirms it in its
 * upload (appliedActionIds). The shadow purse is credited when the payment settles; the action
 * only brings the card's own balance up to it.
 */

export interface CardActionRequest {
  cardId: string;
  kind: 'top_up' | 'extend';
  amountFen?: number;
  /** extend: the new last valid day, YYYY-MM-DD (Asia/Shanghai). */
  validUntil?: string;
  /** What caused it, unique: a second enqueue with the same source returns the first action. */
  source: string;
}

/**
 * What the holder paid online that the card itself does not hold yet: the shadow purse has it,
 * the card gets it at its next tap on any terminal.
 */
export function pendingTopUpFen(db: DbOrTx, cardId: string): Promise<number> {
  return repo.pendingTopUpFen(db, cardId);
}

/** Adds an action for the card inside the caller's transaction (idempotent per source). */
export async function enqueueCardAction(tx: Tx, clock: Clock, request: CardActionRequest): Promise<{ id: string; position: number }> {
  const amountFen = request.kind === 'top_up' ? request.amountFen : undefined;
  const validUntil = request.kind === 'extend' ? request.validUntil : undefined;
  if (request.kind === 'top_up' && !(Number.isSafeInteger(amountFen) && (amountFen ?? 0) > 0)) throw fail('CARD_ACTION_INVALID', { amountFen: request.amountFen });
  if (request.kind === 'extend' && !/^\d{4}-\d{2}-\d{2}$/.test(validUntil ?? '')) throw fail('CARD_ACTION_INVALID', { validUntil: request.validUntil });
  const existing = await repo.actionBySource(tx, request.source);
  if (existing) return existing;
  const card = await tx.selectFrom('cards').select(['id', 'card_no']).where('id', '=', request.cardId).executeTakeFirst();
  if (!card) throw fail('CARD_ACTION_INVALID', { cardId: request.cardId });
  const position = await repo.nextActionPosition(tx);
  const id = newId();
  await repo.insertAction(tx, {
    id, position, cardId: card.id, cardNo: card.card_no, kind: request.kind, amountFen: amountFen ?? null, validUntil: validUntil ?? null,
    source: request.source, createdAt: clock.now(),
  });
  return { id, position };
}

/**
 * A card that left service (returned, replaced, closed) is denied by every terminal, so its
 * waiting entries can never reach it: they are withdrawn, inside the status change's transaction.
 * Their money stays in the shadow purse, which the return refunds or the replacement moves on.
 */
export async function withdrawCardActions(tx: Tx, clock: Clock, cardId: string, reason: FinalStatus, actor: AuditActor, requestId: string | null): Promise<void> {
  const withdrawn = await repo.withdrawActions(tx, cardId, clock.now(), reason);
  if (withdrawn.length === 0) return;
  await recordAudit(tx, clock, { actor, action: 'transit.actions_withdrawn', entityType: 'card', entityId: cardId, after: { reason, actions: withdrawn }, requestId });
}

// A paid top-up order becomes an action for its card, in the payment's own transaction; a campus
// card's top-up is already where it is spent, in the account.
onOrderFulfilled(async (tx, clock, order) => {
  if (order.kind !== 'top_up' || !order.card_id) return;
  const card = await cardsRepository.findCard(tx, order.card_id);
  if (!card || !keepsBalanceOnCard(card.product)) return;
  await enqueueCardAction(tx, clock, { cardId: order.card_id, kind: 'top_up', amountFen: order.amount_fen, source: `order:${order.id}` });
});

const PAGE = 5000;

/** Actions not yet applied, after the cursor (an action-list position); the cursor moves only past what was sent. */
export async function pendingActions(ctx: AppContext, terminalId: string, since: string | undefined): Promise<ActionsResponse> {
  if (since !== undefined && !/^\d{1,15}$/.test(since)) throw fail('TRANSIT_CURSOR_INVALID', { since });
  const after = since === undefined ? 0 : Number(since);
  const rows = await repo.pendingActions(ctx.db, after, PAGE);
  await repo.saveActionsPoll(ctx.db, terminalId, ctx.clock.now());
  return {
    cursor: String(rows.at(-1)?.position ?? after),
    actions: rows.map((a) => ({
      id: a.id, cardNo: a.cardNo, kind: a.kind,
      ...(a.amountFen !== null ? { amountFen: a.amountFen } : {}),
      ...(a.validUntil !== null ? { validUntil: a.validUntil } : {}),
    })),
  };
}
