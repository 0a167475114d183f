import type { CardStatus } from './card-lifecycle.js';
import { DomainError } from './errors.js';

/**
 * The state machines of fulfilment (drawn in docs/cards.md, "Replacement and fulfilment"), as data:
 * event → from → to. Pure: every fulfilment use case asks these functions before it writes a
 * status, so no path can skip a step. Refusals carry the codes the API has always answered with
 * (HTTP statuses are mapped in src/modules/fulfilment/fulfilment.errors.ts, with these messages).
 */

// ------------------------------------------------------------------ error codes and messages

/** The messages of the codes this module throws; fulfilment.errors.ts registers them with their HTTP status. */
export const fulfilmentLifecycleMessages = {
  FULFILMENT_STATUS_INVALID: { zh: '申请当前状态不能执行该操作', en: 'The application’s status does not allow this' },
  FULFILMENT_NO_FEE: { zh: '该申请无需缴费（卡贴补换、新生制卡免费）', en: 'This application has no fee (sticker replacements and first cards are free)' },
  FULFILMENT_ORDER_PENDING: { zh: '有待支付的补卡缴费订单，请先支付或取消订单', en: 'A fee order is waiting for payment; pay or cancel it first' },
  FULFILMENT_CONFIRMATION_STATUS: { zh: '制卡信息当前状态不能执行该操作', en: 'The card information’s status does not allow this' },
  FULFILMENT_BATCH_STATUS: { zh: '制卡批次当前状态不能执行该操作', en: 'The batch’s status does not allow this' },
  FULFILMENT_DELIVERY_STATUS: { zh: '配送当前状态不能执行该操作', en: 'The delivery’s status does not allow this' },
  FULFILMENT_HOLDER_NOT_ENROLLED: {
    zh: '该学生已不在本校就读（已离校、毕业或转学），新生卡不能领取；请作废该卡，由学生现在的学校重新办理',
    en: 'The student is no longer enrolled at this school (left, graduated or moved), so this first card cannot be handed over; void it, and the student’s current school makes its own',
  },
  FULFILMENT_HOLDER_STILL_ENROLLED: {
    zh: '该学生仍在本校就读，新生卡请由学生领取，不能作废',
    en: 'The student is still enrolled at this school: hand the first card over instead of voiding it',
  },
  FULFILMENT_HOLDER_LEFT_SCHOOL: {
    zh: '该学生已不在本校就读（已离校、毕业或转学），补办的卡不能在本校领取，也不能再配送到本校；请改为快递配送到家（快递费到付，不超过15元）',
    en: 'The student is no longer enrolled at this school (left, graduated or moved), so the card cannot be picked up or delivered there; have it sent home by courier instead (cash on delivery, at most ¥15)',
  },
} as const;

export type FulfilmentLifecycleCode = keyof typeof fulfilmentLifecycleMessages;

function refuse(code: FulfilmentLifecycleCode, details: Record<string, unknown>): DomainError {
  const m = fulfilmentLifecycleMessages[code];
  return new DomainError(code, m.zh, m.en, details);
}

type Table<E extends string, S extends string> = Partial<Record<E, Partial<Record<S, S>>>>;

function fromOf<E extends string, S extends string>(table: Table<E, S>, event: E): S[] {
  return Object.keys(table[event] ?? {}) as S[];
}

function eventsFrom<E extends string, S extends string>(table: Table<E, S>, status: S): E[] {
  return (Object.entries(table) as [E, Partial<Record<S, S>>][]).filter(([, from]) => from[status] !== undefined).map(([event]) => event);
}

/** The one `from` status an event leaves (for bulk updates); a machine where it has several is a programming error. */
function onlyFrom<E extends string, S extends string>(table: Table<E, S>, event: E): { from: S; to: S } {
  const from = fromOf(table, event);
  if (from.length !== 1) throw new Error(`event ${event} does not leave exactly one status`);
  return { from: from[0]!, to: table[event]![from[0]!]! };
}

// ------------------------------------------------------------------ applications (补卡 / 补换卡贴)

