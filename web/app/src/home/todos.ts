import { addDays } from '../../../../src/domain/calendar.js';
import { extensionOpensOn } from '../../../../src/modules/ecards/ecard-rules.js';
import type { Card } from '../cards/queries.js';

/** What a card or the orders ask of the holder now; each leads to the screen that does it. */
export type Todo =
  | { kind: 'activate' | 'lost' | 'suspended' | 'extend_expired'; card: Card }
  /** The holder graduated or left, and the card still holds money: 退卡退资. */
  | { kind: 'refund_on_leaving'; card: Card }
  | { kind: 'replacing'; card: Card; applicationId: string; status: { zh: string; en: string } }
  | { kind: 'extend_soon'; card: Card; validUntil: string }
  /** Past its validity, in its grace period: it still rides until graceUntil. */
  | { kind: 'extend_grace'; card: Card; validUntil: string; graceUntil: string }
  | { kind: 'low_balance'; card: Card }
  | { kind: 'pending_orders'; count: number }
  | { kind: 'confirm_info'; studentId: string; nameMasked: string }
  /** A university's bills to pay (学费缴费): the student's own, or a bound parent's child's (`studentId`, `holder`). */
  | { kind: 'bills_due'; studentId: string | null; holder: string | null; count: number; amountFen: number; overdue: boolean }
  | { kind: 'library_overdue'; count: number }
  | { kind: 'library_fine'; amountFen: number };

/** What the home page knows beside the cards. */
export interface TodoContext {
  /** The Beijing date. */
  today: string;
  pendingOrders: number;
  /** Replacements (补办) under way, by the card they replace. */
  replacements: ReadonlyMap<string, { applicationId: string; status: { zh: string; en: string } }>;
  /** The holder's graduation date, by card, where known: a card valid until then has no extension to ask for. */
  graduation: ReadonlyMap<string, string>;
  /** Cards the server's extension check says cannot be extended now: one in its grace period is then not asked to. */
  extensionRefused?: ReadonlySet<string>;
  /** A campus student's library record (借阅图书), where known: books overdue, fines unpaid. */
  library?: { overdue: number; finesOwedFen: number };
  /** Unpaid university bills: the student's own (`studentId` null), or each university child's. */
  bills?: readonly { studentId: string | null; holder: string | null; count: number; amountFen: number; overdue: boolean }[];
  /** Students whose card information waits for them to confirm before a card under way can be made (制卡信息确认). */
  confirmations?: readonly { studentId: string; nameMasked: string }[];
}

/** A K-12 card is to be extended within this many days of its expiry (the yearly extension). */
export const expiryNoticeDays = 30;
/** Below this a card in use is worth topping up (¥10: a few days of rides or meals). */
export const lowBalanceFen = 1_000;
export const extendableProducts: readonly Card['product'][] = ['k12_card', 'k12_ecard'];

/**
 * The K-12 cards that would be asked to extend (before knowing the holders' graduation dates):
 * those expiring soon, and those the server says are in their grace period.
 */
export function cardsNearExpiry(cards: readonly Card[], today: string): Card[] {
  return cards.filter((card) => card.status === 'active' && extendableProducts.includes(card.product) && card.validUntil !== null
    && (card.graceUntil !== null || card.validUntil <= addDays(today, expiryNoticeDays)));
}

/** A university e-card is asked to extend once its extension opens (30 July before its 30 September). */
function universityExtensionOpen(card: Card, today: string): boolean {
  return card.product === 'university_ecard' && card.status === 'active' && card.validUntil !== null && today >= extensionOpensOn(card.validUntil);
}

/**
 * 待办 on the home page, most pressing first: cards to activate, lost cards (or their replacement
 * under way), suspended e-cards, expired and expiring cards to extend, low balances, orders
 * university bills to pay, orders waiting to be paid, then library books overdue and library fines unpaid.
 */
export function todosOf(cards: readonly Card[], context: TodoContext): Todo[] {
  const { today } = context;
  const nearExpiry = new Set(cardsNearExpiry(cards, today));
  const todos: Todo[] = [];
  for (const card of cards) {
    const replacement = context.replacements.get(card.id);
    // Leaving school: nothing to activate, extend or top up any more, only the balance to take back.
    if (card.holderStatus === 'graduated' || card.holderStatus === 'left') {
      if (card.availableFen > 0 && card.allowedEvents.includes('return')) todos.push({ kind: 'refund_on_leaving', card });
      continue;
    }
    if (card.status === 'inactive') todos.push({ kind: 'activate', card });
    else if (card.status === 'lost') todos.push(replacement ? { kind: 'replacing', card, ...replacement } : { kind: 'lost', card });
    else if (card.status === 'suspended') todos.push({ kind: 'suspended', card });
    else if (card.status === 'active') {
      // A card already valid until graduation cannot be extended further (CARD_EXTENSION_GRADUATION).
      const graduation = context.graduation.get(card.id);
      const dueForExtension = (nearExpiry.has(card) && !(graduation !== undefined && card.validUntil! >= graduation)) || universityExtensionOpen(card, today);
      if (dueForExtension) {
        const validUntil = card.validUntil!;
        if (card.graceUntil !== null) {
          if (!context.extensionRefused?.has(card.id)) todos.push({ kind: 'extend_grace', card, validUntil, graceUntil: card.graceUntil });
        }
        else todos.push(validUntil < today ? { kind: 'extend_expired', card } : { kind: 'extend_soon', card, validUntil });
      }
      // Money paid online but not yet on the card counts: a parent who just topped up is not asked again.
      if (card.canTopUp && card.availableFen + card.pendingTopUpFen < lowBalanceFen) todos.push({ kind: 'low_balance', card });
    }
  }
  for (const c of context.confirmations ?? []) todos.push({ kind: 'confirm_info', studentId: c.studentId, nameMasked: c.nameMasked });
  const order: Todo['kind'][] = ['activate', 'confirm_info', 'refund_on_leaving', 'lost', 'replacing', 'suspended', 'extend_expired', 'extend_grace', 'extend_soon', 'low_balance', 'bills_due', 'pending_orders', 'library_overdue', 'library_fine'];
  // Overdue bills first among them: the due date has passed.
  const bills = [...(context.bills ?? [])].filter((b) => b.count > 0).sort((a, b) => Number(b.overdue) - Number(a.overdue));
  for (const b of bills) todos.push({ kind: 'bills_due', ...b });
  if (context.pendingOrders > 0) todos.push({ kind: 'pending_orders', count: context.pendingOrders });
  // Nothing more is lent until overdue books are back and fines paid (LIBRARY_BLOCKED).
  if (context.library && context.library.overdue > 0) todos.push({ kind: 'library_overdue', count: context.library.overdue });
  if (context.library && context.library.finesOwedFen > 0) todos.push({ kind: 'library_fine', amountFen: context.library.finesOwedFen });
  return todos.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** The home texts with a count: English says "1 order", "2 orders", so each has a `_one` text for a count of one (the same in Chinese). */
export type CountedTodoKey = 'todo_pending_orders' | 'todo_library_overdue' | 'todo_bills_due';
export function countedText(t: Record<CountedTodoKey | `${CountedTodoKey}_one`, string>, key: CountedTodoKey, n: number): string {
  return n === 1 ? t[`${key}_one`] : t[key];
}
