import { DomainError } from './errors.js';

/**
 * The life of a card, one state machine per product (drawn in docs/cards.md). Pure: the cards
 * module asks `nextStatus` before any write, so no path can skip it.
 */
export type CardProduct = 'k12_card' | 'k12_sticker' | 'k12_ecard' | 'university_ecard' | 'campus_card' | 'temporary_card';
export type CardStatus = 'inactive' | 'active' | 'lost' | 'suspended' | 'superseded' | 'replaced' | 'returned' | 'closed';

export type CardEvent =
  /** The holder activates a newly received card (K-12: transit discounts only after this). */
  | 'activate'
  /** 挂失: a physical card or sticker is reported lost. */
  | 'report_loss'
  /** 解挂: the lost card was found. */
  | 'unloss'
  /** A lost phone: the e-card is blocked remotely. */
  | 'suspend'
  | 'resume'
  /** Another card takes over transit (an e-card opened, a 小升初/初升高 upgrade): no more top-up or extension. */
  | 'supersede'
  /** The superseding card was returned: this one takes transit back. */
  | 'restore'
  /** The replacement card (or the e-card on a new phone) is active. */
  | 'replace'
  /** 退卡: the holder hands the card back; its balance is refunded. */
  | 'return'
  /** Retired without a refund of its own (a temporary card exchanged for the formal one). */
  | 'close';

type Machine = Partial<Record<CardEvent, Partial<Record<CardStatus, CardStatus>>>>;

const physical: Machine = {
  activate: { inactive: 'active' },
  report_loss: { inactive: 'lost', active: 'lost', superseded: 'lost' },
  // A found card goes back to where it was; one never activated stays inactive (see unlossTarget).
  unloss: { lost: 'active' },
  supersede: { inactive: 'superseded', active: 'superseded' },
  restore: { superseded: 'active' },
  replace: { lost: 'replaced' },
  return: { inactive: 'returned', active: 'returned', superseded: 'returned' },
};

const phone: Machine = {
  suspend: { active: 'suspended' },
  resume: { suspended: 'active' },
  supersede: { active: 'superseded', suspended: 'superseded' },
  // A suspended phone's card is replaced by one on the new phone; an active one by the next
  // stage's card on the same phone (小升初 / 初升高 upgrades, src/modules/ecards).
  replace: { suspended: 'replaced', active: 'replaced' },
  return: { active: 'returned', suspended: 'returned' },
};

const machines: Record<CardProduct, Machine> = {
  k12_card: physical,
  // Seed 000: a lost or damaged sticker is replaced (补换卡贴); a damaged one stays in use until the
  // new one is handed over, so it is replaced from inactive or active too (docs/cards.md).
  k12_sticker: { ...physical, supersede: {}, restore: {}, replace: { lost: 'replaced', active: 'replaced', inactive: 'replaced' } },
  k12_ecard: phone,
  university_ecard: phone,
  // Seed 004: a lost or damaged campus card is replaced at the kiosk (the lost one unlocked first), so from active too.
  campus_card: { ...physical, supersede: {}, restore: {}, activate: {}, replace: { lost: 'replaced', active: 'replaced' } },
  temporary_card: { report_loss: { active: 'lost' }, unloss: { lost: 'active' }, close: { active: 'closed', lost: 'closed' } },
};

/** A new physical K-12 card or sticker starts inactive; its holder activates it. */
export function needsActivation(product: CardProduct): boolean {
  return product === 'k12_card' || product === 'k12_sticker';
}

/** Statuses a card never leaves. */
export type FinalStatus = 'replaced' | 'returned' | 'closed';
export const finalStatuses: readonly CardStatus[] = ['replaced', 'returned', 'closed'] satisfies FinalStatus[];
export const isFinal = (status: CardStatus): status is FinalStatus => finalStatuses.includes(status);

/** Terminals refuse these cards (the deny-list); a superseded card may still spend what is on it. */
export function isDenied(status: CardStatus): boolean {
  return status === 'lost' || status === 'suspended' || status === 'replaced' || status === 'returned' || status === 'closed';
}

/**
 * Where a card's balance lives, and so whether it taps at transit terminals. Transit cards and
 * stickers carry theirs on the chip or the phone's secure element (the server keeps a shadow, and
 * online top-ups reach the card through action lists); a campus or temporary card is an account
 * the server holds, spent at the university's online tills, never written at a terminal (decision 0007).
 */