/** 补卡, 补换卡贴, and 新生制卡: a K-12 student's first card, made from the confirmed card information. */
export type ApplicationKind = 'replacement' | 'sticker' | 'new_card';
export type ApplicationStatus =
  | 'awaiting_payment' | 'ready_for_production' | 'in_production' | 'produced' | 'dispatched'
  /** The courier gave up on a home parcel (refused, recipient unreachable); it is on its way back to the card centre. */
  | 'delivery_failed'
  /** The parcel is back at the card centre: the holder (or the school card manager) chooses how to receive the card. */
  | 'returned_to_centre'
  | 'delivered' | 'completed' | 'cancelled';

export type ApplicationEvent =
  /** The ¥15 fee order is paid (a replacement only: a sticker has nothing to pay). */
  | 'pay'
  /** The holder or a bound parent withdraws the application. */
  | 'withdraw'
  /** An operator's production batch takes it (paid, card information confirmed). */
  | 'batch'
  /** The printer reports its batch made. */
  | 'produce'
  /** Its batch goes out (school parcel or courier). */
  | 'dispatch'
  /** The school signs for the parcel / the courier delivers. */
  | 'deliver'
  /** The courier gives up on the home parcel. */
  | 'fail_delivery'
  /** The failed parcel is back at the card centre. */
  | 'return_to_centre'
  /**
   * Sent out again: from the card centre, home again (any address) or to the school for pickup; or,
   * a replacement or sticker waiting at a school its student no longer attends, home by courier.
   */
  | 'redeliver'
  /** In the holder's hands: picked up at school, or signed for at home. */
  | 'complete'
  /** The old purse's balance moves to the new card after the settlement window (the status stays completed). */
  | 'move_balance'
  /**
   * 作废: a first card delivered to a school its student no longer attends (left, graduated, moved
   * after it went into a batch) is never handed over; its printed number is never issued.
   */
  | 'void';

export const applicationKinds: readonly ApplicationKind[] = ['replacement', 'sticker', 'new_card'];
export const applicationEvents: readonly ApplicationEvent[] = ['pay', 'withdraw', 'batch', 'produce', 'dispatch', 'deliver', 'fail_delivery', 'return_to_centre', 'redeliver', 'complete', 'move_balance', 'void'];

const production: Table<ApplicationEvent, ApplicationStatus> = {
  batch: { ready_for_production: 'in_production' },
  produce: { in_production: 'produced' },
  dispatch: { produced: 'dispatched' },
  deliver: { dispatched: 'delivered' },
  // A failed home parcel goes back to the card centre, then out again the way the holder chooses;
  // the card stays printed (and the application open) all along.
  fail_delivery: { dispatched: 'delivery_failed' },
  return_to_centre: { delivery_failed: 'returned_to_centre' },
  redeliver: { returned_to_centre: 'dispatched' },
  complete: { delivered: 'completed' },
  move_balance: { completed: 'completed' },
};

// A replacement or a sticker delivered to a school its student no longer attends is not handed over
// there (pickup is refused): it goes home by courier instead, from the school (guarded below).
const sentOnFromSchool: Table<ApplicationEvent, ApplicationStatus> = { redeliver: { returned_to_centre: 'dispatched', delivered: 'dispatched' } };

const applicationMachines: Record<ApplicationKind, Table<ApplicationEvent, ApplicationStatus>> = {
  // Withdrawn only before the fee is paid; once paid it goes on to production.
  replacement: { pay: { awaiting_payment: 'ready_for_production' }, withdraw: { awaiting_payment: 'cancelled' }, ...production, ...sentOnFromSchool },
  // Nothing to pay: straight to production, and withdrawn until it goes into a batch.
  sticker: { withdraw: { ready_for_production: 'cancelled' }, ...production, ...sentOnFromSchool },
  // Opened by the school for its new students: free, produced once the card information is confirmed,
  // and given up before it goes into a batch when the student leaves or changes school. Once in a
  // batch it goes on to the school it was made for, where it is voided if the student is no longer
  // enrolled there (pickup is refused then).
  new_card: { withdraw: { ready_for_production: 'cancelled' }, ...production, void: { delivered: 'cancelled' } },
};

/** Where an application starts: a replacement waits for its fee, a sticker goes straight to production. */
export function initialApplicationStatus(kind: ApplicationKind): ApplicationStatus {
  return needsFee(kind) ? 'awaiting_payment' : 'ready_for_production';
}

export function needsFee(kind: ApplicationKind): boolean {
  return applicationMachines[kind].pay !== undefined;
}

