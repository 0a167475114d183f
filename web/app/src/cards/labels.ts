import type { CardText } from './messages.js';
import type { Card } from './queries.js';

export const productLabel = (t: CardText, card: Pick<Card, 'product'>) => t[`product_${card.product}`];
export const statusText = (t: CardText, card: Pick<Card, 'status'>) => t[`status_${card.status}`];
export const stageText = (t: CardText, stage: Card['stage']) => (stage ? t[`stage_${stage}`] : '—');
export const mediumText = (t: CardText, card: Pick<Card, 'medium'>) => t[`medium_${card.medium}`];

/** Why a card cannot be topped up, in words; null when it can. */
export function topUpBlockText(t: CardText, card: Pick<Card, 'topUpBlockedReason'>): string | null {
  return card.topUpBlockedReason ? t[`block_${card.topUpBlockedReason}`] : null;
}

/** A card that is void for good: drawn greyed out. */
export const isVoid = (card: Pick<Card, 'status'>) => card.status === 'replaced' || card.status === 'returned' || card.status === 'closed';

/**
 * Whether the card's face shows its 公交有效性 tag: not for a card reported lost or void, whose
 * status badge says it all (a lost card's "有效卡", its transit eligibility, reads as "it still works").
 */
export const showsTransitTag = (card: Pick<Card, 'status' | 'transitValidity'>) => card.transitValidity !== null && card.status !== 'lost' && !isVoid(card);

/** The ways a card is reported lost, found, activated: phone e-cards are suspended and resumed. */
export const canReportLoss = (card: Pick<Card, 'allowedEvents'>) => card.allowedEvents.includes('report_loss') || card.allowedEvents.includes('suspend');
export const canUnloss = (card: Pick<Card, 'allowedEvents'>) => card.allowedEvents.includes('unloss') || card.allowedEvents.includes('resume');
