import { describe, expect, it } from 'vitest';
import type { Card } from '../../web/app/src/cards/queries.js';
import { todosOf } from '../../web/app/src/home/todos.js';

/** The home page's 待办, from the cards and the pending orders (web/app/src/home/todos.ts). */
const card = (id: string, over: Partial<Card> = {}): Card => ({
  id, cardNo: id, cardNoMasked: id, product: 'k12_card', medium: 'physical', device: null, stage: 'middle', status: 'active', statusLabel: { zh: '', en: '' },
  transitValid: true, validUntil: '2027-08-31', activatedAt: null, linkedCardNoMasked: null, studentId: 's', holderNameMasked: '张**',
  school: { id: 'x', name: 'x', theme: 'stage-middle' }, balanceFen: 5_000, availableFen: 5_000, pendingTopUpFen: 0, canTopUp: true, topUpBlockedReason: null, allowedEvents: [],
  ...over,
});
const today = '2026-12-06';
const kinds = (cards: Card[], pending = 0) => todosOf(cards, pending, today).map((todo) => `${todo.kind}${'card' in todo ? `:${todo.card.id}` : ''}`);

describe('home to-dos', () => {
  it('has none for cards in good order and no pending orders', () => {
    expect(kinds([card('a'), card('b', { product: 'campus_card', validUntil: null })])).toEqual([]);
  });

  it('asks to activate, to deal with a lost card, to extend, to top up and to pay, most pressing first', () => {
    const cards = [
      card('low', { availableFen: 999 }),
      card('soon', { validUntil: '2027-01-05' }),
      card('gone', { validUntil: '2026-12-05', transitValid: false }),
      card('lost', { status: 'lost', canTopUp: false }),
      card('new', { status: 'inactive', canTopUp: false }),
    ];
    expect(kinds(cards, 2)).toEqual(['activate:new', 'lost:lost', 'extend_expired:gone', 'extend_soon:soon', 'low_balance:low', 'pending_orders']);
    expect(todosOf(cards, 2, today).at(-1)).toEqual({ kind: 'pending_orders', count: 2 });
  });

  it('draws the lines where they are: 30 days ahead, the expiry day itself, ¥10.00', () => {
    expect(kinds([card('a', { validUntil: '2027-01-05' })])).toEqual(['extend_soon:a']);
    expect(kinds([card('a', { validUntil: '2027-01-06' })])).toEqual([]);
    expect(kinds([card('a', { validUntil: today })])).toEqual(['extend_soon:a']);
    expect(kinds([card('a', { availableFen: 1_000 })])).toEqual([]);
    // Paid online, not yet written to the card: it counts, so a fresh top-up is not asked for again.
    expect(kinds([card('a', { availableFen: 200, pendingTopUpFen: 5_000 })])).toEqual([]);
  });

  it('asks no extension of cards that have none (campus cards, university e-cards) and no top-up where none can be made', () => {
    expect(kinds([card('c', { product: 'campus_card', validUntil: '2026-12-10' }), card('u', { product: 'university_ecard', validUntil: '2026-12-10' })])).toEqual([]);
    expect(kinds([card('x', { availableFen: 0, canTopUp: false, topUpBlockedReason: 'product' })])).toEqual([]);
    expect(kinds([card('r', { status: 'replaced', availableFen: 0 }), card('t', { status: 'returned', availableFen: 0 })])).toEqual([]);
  });
});
