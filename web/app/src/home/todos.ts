import { addDays } from '../../../../src/domain/calendar.js';
import type { Card } from '../cards/queries.js';

/** What a card or the orders ask of the holder now; each leads to the screen that does it. */
export type Todo =
  | { kind: 'activate' | 'lost' | 'extend_expired'; card: Card }
  | { kind: 'extend_soon'; card: Card; validUntil: string }
  | { kind: 'low_balance'; card: Card }
  | { kind: 'pending_orders'; count: number };

/** A card is to be extended within this many days of its expiry (the yearly K-12 extension). */
export const expiryNoticeDays = 30;
/** Below this a card in use is worth topping up (¥10: a few days of rides or meals). */
export const lowBalanceFen = 1_000;
const extendableProducts: readonly Card['product'][] = ['k12_card', 'k12_ecard'];

/**
 * 待办 on the home page, most pressing first: cards to activate, lost cards, expired and expiring
 * cards to extend, low balances, then orders waiting to be paid. `today` is the Beijing date.
 */
export function todosOf(cards: readonly Card[], pendingOrders: number, today: string): Todo[] {
  const todos: Todo[] = [];
  for (const card of cards) {
    if (card.status === 'inactive') todos.push({ kind: 'activate', card });
    else if (card.status === 'lost') todos.push({ kind: 'lost', card });
    else if (card.status === 'active') {
      const extendable = extendableProducts.includes(card.product) && card.validUntil !== null;
      if (extendable && card.validUntil! < today) todos.push({ kind: 'extend_expired', card });
      else if (extendable && card.validUntil! <= addDays(today, expiryNoticeDays)) todos.push({ kind: 'extend_soon', card, validUntil: card.validUntil! });
      // Money paid online but not yet on the card counts: a parent who just topped up is not asked again.
      if (card.canTopUp && card.availableFen + card.pendingTopUpFen < lowBalanceFen) todos.push({ kind: 'low_balance', card });
    }
  }
  const order: Todo['kind'][] = ['activate', 'lost', 'extend_expired', 'extend_soon', 'low_balance', 'pending_orders'];
  if (pendingOrders > 0) todos.push({ kind: 'pending_orders', count: pendingOrders });
  return todos.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}