/** Statuses an application never leaves (a completed one only records its balance move). */
export const finalApplicationStatuses: readonly ApplicationStatus[] = ['completed', 'cancelled'];

/**
 * While an application is in one of these the card is being printed from the student's card
 * information, so a confirmed record cannot be reopened (信息有误) then.
 */
export const printingStatuses: readonly ApplicationStatus[] = ['in_production', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre'];

export function allowedApplicationEvents(kind: ApplicationKind, status: ApplicationStatus): ApplicationEvent[] {
  return eventsFrom(applicationMachines[kind], status);
}

export function applicationAllows(kind: ApplicationKind, status: ApplicationStatus, event: ApplicationEvent): boolean {
  return applicationMachines[kind][event]?.[status] !== undefined;
}

/** The one status `event` moves applications of `kind` from, and where to (a batch moves all its applications at once). */
export function applicationTransition(kind: ApplicationKind, event: ApplicationEvent): { from: ApplicationStatus; to: ApplicationStatus } {
  return onlyFrom(applicationMachines[kind], event);
}

// ------------------------------------------------------------------ why a card is replaced

export type ReplacementReason = 'lost' | 'damaged';
export const replacementReasons: readonly ReplacementReason[] = ['lost', 'damaged'];
/** Why a card is made: a replacement's reason, or `new` for a student's first card. */
export type ApplicationReason = ReplacementReason | 'new';

/**
 * The card statuses each service takes, by reason. A card (补卡) is replaced only after a loss
 * report (seed 000: 挂失、申请、缴费). A sticker (补换卡贴) when lost or damaged (seed 000: 卡贴丢失、
 * 损坏): a lost one once reported lost; a damaged one while it is still in use (never activated, or
 * active). The damaged sticker is not blocked: it stays usable until the new one is in the
 * holder's hands, when pickup replaces it (docs/cards.md).
 */
const replaceableFrom: Record<ApplicationKind, Partial<Record<ReplacementReason, readonly CardStatus[]>>> = {
  replacement: { lost: ['lost'] },
  new_card: {},
  sticker: { lost: ['lost'], damaged: ['inactive', 'active'] },
};

/** The reasons a service takes at all (a K-12 card: lost only). */
export function reasonsOf(kind: ApplicationKind): ReplacementReason[] {
  return replacementReasons.filter((reason) => replaceableFrom[kind][reason] !== undefined);
}

/** Whether a card in `cardStatus` may be applied for with this service and reason. */
export function mayReplace(kind: ApplicationKind, reason: ReplacementReason, cardStatus: CardStatus): boolean {
  return replaceableFrom[kind][reason]?.includes(cardStatus) ?? false;
}

export interface ApplicationGuards {
  /** withdraw: the application's fee order when it is open (waiting for payment) or already paid, else undefined. */
  feeOrderOpenOrPaid?: { orderId: string; orderStatus: string } | undefined;
  /** batch: the student has confirmed the card information (制卡信息确认). */
  infoConfirmed?: boolean | undefined;
  /**
   * complete (a first card, or any card picked up at the school), void and redeliver: the student is
   * enrolled at the application's school (status `enrolled`, same school). A card is handed over at
   * the school only then; a first card is voided only when not; a card waiting at the school is sent
   * home instead only when not, and a card goes (back) to the school only when so.
   */
  holderEnrolledAtSchool?: boolean | undefined;
  /** complete: the card is handed over at the school (pickup), not signed for at home; redeliver: it is to go to the school. */
  atSchool?: boolean | undefined;
}

/**
 * The status after `event`, or the refusal the API answers with: a sticker has no fee
 * (FULFILMENT_NO_FEE); any other step out of order is FULFILMENT_STATUS_INVALID; withdrawing with
 * a fee order open or paid is FULFILMENT_ORDER_PENDING; production without confirmed card
 * information is FULFILMENT_CONFIRMATION_STATUS; a first card handed over to a student who is not
 * (known to be) enrolled at its school is FULFILMENT_HOLDER_NOT_ENROLLED, and one voided while its
 * student is (or may be) enrolled there FULFILMENT_HOLDER_STILL_ENROLLED; a replacement or sticker
 * picked up at, or sent (back) to, a school its student is not (known to be) enrolled at is
 * FULFILMENT_HOLDER_LEFT_SCHOOL, and one waiting there sent home while its student is (or may be)
 * still there FULFILMENT_STATUS_INVALID.
 */
export function nextApplicationStatus(kind: ApplicationKind, status: ApplicationStatus, event: ApplicationEvent, guards: ApplicationGuards = {}): ApplicationStatus {
  const machine = applicationMachines[kind];
  if (event === 'pay' && !machine.pay) throw refuse('FULFILMENT_NO_FEE', { kind, status });
  const to = machine[event]?.[status];
  if (to === undefined) {
    const expected = fromOf(machine, event);
    throw refuse('FULFILMENT_STATUS_INVALID', { kind, status, event, ...(expected.length === 1 ? { expected: expected[0] } : { expected }) });
  }
  if (event === 'withdraw' && guards.feeOrderOpenOrPaid) throw refuse('FULFILMENT_ORDER_PENDING', { ...guards.feeOrderOpenOrPaid });
  if (event === 'batch' && guards.infoConfirmed !== true) throw refuse('FULFILMENT_CONFIRMATION_STATUS', { kind, status, reason: 'card information not confirmed' });
  if (event === 'complete' && kind === 'new_card' && guards.holderEnrolledAtSchool !== true) throw refuse('FULFILMENT_HOLDER_NOT_ENROLLED', { kind, status });
  // A replacement or sticker: at the school only to a student enrolled there; signed for at home, whoever opens the door.
  if (event === 'complete' && guards.atSchool === true && guards.holderEnrolledAtSchool !== true) throw refuse('FULFILMENT_HOLDER_LEFT_SCHOOL', { kind, status });
  if (event === 'void' && guards.holderEnrolledAtSchool !== false) throw refuse('FULFILMENT_HOLDER_STILL_ENROLLED', { kind, status });
  if (event === 'redeliver') {
    // Waiting at the school for a student still there (or not known to have gone): it is picked up there.
    if (status === 'delivered' && guards.holderEnrolledAtSchool !== false) throw refuse('FULFILMENT_STATUS_INVALID', { kind, status, event, reason: 'the card waits at the school for its student' });
    if (guards.atSchool === true && guards.holderEnrolledAtSchool !== true) throw refuse('FULFILMENT_HOLDER_LEFT_SCHOOL', { kind, status });
  }
  return to;
}

// ------------------------------------------------------------------ card information confirmation (制卡信息确认)

export type ConfirmationStatus = 'pending' | 'reported' | 'confirmed';
/**
 * confirm: 确认无误; report: 信息有误 (with corrections); fix: the school card manager corrects the
 * record; transfer: the student moved to another school.
 */
export type ConfirmationEvent = 'confirm' | 'report' | 'fix' | 'transfer';

export const confirmationEvents: readonly ConfirmationEvent[] = ['confirm', 'report', 'fix', 'transfer'];

const confirmationMachine: Table<ConfirmationEvent, ConfirmationStatus> = {
  confirm: { pending: 'confirmed' },
  // A confirmed record may be reopened while no card is being printed from it.
  report: { pending: 'reported', confirmed: 'reported' },
  // Corrected: the student must confirm again.
  fix: { reported: 'pending' },
  // The school is printed on the card: the new school's record is confirmed afresh, whatever the old one's state.
  transfer: { pending: 'pending', reported: 'pending', confirmed: 'pending' },
};

export const initialConfirmationStatus: ConfirmationStatus = 'pending';

export function allowedConfirmationEvents(status: ConfirmationStatus): ConfirmationEvent[] {
  return eventsFrom(confirmationMachine, status);
}

/** `cardInProduction`: one of the student's applications is in a printing status (see printingStatuses). */
export function nextConfirmationStatus(status: ConfirmationStatus, event: ConfirmationEvent, guards: { cardInProduction?: boolean | undefined } = {}): ConfirmationStatus {
  const to = confirmationMachine[event]?.[status];
  if (to === undefined) throw refuse('FULFILMENT_CONFIRMATION_STATUS', { status, event });
  if (event === 'report' && status === 'confirmed' && guards.cardInProduction) throw refuse('FULFILMENT_CONFIRMATION_STATUS', { status, event, reason: 'a card is in production' });
  return to;
}

// ------------------------------------------------------------------ production batches

export type BatchStatus = 'created' | 'exported' | 'produced' | 'dispatched';
/** export: the printer's file (the first one moves the batch on; a later one re-sends it); produce: the printer reports it made; dispatch: parcels go out. */
export type BatchEvent = 'export' | 'produce' | 'dispatch';

export const batchEvents: readonly BatchEvent[] = ['export', 'produce', 'dispatch'];
export const initialBatchStatus: BatchStatus = 'created';

const batchMachine: Table<BatchEvent, BatchStatus> = {
  export: { created: 'exported', exported: 'exported', produced: 'produced', dispatched: 'dispatched' },
  produce: { exported: 'produced' },
  dispatch: { produced: 'dispatched' },
};

export function allowedBatchEvents(status: BatchStatus): BatchEvent[] {
  return eventsFrom(batchMachine, status);
}

export function nextBatchStatus(status: BatchStatus, event: BatchEvent): BatchStatus {
  const to = batchMachine[event]?.[status];
  if (to === undefined) {
    const expected = fromOf(batchMachine, event);
    throw refuse('FULFILMENT_BATCH_STATUS', { status, event, ...(expected.length === 1 ? { expected: expected[0] } : { expected }) });
  }
  return to;
}

// ------------------------------------------------------------------ deliveries

export type DeliveryMethod = 'school' | 'home';
export type DeliveryStatus = 'created' | 'in_transit' | 'delivered' | 'failed' | 'returned';
/**
 * book: the courier accepted a home parcel; track: the courier reports it still on its way;
 * deliver: the courier reports it signed for; fail: the courier gave up (refused, recipient
 * unreachable) and sends it back; return: the card centre signed for the returned parcel;
 * receive: the school card manager signs for the school's parcel.
 */
export type DeliveryEvent = 'book' | 'track' | 'deliver' | 'fail' | 'return' | 'receive';

export const deliveryMethods: readonly DeliveryMethod[] = ['school', 'home'];
export const deliveryEvents: readonly DeliveryEvent[] = ['book', 'track', 'deliver', 'fail', 'return', 'receive'];
/** A parcel never leaves these; a returned one is replaced by a new parcel when the card goes out again. */
export const finalDeliveryStatuses: readonly DeliveryStatus[] = ['delivered', 'returned'];

const deliveryMachines: Record<DeliveryMethod, Table<DeliveryEvent, DeliveryStatus>> = {
  // The school's parcel leaves with the batch and is signed for by the school.
  school: { receive: { in_transit: 'delivered' } },
  home: { book: { created: 'in_transit' }, track: { in_transit: 'in_transit' }, deliver: { in_transit: 'delivered' }, fail: { in_transit: 'failed' }, return: { failed: 'returned' } },
};

/** A school parcel is on its way when the batch is dispatched; a home parcel waits for the courier's booking. */
export function initialDeliveryStatus(method: DeliveryMethod): DeliveryStatus {
  return method === 'school' ? 'in_transit' : 'created';
}

export type TrackedStatus = 'in_transit' | 'delivered' | 'failed' | 'returned';

/** The event that stands for what the courier's tracking says. */
export function trackingEvent(tracked: TrackedStatus): DeliveryEvent {
  return ({ in_transit: 'track', delivered: 'deliver', failed: 'fail', returned: 'return' } as const)[tracked];
}

/**
 * The events that bring a parcel from `status` to what the tracking says now. A parcel last seen
 * on its way and already back at the card centre failed first (tracking is polled, so the failure
 * may never have been seen on its own). Events the machine refuses are left to the caller.
 */
export function trackingEvents(status: DeliveryStatus, tracked: TrackedStatus): DeliveryEvent[] {
  return tracked === 'returned' && status === 'in_transit' ? ['fail', 'return'] : [trackingEvent(tracked)];
}

export function allowedDeliveryEvents(method: DeliveryMethod, status: DeliveryStatus): DeliveryEvent[] {
  return eventsFrom(deliveryMachines[method], status);
}

export function deliveryAllows(method: DeliveryMethod, status: DeliveryStatus, event: DeliveryEvent): boolean {
  return deliveryMachines[method][event]?.[status] !== undefined;
}

export function nextDeliveryStatus(method: DeliveryMethod, status: DeliveryStatus, event: DeliveryEvent): DeliveryStatus {
  const to = deliveryMachines[method][event]?.[status];
  if (to === undefined) throw refuse('FULFILMENT_DELIVERY_STATUS', { status, method, event });
  return to;
}
