import type { CardEvent } from '../../domain/card-lifecycle.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { accessibleCard } from './card-access.js';
import { changeCardStatus } from './card-status.js';
import { cardView, type CardView } from './card-view.js';
import type { CardRow } from './cards.repository.js';

/** Which way the request came in, for the history (seed 004: app, web, kiosk). */
const channelOf = (caller: Caller) => (caller.role === 'kiosk' ? 'kiosk' : caller.role === 'school_admin' || caller.role === 'operator' ? 'console' : 'app');

async function apply(ctx: AppContext, caller: Caller, cardId: string, event: (card: CardRow) => CardEvent, requestId: string): Promise<CardView> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const changed = await changeCardStatus(ctx.db, ctx.clock, { cardId: card.id, event: event(card), reason: channelOf(caller), actor: { role: caller.role, id: caller.subjectId }, requestId });
  return cardView(ctx.db, ctx.clock, changed);
}

/** 挂失, effective at once: a physical card is lost; a phone e-card is suspended remotely. */
export function reportLoss(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<CardView> {
  return apply(ctx, caller, cardId, (card) => (card.medium === 'phone' ? 'suspend' : 'report_loss'), requestId);
}

/** 解挂: the card was found (or the phone recovered). */
export function unloss(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<CardView> {
  return apply(ctx, caller, cardId, (card) => (card.medium === 'phone' ? 'resume' : 'unloss'), requestId);
}

/** The holder (or a parent) activates a newly received K-12 card; transit discounts start now. */
export function activateCard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<CardView> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN', { reason: 'only the holder or a parent activates a card' });
  return apply(ctx, caller, cardId, () => 'activate', requestId);
}
