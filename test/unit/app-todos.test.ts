import { describe, expect, it } from 'vitest';
import type { Card } from '../../web/app/src/cards/queries.js';
import { fill } from '../../web/shared/i18n.js';
import { countedText, todosOf, type TodoContext } from '../../web/app/src/home/todos.js';
import { messages } from '../../web/app/src/messages.js';

/** The home page's 待办, from the cards and the pending orders (web/app/src/home/todos.ts). */
const card = (id: string, over: Partial<Card> = {}): Card => ({
  id, cardNo: id, cardNoMasked: id, product: 'k12_card', medium: 'physical', device: null, stage: 'middle', status: 'active', statusLabel: { zh: '', en: '' },
  transitValid: true, transitValidity: 'valid', validUntil: '2027-08-31', validity: 'valid', graceUntil: null, activatedAt: null, linkedCardNoMasked: null, studentId: 's', holderNameMasked: '张**', holderGrade: null, holderClassNo: null, holderStatus: 'enrolled',
  school: { id: 'x', name: 'x', theme: 'stage-middle', servicePoint: null }, balanceFen: 5_000, availableFen: 5_000, pendingTopUpFen: 0, canTopUp: true, topUpBlockedReason: null, canExtend: true, allowedEvents: [],
  ...over,
});
const today = '2026-12-06';
const context = (over: Partial<TodoContext> = {}): TodoContext => ({ today, pendingOrders: 0, replacements: new Map(), graduation: new Map(), ...over });
const kinds = (cards: Card[], pending = 0, over: Partial<TodoContext> = {}) =>
  todosOf(cards, context({ pendingOrders: pending, ...over })).map((todo) => `${todo.kind}${'card' in todo ? `:${todo.card.id}` : ''}`);