export function keepsBalanceOnCard(product: CardProduct): boolean {
  return product !== 'campus_card' && product !== 'temporary_card';
}

/** The products that count for "one active student transit card per identity". */
export const transitProducts: readonly CardProduct[] = ['k12_card', 'k12_ecard', 'university_ecard'];

export function allowedEvents(product: CardProduct, status: CardStatus): CardEvent[] {
  return (Object.entries(machines[product]) as [CardEvent, Partial<Record<CardStatus, CardStatus>>][]).filter(([, from]) => from[status] !== undefined).map(([event]) => event);
}

/**
 * Products whose card gives transit up to an e-card and takes it back (`supersede` / `restore`):
 * the physical K-12 card.
 */
export function givesWayToEcard(product: CardProduct): boolean {
  return machines[product].restore?.superseded !== undefined;
}

/**
 * The status after `event`, or CARD_TRANSITION_INVALID. `activated` says whether the card was ever
 * activated: a never-activated K-12 card that is found again (or restored) is inactive, not active.
 * `transitHeldElsewhere` says another card of the holder (an e-card) is the active transit card: a
 * physical K-12 card that comes back into use then (found again, activated) comes back superseded,
 * so there is never a second active transit card (docs/cards.md, "Replacement and fulfilment").
 */
export function nextStatus(product: CardProduct, status: CardStatus, event: CardEvent, activated = true, transitHeldElsewhere = false): CardStatus {
  const found = machines[product][event]?.[status];
  if (!found) {
    throw new DomainError('CARD_TRANSITION_INVALID', `当前卡状态（${statusLabels[status].zh}）不能${eventLabels[event].zh}`, `A card that is ${statusLabels[status].en} cannot be ${eventLabels[event].en}`, { product, status, event });
  }
  // Back to use, but a card its holder never activated is still waiting for activation.
  const to = event !== 'activate' && found === 'active' && !activated && needsActivation(product) ? 'inactive' : found;
  if (transitHeldElsewhere && (event === 'unloss' || event === 'activate') && givesWayToEcard(product) && machines[product].supersede?.[to] === 'superseded') return 'superseded';
  return to;
}

/**
 * The status a new card is issued in. `active` asks for an active card (e-cards, replacement cards
 * handed over); a physical K-12 card otherwise waits for activation. A physical K-12 card issued
 * while an e-card holds transit (`transitHeldElsewhere`) is issued `superseded`: it can spend what
 * is moved onto it and takes transit back (`restore`) when the e-card is returned.
 */
export function issueStatus(product: CardProduct, options: { active?: boolean | undefined; transitHeldElsewhere?: boolean | undefined } = {}): CardStatus {
  const wanted = options.active === false || (options.active === undefined && needsActivation(product)) ? 'inactive' : 'active';
  return options.transitHeldElsewhere && givesWayToEcard(product) ? 'superseded' : wanted;
}

/** What the public status query and the app say about each status (seed 001: "卡正常状态"). */
export const statusLabels: Record<CardStatus, { zh: string; en: string }> = {
  inactive: { zh: '未激活', en: 'not yet activated' },
  active: { zh: '卡正常状态', en: 'normal' },
  lost: { zh: '已挂失', en: 'reported lost' },
  suspended: { zh: '已暂停（手机挂失）', en: 'suspended (phone lost)' },
  superseded: { zh: '已由电子学生卡替代，不能充值和延期', en: 'replaced for transit by an e-card; no top-up or extension' },
  replaced: { zh: '已补办新卡，本卡作废', en: 'replaced by a new card; this card is void' },
  returned: { zh: '已退卡', en: 'returned' },
  closed: { zh: '已注销', en: 'closed' },
};

export const eventLabels: Record<CardEvent, { zh: string; en: string }> = {
  activate: { zh: '激活', en: 'activated' },
  report_loss: { zh: '挂失', en: 'reported lost' },
  unloss: { zh: '解挂', en: 'unlocked after a loss report' },
  suspend: { zh: '暂停', en: 'suspended' },
  resume: { zh: '恢复', en: 'resumed' },
  supersede: { zh: '被替代', en: 'superseded' },
  restore: { zh: '恢复使用', en: 'restored' },
  replace: { zh: '补办替换', en: 'replaced' },
  return: { zh: '退卡', en: 'returned' },
  close: { zh: '注销', en: 'closed' },
};