describe('home to-dos', () => {
  it('has none for cards in good order and no pending orders', () => {
    expect(kinds([card('a'), card('b', { product: 'campus_card', validUntil: null })])).toEqual([]);
  });

  it('asks to activate, to deal with a lost card, to extend, to top up and to pay, most pressing first', () => {
    const cards = [
      card('low', { availableFen: 999 }),
      card('soon', { validUntil: '2027-01-05' }),
      card('gone', { validUntil: '2026-11-05', validity: 'expired', transitValid: false }),
      card('grace', { validUntil: '2026-12-05', validity: 'grace', graceUntil: '2027-01-04' }),
      card('lost', { status: 'lost', canTopUp: false }),
      card('new', { status: 'inactive', canTopUp: false }),
    ];
    expect(kinds(cards, 2)).toEqual(['activate:new', 'lost:lost', 'extend_expired:gone', 'extend_grace:grace', 'extend_soon:soon', 'low_balance:low', 'pending_orders']);
    expect(todosOf(cards, context({ pendingOrders: 2 })).at(-1)).toEqual({ kind: 'pending_orders', count: 2 });
  });

  it('asks a student without a card yet to confirm the card information their first card waits for, right after activations', () => {
    const confirmations = [{ studentId: 'kid', nameMasked: '李**' }];
    expect(todosOf([], context({ confirmations }))).toEqual([{ kind: 'confirm_info', studentId: 'kid', nameMasked: '李**' }]);
    expect(kinds([card('new', { status: 'inactive', canTopUp: false }), card('low', { availableFen: 999 })], 0, { confirmations })).toEqual(['activate:new', 'confirm_info', 'low_balance:low']);
  });

  it('asks to extend a card the server says is in its grace period, whatever the phone’s date', () => {
    expect(kinds([card('a', { validUntil: '2027-10-31', validity: 'grace', graceUntil: '2027-11-30' })])).toEqual(['extend_grace:a']);
    // Not a card already valid until its holder's graduation.
    expect(kinds([card('a', { validUntil: '2027-08-31', validity: 'grace', graceUntil: '2027-09-30' })], 0, { graduation: new Map([['a', '2027-08-31']]) })).toEqual([]);
    // Nor one the server's extension check refuses now (extended in the last window already, say).
    expect(kinds([card('a', { validUntil: '2027-10-31', validity: 'grace', graceUntil: '2027-11-30' })], 0, { extensionRefused: new Set(['a']) })).toEqual([]);
  });

  it('offers a card of a holder who left school 退卡退资 while it holds money, and asks nothing else of it', () => {
    const leaving = { holderStatus: 'graduated' as const, allowedEvents: ['report_loss' as const, 'return' as const] };
    expect(kinds([card('a', { ...leaving, balanceFen: 300, availableFen: 300, validUntil: '2026-12-20' }), card('b', { ...leaving, holderStatus: 'left', balanceFen: 0, availableFen: 0 })])).toEqual(['refund_on_leaving:a']);
    // A physical card superseded by an e-card keeps its money: it is offered too.
    expect(kinds([card('s', { ...leaving, status: 'superseded', canTopUp: false, balanceFen: 800, availableFen: 800 })])).toEqual(['refund_on_leaving:s']);
    // A transfer keeps the card (it works at any school).
    expect(kinds([card('t', { holderStatus: 'transferred', allowedEvents: ['return'], balanceFen: 300, availableFen: 300 })])).toEqual(['low_balance:t']);
    // Enrolled: the same low card is asked to top up instead.
    expect(kinds([card('a', { allowedEvents: ['return'], balanceFen: 300, availableFen: 300 })])).toEqual(['low_balance:a']);
  });

  it('draws the lines where they are: 30 days ahead, the expiry day itself, ¥10.00', () => {
    expect(kinds([card('a', { validUntil: '2027-01-05' })])).toEqual(['extend_soon:a']);
    expect(kinds([card('a', { validUntil: '2027-01-06' })])).toEqual([]);
    expect(kinds([card('a', { validUntil: today })])).toEqual(['extend_soon:a']);
    expect(kinds([card('a', { availableFen: 1_000 })])).toEqual([]);
    // Paid online, not yet written to the card: it counts, so a fresh top-up is not asked for again.
    expect(kinds([card('a', { availableFen: 200, pendingTopUpFen: 5_000 })])).toEqual([]);
  });

  it('asks no extension of cards that have none (campus cards) and no top-up where none can be made', () => {
    expect(kinds([card('c', { product: 'campus_card', validUntil: '2026-12-10' })])).toEqual([]);
    expect(kinds([card('x', { availableFen: 0, canTopUp: false, topUpBlockedReason: 'product' })])).toEqual([]);
    expect(kinds([card('r', { status: 'replaced', availableFen: 0 }), card('t', { status: 'returned', availableFen: 0 })])).toEqual([]);
  });

  it('a lost card with a replacement under way points to its progress instead of offering 补办 again', () => {
    const status = { zh: '制卡中', en: 'In production' };
    const todos = todosOf([card('lost', { status: 'lost', canTopUp: false }), card('other', { status: 'lost', canTopUp: false })], context({ replacements: new Map([['lost', { applicationId: 'app-1', status }]]) }));
    expect(todos).toEqual([
      { kind: 'lost', card: expect.objectContaining({ id: 'other' }) },
      { kind: 'replacing', card: expect.objectContaining({ id: 'lost' }), applicationId: 'app-1', status },
    ]);
  });

  it('a suspended e-card (phone lost) is listed after lost cards and before extensions', () => {
    const cards = [card('soon', { validUntil: '2027-01-05' }), card('phone', { product: 'k12_ecard', medium: 'phone', status: 'suspended', canTopUp: false }), card('lost', { status: 'lost', canTopUp: false })];
    expect(kinds(cards)).toEqual(['lost:lost', 'suspended:phone', 'extend_soon:soon']);
  });

  it('asks no extension of a card already valid until its holder’s graduation (CARD_EXTENSION_GRADUATION)', () => {
    const cards = [card('grad', { validUntil: '2026-12-20' }), card('gone', { validUntil: '2026-11-30' }), card('more', { validUntil: '2026-12-20' })];
    const graduation = new Map([['grad', '2026-12-20'], ['gone', '2026-08-31'], ['more', '2029-08-31']]);
    expect(kinds(cards, 0, { graduation })).toEqual(['extend_soon:more']);
  });

  it('asks a university e-card to extend from 30 July, when its extension opens, to its 30 September and after', () => {
    const ecard = (validUntil: string) => card('u', { product: 'university_ecard', medium: 'phone', validUntil });
    const on = (date: string, validUntil = '2027-09-30') => todosOf([ecard(validUntil)], context({ today: date })).map((todo) => todo.kind);
    expect(on('2027-07-29')).toEqual([]);
    expect(on('2027-07-30')).toEqual(['extend_soon']);
    expect(on('2027-09-30')).toEqual(['extend_soon']);
    expect(on('2027-10-01')).toEqual(['extend_expired']);
    // Extended (valid to next September): nothing until next July.
    expect(on('2027-08-15', '2028-09-30')).toEqual([]);
  });

  it('reminds of unpaid university bills after low balances and before orders, overdue ones first; none when all are paid', () => {
    const bills = [
      { studentId: 'kid-1', holder: '周**', count: 1, amountFen: 24_000, overdue: false },
      { studentId: 'kid-2', holder: '吴**', count: 2, amountFen: 1_000_000, overdue: true },
      { studentId: 'kid-3', holder: '郑**', count: 0, amountFen: 0, overdue: false },
    ];
    const todos = todosOf([card('low', { availableFen: 100 })], context({ pendingOrders: 1, bills }));
    expect(todos.map((todo) => todo.kind)).toEqual(['low_balance', 'bills_due', 'bills_due', 'pending_orders']);
    expect(todos.slice(1, 3)).toEqual([{ kind: 'bills_due', ...bills[1] }, { kind: 'bills_due', ...bills[0] }]);
    expect(kinds([], 0, { bills: [{ studentId: null, holder: null, count: 0, amountFen: 0, overdue: false }] })).toEqual([]);
  });

  it('tells a campus student of overdue library books and unpaid fines, after the cards and orders', () => {
    const todos = todosOf([card('low', { availableFen: 100 })], context({ pendingOrders: 1, library: { overdue: 2, finesOwedFen: 120 } }));
    expect(todos.map((todo) => todo.kind)).toEqual(['low_balance', 'pending_orders', 'library_overdue', 'library_fine']);
    expect(todos.slice(2)).toEqual([{ kind: 'library_overdue', count: 2 }, { kind: 'library_fine', amountFen: 120 }]);
    expect(kinds([], 0, { library: { overdue: 0, finesOwedFen: 0 } })).toEqual([]);
  });
});

describe('home to-dos with a count, in English', () => {
  const en = messages.en;
  it('says "1 order" and "2 orders", not "order(s)"', () => {
    expect(fill(countedText(en, 'todo_pending_orders', 1), { n: 1 })).toBe('1 order waiting to be paid');
    expect(fill(countedText(en, 'todo_pending_orders', 2), { n: 2 })).toBe('2 orders waiting to be paid');
    expect(fill(countedText(en, 'todo_bills_due', 1), { holder: '', n: 1, amount: '¥240.00' })).toBe('1 university bill to pay: ¥240.00');
    expect(fill(countedText(en, 'todo_library_overdue', 3), { n: 3 })).toBe('3 library books overdue: return them soon');
    expect(Object.values(en).filter((text) => text.includes('(s)'))).toEqual([]);
  });
});
