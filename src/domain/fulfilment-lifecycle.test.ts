import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import {
  allowedApplicationEvents, allowedBatchEvents, allowedConfirmationEvents, allowedDeliveryEvents, applicationAllows, applicationEvents, applicationKinds, applicationTransition,
  batchEvents, confirmationEvents, deliveryAllows, deliveryEvents, deliveryMethods, finalApplicationStatuses, finalDeliveryStatuses, initialApplicationStatus, initialBatchStatus,
  initialConfirmationStatus, initialDeliveryStatus, mayReplace, needsFee, nextApplicationStatus, nextBatchStatus, nextConfirmationStatus, nextDeliveryStatus, printingStatuses, reasonsOf,
  trackingEvent, trackingEvents, type ApplicationEvent, type ApplicationKind, type ApplicationStatus, type BatchStatus, type ConfirmationStatus, type DeliveryMethod, type DeliveryStatus,
} from './fulfilment-lifecycle.js';

/** The code `fn` is refused with (and that it is refused at all). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isDomainError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

/**
 * The pipeline's order: an application only ever moves forward (or is withdrawn), except that a
 * parcel returned to the card centre goes out again (redeliver: returned_to_centre → dispatched).
 */
const rank: Record<ApplicationStatus, number> = {
  awaiting_payment: 0, ready_for_production: 1, in_production: 2, produced: 3, dispatched: 4, delivery_failed: 4.3, returned_to_centre: 4.6, delivered: 5, completed: 6, cancelled: 7,
};
const count = (events: readonly string[], event: string) => events.filter((e) => e === event).length;
const batchRank: Record<BatchStatus, number> = { created: 0, exported: 1, produced: 2, dispatched: 3 };

describe('application state machine (补卡 / 补换卡贴)', () => {
  it('random event sequences never reach an illegal state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...applicationKinds),
        // `forward` steps take the pipeline's next step (with its guards met), so most runs get far; the others are any event.
        fc.array(fc.record({ event: fc.constantFrom(...applicationEvents), forward: fc.boolean(), orderPending: fc.boolean(), infoConfirmed: fc.boolean(), enrolled: fc.boolean(), atSchool: fc.boolean() }), { maxLength: 40 }),
        (kind, sequence) => {
          let status = initialApplicationStatus(kind);
          const seen: ApplicationEvent[] = [];
          for (const step of sequence) {
            const before = status;
            // Onward from the school is pickup (sending a card home from there is for a student who has gone).
            const onward = allowedApplicationEvents(kind, before).find((e) => e !== 'withdraw' && !(e === 'redeliver' && before === 'delivered'));
            const { event, orderPending, infoConfirmed, enrolled, atSchool } = step.forward && onward ? { event: onward, orderPending: false, infoConfirmed: true, enrolled: true, atSchool: step.atSchool } : step;
            const guards = { feeOrderOpenOrPaid: orderPending ? { orderId: 'o1', orderStatus: 'created' } : undefined, infoConfirmed, holderEnrolledAtSchool: enrolled, atSchool };
            expect(allowedApplicationEvents(kind, before).includes(event)).toBe(applicationAllows(kind, before, event));
            if (!applicationAllows(kind, before, event)) {
              // A step out of order is refused, with the code the API has always given.
              expect(refusal(() => nextApplicationStatus(kind, before, event, guards))).toBe(!needsFee(kind) && event === 'pay' ? 'FULFILMENT_NO_FEE' : 'FULFILMENT_STATUS_INVALID');
              continue;
            }
            if ((event === 'withdraw' && orderPending) || (event === 'batch' && !infoConfirmed)) {
              expect(refusal(() => nextApplicationStatus(kind, before, event, guards))).toBe(event === 'withdraw' ? 'FULFILMENT_ORDER_PENDING' : 'FULFILMENT_CONFIRMATION_STATUS');
              continue;
            }
            // A first card is handed over only to a student enrolled at its school, and voided only when not.
            if ((event === 'complete' && kind === 'new_card' && !enrolled) || (event === 'void' && enrolled)) {
              expect(refusal(() => nextApplicationStatus(kind, before, event, guards))).toBe(event === 'void' ? 'FULFILMENT_HOLDER_STILL_ENROLLED' : 'FULFILMENT_HOLDER_NOT_ENROLLED');
              continue;
            }
            // Any card: handed over at the school, or sent (back) there, only for a student enrolled there;
            // a card waiting at the school is sent home only for one who is not.
            if (event === 'redeliver' && before === 'delivered' && enrolled) {
              expect(refusal(() => nextApplicationStatus(kind, before, event, guards))).toBe('FULFILMENT_STATUS_INVALID');
              continue;
            }
            if ((event === 'complete' || event === 'redeliver') && atSchool && !enrolled) {
              expect(refusal(() => nextApplicationStatus(kind, before, event, guards))).toBe('FULFILMENT_HOLDER_LEFT_SCHOOL');
              continue;
            }
            status = nextApplicationStatus(kind, before, event, guards);
            seen.push(event);
            // Forward only (but for a returned parcel going out again), and nothing leaves a final status.
            if (event === 'redeliver') {
              expect(['returned_to_centre', 'delivered']).toContain(before);
              expect(status).toBe('dispatched');
              // From the school only a replacement or a sticker, and only home, for a student who has gone.
              if (before === 'delivered') expect([kind === 'new_card', atSchool, enrolled]).toEqual([false, false, false]);
            }
            else expect(rank[status]).toBeGreaterThanOrEqual(rank[before]);
            if (finalApplicationStatuses.includes(before)) expect(status).toBe(before);
            // A sticker or a first card never waits for payment.
            if (kind !== 'replacement') expect(status).not.toBe('awaiting_payment');
            // Never in production (or beyond) without payment for a replacement, nor without confirmed card information.
            if (rank[status] >= rank.in_production && status !== 'cancelled') {
              if (kind === 'replacement') expect(seen).toContain('pay');
              expect(seen).toContain('batch');
            }
            if (kind === 'replacement' && status === 'ready_for_production') expect(seen).toContain('pay');
            // Never delivered before dispatched, never completed before delivered.
            if (status === 'delivered' || status === 'completed') expect(seen.indexOf('dispatch')).toBeGreaterThanOrEqual(0);
            if (status === 'delivered') expect(seen.indexOf('dispatch')).toBeLessThan(seen.indexOf('deliver'));
            if (status === 'completed') expect(seen).toContain('deliver');
            // A parcel fails only once on its way, is back at the centre only after it failed, and goes out again only from there.
            if (status === 'delivery_failed') expect(seen.at(-2)).toMatch(/^(dispatch|redeliver)$/);
            if (status === 'returned_to_centre') expect(seen.at(-2)).toBe('fail_delivery');
            expect(count(seen, 'redeliver')).toBeLessThanOrEqual(count(seen, 'return_to_centre') + count(seen, 'deliver'));
            expect(count(seen, 'return_to_centre')).toBeLessThanOrEqual(count(seen, 'fail_delivery'));
            expect(count(seen, 'fail_delivery')).toBeLessThanOrEqual(count(seen, 'redeliver') + 1);
            // Withdrawn only before production, and a paid replacement is never withdrawn; once printed,
            // only a first card is ever cancelled: voided at the school, never handed over.
            if (status === 'cancelled' && event !== 'void') {
              expect(seen).not.toContain('batch');
              expect(seen).not.toContain('pay');
            }
            if (event === 'void') expect([kind, before, status]).toEqual(['new_card', 'delivered', 'cancelled']);
          }
          for (const final of finalApplicationStatuses) {
            if (status !== final) continue;
            for (const event of applicationEvents) if (applicationAllows(kind, final, event)) expect(nextApplicationStatus(kind, final, event, { infoConfirmed: true })).toBe(final);
          }
        },
      ),
    );
  });

  it('a replacement waits for its fee; a sticker has none and goes straight to production', () => {
    expect(initialApplicationStatus('replacement')).toBe('awaiting_payment');
    expect(initialApplicationStatus('sticker')).toBe('ready_for_production');
    expect(needsFee('replacement')).toBe(true);
    expect(needsFee('sticker')).toBe(false);
    expect(nextApplicationStatus('replacement', 'awaiting_payment', 'pay')).toBe('ready_for_production');
    for (const status of ['awaiting_payment', 'ready_for_production', 'completed'] as const) expect(refusal(() => nextApplicationStatus('sticker', status, 'pay'))).toBe('FULFILMENT_NO_FEE');
    expect(refusal(() => nextApplicationStatus('replacement', 'ready_for_production', 'pay'))).toBe('FULFILMENT_STATUS_INVALID');
    expect(refusal(() => nextApplicationStatus('replacement', 'cancelled', 'pay'))).toBe('FULFILMENT_STATUS_INVALID');
  });

  it('refuses production of an unpaid replacement or of unconfirmed card information', () => {
    expect(refusal(() => nextApplicationStatus('replacement', 'awaiting_payment', 'batch', { infoConfirmed: true }))).toBe('FULFILMENT_STATUS_INVALID');
    expect(refusal(() => nextApplicationStatus('replacement', 'ready_for_production', 'batch'))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(refusal(() => nextApplicationStatus('sticker', 'ready_for_production', 'batch', { infoConfirmed: false }))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(nextApplicationStatus('sticker', 'ready_for_production', 'batch', { infoConfirmed: true })).toBe('in_production');
  });

  it('withdraws a replacement before its fee (no open or paid order) and a sticker until it is batched', () => {
    expect(nextApplicationStatus('replacement', 'awaiting_payment', 'withdraw')).toBe('cancelled');
    expect(refusal(() => nextApplicationStatus('replacement', 'ready_for_production', 'withdraw'))).toBe('FULFILMENT_STATUS_INVALID');
    try {
      nextApplicationStatus('replacement', 'awaiting_payment', 'withdraw', { feeOrderOpenOrPaid: { orderId: 'o1', orderStatus: 'paying' } });
      expect.unreachable();
    } catch (e) {
      expect(isDomainError(e, 'FULFILMENT_ORDER_PENDING')).toBe(true);
      if (isDomainError(e)) expect(e.details).toEqual({ orderId: 'o1', orderStatus: 'paying' });
    }
    expect(nextApplicationStatus('sticker', 'ready_for_production', 'withdraw')).toBe('cancelled');
    for (const status of ['in_production', 'produced', 'dispatched', 'delivered', 'completed', 'cancelled'] as const) {
      expect(refusal(() => nextApplicationStatus('sticker', status, 'withdraw'))).toBe('FULFILMENT_STATUS_INVALID');
      expect(refusal(() => nextApplicationStatus('replacement', status, 'withdraw'))).toBe('FULFILMENT_STATUS_INVALID');
    }
  });

  it('refuses pickup before delivery and says what it expected', () => {
    for (const status of ['awaiting_payment', 'ready_for_production', 'in_production', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre', 'completed', 'cancelled'] as const) {
      expect(refusal(() => nextApplicationStatus('replacement', status, 'complete'))).toBe('FULFILMENT_STATUS_INVALID');
    }
    try {
      nextApplicationStatus('replacement', 'dispatched', 'complete');
    } catch (e) {
      if (!isDomainError(e)) throw e;
      expect(e.details).toMatchObject({ status: 'dispatched', expected: 'delivered' });
      expect(e.messageZh).toBe('申请当前状态不能执行该操作');
    }
    expect(refusal(() => nextApplicationStatus('sticker', 'produced', 'deliver'))).toBe('FULFILMENT_STATUS_INVALID');
    expect(nextApplicationStatus('sticker', 'delivered', 'complete')).toBe('completed');
  });

  it('sends a failed home parcel back to the card centre, and out again only from there', () => {
    for (const kind of applicationKinds) {
      expect(nextApplicationStatus(kind, 'dispatched', 'fail_delivery')).toBe('delivery_failed');
      expect(nextApplicationStatus(kind, 'delivery_failed', 'return_to_centre')).toBe('returned_to_centre');
      expect(nextApplicationStatus(kind, 'returned_to_centre', 'redeliver')).toBe('dispatched');
      expect(allowedApplicationEvents(kind, 'returned_to_centre')).toEqual(['redeliver']);
      // Not while the parcel is still on its way (out or back), and never after it arrived.
      for (const status of ['produced', 'dispatched', 'delivery_failed', 'delivered', 'completed', 'cancelled'] as const) {
        expect(refusal(() => nextApplicationStatus(kind, status, 'redeliver'))).toBe('FULFILMENT_STATUS_INVALID');
      }
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'fail_delivery'))).toBe('FULFILMENT_STATUS_INVALID');
      // The card is printed: the application is not withdrawn, and its card information is not reopened meanwhile.
      for (const status of ['delivery_failed', 'returned_to_centre'] as const) {
        expect(refusal(() => nextApplicationStatus(kind, status, 'withdraw'))).toBe('FULFILMENT_STATUS_INVALID');
        expect(printingStatuses).toContain(status);
      }
    }
  });

  it('replaces a card only after a loss report, a sticker also when damaged but still in use', () => {
    expect(reasonsOf('replacement')).toEqual(['lost']);
    expect(reasonsOf('sticker')).toEqual(['lost', 'damaged']);
    expect(mayReplace('replacement', 'lost', 'lost')).toBe(true);
    for (const status of ['inactive', 'active', 'superseded', 'replaced'] as const) expect(mayReplace('replacement', 'lost', status)).toBe(false);
    expect(mayReplace('replacement', 'damaged', 'active')).toBe(false);
    expect(mayReplace('sticker', 'lost', 'lost')).toBe(true);
    expect(mayReplace('sticker', 'lost', 'active')).toBe(false);
    expect(mayReplace('sticker', 'damaged', 'active')).toBe(true);
    expect(mayReplace('sticker', 'damaged', 'inactive')).toBe(true);
    for (const status of ['lost', 'replaced', 'returned'] as const) expect(mayReplace('sticker', 'damaged', status)).toBe(false);
  });

  it('hands a first card over only to a student enrolled at its school, and voids it at that school only when not', () => {
    expect(nextApplicationStatus('new_card', 'delivered', 'complete', { holderEnrolledAtSchool: true })).toBe('completed');
    // Unknown counts as not enrolled for pickup, and as enrolled for voiding: neither happens on a guess.
    expect(refusal(() => nextApplicationStatus('new_card', 'delivered', 'complete', { holderEnrolledAtSchool: false }))).toBe('FULFILMENT_HOLDER_NOT_ENROLLED');
    expect(refusal(() => nextApplicationStatus('new_card', 'delivered', 'complete'))).toBe('FULFILMENT_HOLDER_NOT_ENROLLED');
    expect(nextApplicationStatus('new_card', 'delivered', 'void', { holderEnrolledAtSchool: false })).toBe('cancelled');
    expect(refusal(() => nextApplicationStatus('new_card', 'delivered', 'void', { holderEnrolledAtSchool: true }))).toBe('FULFILMENT_HOLDER_STILL_ENROLLED');
    expect(refusal(() => nextApplicationStatus('new_card', 'delivered', 'void'))).toBe('FULFILMENT_HOLDER_STILL_ENROLLED');
    expect(allowedApplicationEvents('new_card', 'delivered')).toEqual(['complete', 'void']);
    // Only once it reached the school: printed cards on their way go on there first; a status out of order is the usual refusal.
    for (const status of ['ready_for_production', 'in_production', 'produced', 'dispatched', 'completed', 'cancelled'] as const) {
      expect(refusal(() => nextApplicationStatus('new_card', status, 'void', { holderEnrolledAtSchool: false }))).toBe('FULFILMENT_STATUS_INVALID');
    }
    // A replacement or a sticker is never voided, and its pickup does not ask where the student is enrolled.
    for (const kind of ['replacement', 'sticker'] as const) {
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'void', { holderEnrolledAtSchool: false }))).toBe('FULFILMENT_STATUS_INVALID');
      expect(nextApplicationStatus(kind, 'delivered', 'complete', { holderEnrolledAtSchool: false })).toBe('completed');
    }
  });

  it('hands a replacement or sticker over at the school only to a student enrolled there, and sends it home instead when not', () => {
    for (const kind of ['replacement', 'sticker'] as const) {
      // Picked up at the school: only by a student enrolled there (unknown counts as not); signed for at home: whoever.
      expect(nextApplicationStatus(kind, 'delivered', 'complete', { atSchool: true, holderEnrolledAtSchool: true })).toBe('completed');
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'complete', { atSchool: true, holderEnrolledAtSchool: false }))).toBe('FULFILMENT_HOLDER_LEFT_SCHOOL');
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'complete', { atSchool: true }))).toBe('FULFILMENT_HOLDER_LEFT_SCHOOL');
      expect(nextApplicationStatus(kind, 'delivered', 'complete', { atSchool: false, holderEnrolledAtSchool: false })).toBe('completed');
      // Waiting at a school the student has left: home by courier, never to that school again.
      expect(allowedApplicationEvents(kind, 'delivered')).toEqual(['redeliver', 'complete']);
      expect(nextApplicationStatus(kind, 'delivered', 'redeliver', { atSchool: false, holderEnrolledAtSchool: false })).toBe('dispatched');
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'redeliver', { atSchool: true, holderEnrolledAtSchool: false }))).toBe('FULFILMENT_HOLDER_LEFT_SCHOOL');
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'redeliver', { atSchool: false, holderEnrolledAtSchool: true }))).toBe('FULFILMENT_STATUS_INVALID');
      expect(refusal(() => nextApplicationStatus(kind, 'delivered', 'redeliver', { atSchool: false }))).toBe('FULFILMENT_STATUS_INVALID');
      // Back at the card centre: to the school only for a student enrolled there; home always.
      expect(nextApplicationStatus(kind, 'returned_to_centre', 'redeliver', { atSchool: true, holderEnrolledAtSchool: true })).toBe('dispatched');
      expect(refusal(() => nextApplicationStatus(kind, 'returned_to_centre', 'redeliver', { atSchool: true, holderEnrolledAtSchool: false }))).toBe('FULFILMENT_HOLDER_LEFT_SCHOOL');
      expect(nextApplicationStatus(kind, 'returned_to_centre', 'redeliver', { atSchool: false, holderEnrolledAtSchool: false })).toBe('dispatched');
    }
    // A first card never goes home: voided at the school instead.
    expect(refusal(() => nextApplicationStatus('new_card', 'delivered', 'redeliver', { atSchool: false, holderEnrolledAtSchool: false }))).toBe('FULFILMENT_STATUS_INVALID');
  });

  it('moves a whole batch from one status to the next', () => {
    for (const kind of applicationKinds) expect(applicationTransition(kind, 'produce')).toEqual({ from: 'in_production', to: 'produced' });
    expect(() => applicationTransition('sticker', 'pay')).toThrow();
  });
});

describe('production batch state machine', () => {
  it('random event sequences never reach an illegal state', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...batchEvents), { maxLength: 30 }), (sequence) => {
        let status: BatchStatus = initialBatchStatus;
        const seen: string[] = [];
        for (const event of sequence) {
          const before = status;
          if (!allowedBatchEvents(before).includes(event)) {
            expect(refusal(() => nextBatchStatus(before, event))).toBe('FULFILMENT_BATCH_STATUS');
            continue;
          }
          status = nextBatchStatus(before, event);
          seen.push(event);
          expect(batchRank[status]).toBeGreaterThanOrEqual(batchRank[before]);
          // Re-exporting re-sends the file: it moves only a new batch.
          if (event === 'export') expect(status).toBe(before === 'created' ? 'exported' : before);
          if (status === 'produced' || status === 'dispatched') expect(seen.indexOf('export')).toBeLessThan(seen.indexOf('produce'));
          if (status === 'dispatched') expect(seen.indexOf('produce')).toBeLessThan(seen.indexOf('dispatch'));
        }
      }),
    );
  });

  it('refuses produced before export and dispatch before produced', () => {
    expect(refusal(() => nextBatchStatus('created', 'produce'))).toBe('FULFILMENT_BATCH_STATUS');
    expect(refusal(() => nextBatchStatus('exported', 'dispatch'))).toBe('FULFILMENT_BATCH_STATUS');
    expect(refusal(() => nextBatchStatus('dispatched', 'produce'))).toBe('FULFILMENT_BATCH_STATUS');
    expect(refusal(() => nextBatchStatus('dispatched', 'dispatch'))).toBe('FULFILMENT_BATCH_STATUS');
    expect(nextBatchStatus('dispatched', 'export')).toBe('dispatched');
  });
});

describe('delivery state machine', () => {
  it('random event sequences never reach an illegal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...deliveryMethods), fc.array(fc.constantFrom(...deliveryEvents), { maxLength: 30 }), (method, sequence) => {
        let status = initialDeliveryStatus(method);
        const seen: string[] = [];
        for (const event of sequence) {
          const before = status;
          expect(allowedDeliveryEvents(method, before).includes(event)).toBe(deliveryAllows(method, before, event));
          if (!deliveryAllows(method, before, event)) {
            expect(refusal(() => nextDeliveryStatus(method, before, event))).toBe('FULFILMENT_DELIVERY_STATUS');
            continue;
          }
          status = nextDeliveryStatus(method, before, event);
          seen.push(event);
          expect(finalDeliveryStatuses).not.toContain(before);
          // A school parcel is signed for by the school, never by the courier; a home parcel never by the school.
          if (method === 'school') expect(['in_transit', 'delivered']).toContain(status);
          if (method === 'home') expect(seen).not.toContain('receive');
          // Nothing is delivered (or lost) before it was on its way.
          if (status === 'delivered' || status === 'failed') expect(before).toBe('in_transit');
          // Back at the card centre only after the courier gave up.
          if (status === 'returned') expect([before, method]).toEqual(['failed', 'home']);
          if (method === 'home' && status !== 'created') expect(seen[0]).toBe('book');
        }
      }),
    );
  });

  it('refuses the school signing for a home parcel and the courier delivering a school one', () => {
    expect(refusal(() => nextDeliveryStatus('home', 'in_transit', 'receive'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(refusal(() => nextDeliveryStatus('school', 'in_transit', 'deliver'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(refusal(() => nextDeliveryStatus('school', 'delivered', 'receive'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(refusal(() => nextDeliveryStatus('home', 'created', 'deliver'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(nextDeliveryStatus('home', 'in_transit', trackingEvent('in_transit'))).toBe('in_transit');
    expect(nextDeliveryStatus('home', 'in_transit', trackingEvent('delivered'))).toBe('delivered');
    expect(nextDeliveryStatus('home', 'in_transit', trackingEvent('failed'))).toBe('failed');
    expect(nextDeliveryStatus('home', 'failed', trackingEvent('returned'))).toBe('returned');
    expect(refusal(() => nextDeliveryStatus('home', 'in_transit', 'return'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(refusal(() => nextDeliveryStatus('school', 'in_transit', 'fail'))).toBe('FULFILMENT_DELIVERY_STATUS');
    expect(finalDeliveryStatuses).toEqual(['delivered', 'returned']);
    // A parcel last seen on its way and now back at the centre failed first; otherwise one event.
    expect(trackingEvents('in_transit', 'returned')).toEqual(['fail', 'return']);
    expect(trackingEvents('failed', 'returned')).toEqual(['return']);
    expect(trackingEvents('in_transit', 'delivered')).toEqual(['deliver']);
    expect(initialDeliveryStatus('school')).toBe('in_transit');
    expect(initialDeliveryStatus('home')).toBe('created');
  });
});

describe('card information confirmation (制卡信息确认)', () => {
  it('random event sequences never reach an illegal state', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ event: fc.constantFrom(...confirmationEvents), busy: fc.boolean() }), { maxLength: 30 }), (sequence) => {
        let status: ConfirmationStatus = initialConfirmationStatus;
        for (const { event, busy } of sequence) {
          const before = status;
          if (!allowedConfirmationEvents(before).includes(event) || (event === 'report' && before === 'confirmed' && busy)) {
            expect(refusal(() => nextConfirmationStatus(before, event, { cardInProduction: busy }))).toBe('FULFILMENT_CONFIRMATION_STATUS');
            continue;
          }
          status = nextConfirmationStatus(before, event, { cardInProduction: busy });
          // Confirmed only by the student confirming a pending record; corrected records, and those of a
          // student who moved school (from any state), are confirmed again.
          if (status === 'confirmed') expect([before, event]).toEqual(['pending', 'confirm']);
          if (status === 'pending' && event !== 'transfer') expect([before, event]).toEqual(['reported', 'fix']);
          if (event === 'transfer') expect(status).toBe('pending');
          if (status === 'reported' && before === 'confirmed') expect(busy).toBe(false);
        }
      }),
    );
  });

  it('refuses confirming while errors wait for the school, and reopening while a card is printed', () => {
    expect(refusal(() => nextConfirmationStatus('reported', 'confirm'))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(refusal(() => nextConfirmationStatus('reported', 'report'))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(refusal(() => nextConfirmationStatus('pending', 'fix'))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(refusal(() => nextConfirmationStatus('confirmed', 'report', { cardInProduction: true }))).toBe('FULFILMENT_CONFIRMATION_STATUS');
    expect(nextConfirmationStatus('confirmed', 'report', { cardInProduction: false })).toBe('reported');
  });
});

/** One student's application, its card information, batch and parcel, driven the way the use cases drive them. */
type Op = 'confirm' | 'report' | 'fix' | 'pay' | 'withdraw' | 'batch' | 'export' | 'produce' | 'dispatch' | 'book' | 'track' | 'deliver' | 'fail' | 'return' | 'receive' | 'redeliver_home' | 'redeliver_school' | 'pickup' | 'leave' | 'void';
const ops: Op[] = ['confirm', 'report', 'fix', 'pay', 'withdraw', 'batch', 'export', 'produce', 'dispatch', 'book', 'track', 'deliver', 'fail', 'return', 'receive', 'redeliver_home', 'redeliver_school', 'pickup', 'leave', 'void'];

/** The next step of the happy path from here, so random runs also get to the end of the pipeline. */
function onward(s: { app: ApplicationStatus; info: ConfirmationStatus; batch: BatchStatus | null; parcel: DeliveryStatus | null; method: DeliveryMethod }): Op {
  if (s.info !== 'confirmed') return s.info === 'reported' ? 'fix' : 'confirm';
  if (s.app === 'awaiting_payment') return 'pay';
  if (s.app === 'ready_for_production') return 'batch';
  if (s.batch === 'created') return 'export';
  if (s.batch === 'exported') return 'produce';
  if (s.batch === 'produced') return 'dispatch';
  if (s.parcel === 'created') return 'book';
  if (s.parcel === 'in_transit') return s.method === 'school' ? 'receive' : 'deliver';
  if (s.parcel === 'failed') return 'return';
  if (s.parcel === 'returned') return 'redeliver_school';
  return 'pickup';
}

describe('the machines together', () => {
  it('never print a card from unconfirmed information, and an application always matches its batch and parcel', () => {
    fc.assert(
      fc.property(fc.constantFrom(...applicationKinds), fc.constantFrom(...deliveryMethods), fc.array(fc.oneof({ arbitrary: fc.constant('onward' as const), weight: 3 }, { arbitrary: fc.constantFrom(...ops), weight: 2 }), { maxLength: 80 }), (kind: ApplicationKind, chosen: DeliveryMethod, sequence) => {
        let method = chosen;
        let app = initialApplicationStatus(kind);
        let info: ConfirmationStatus = initialConfirmationStatus;
        let batch: BatchStatus | null = null;
        let parcel: DeliveryStatus | null = null;
        // The student is enrolled at the application's school until they leave (or move).
        let enrolled = true;
        const attempt = (fn: () => void) => {
          try {
            fn();
          } catch (e) {
            if (!isDomainError(e)) throw e;
          }
        };
        for (const pick of sequence) {
          const op = pick === 'onward' ? onward({ app, info, batch, parcel, method }) : pick;
          const appBefore = app;
          attempt(() => {
            switch (op) {
              case 'confirm': case 'fix': info = nextConfirmationStatus(info, op); break;
              case 'report': info = nextConfirmationStatus(info, 'report', { cardInProduction: printingStatuses.includes(app) }); break;
              case 'pay': case 'withdraw': app = nextApplicationStatus(kind, app, op); break;
              case 'batch': app = nextApplicationStatus(kind, app, 'batch', { infoConfirmed: info === 'confirmed' }); batch = initialBatchStatus; break;
              case 'export': if (batch) batch = nextBatchStatus(batch, 'export'); break;
              case 'produce': if (batch) { batch = nextBatchStatus(batch, 'produce'); const t = applicationTransition(kind, 'produce'); if (app === t.from) app = t.to; } break;
              case 'dispatch': if (batch) { batch = nextBatchStatus(batch, 'dispatch'); if (applicationAllows(kind, app, 'dispatch')) { app = nextApplicationStatus(kind, app, 'dispatch'); parcel = initialDeliveryStatus(method); } } break;
              case 'book': case 'track': case 'deliver': case 'fail': case 'return': case 'receive':
                if (!parcel) break;
              {
                // One transaction: a refusal leaves both the parcel and the application as they were.
                const nextParcel = nextDeliveryStatus(method, parcel, op);
                let nextApp = app;
                if (nextParcel === 'delivered' && applicationAllows(kind, nextApp, 'deliver')) {
                  nextApp = nextApplicationStatus(kind, nextApp, 'deliver');
                  if (method === 'home') nextApp = nextApplicationStatus(kind, nextApp, 'complete', { holderEnrolledAtSchool: enrolled }); // signed for at home: complete at once
                }
                if (nextParcel === 'failed' && applicationAllows(kind, nextApp, 'fail_delivery')) nextApp = nextApplicationStatus(kind, nextApp, 'fail_delivery');
                if (nextParcel === 'returned' && applicationAllows(kind, nextApp, 'return_to_centre')) nextApp = nextApplicationStatus(kind, nextApp, 'return_to_centre');
                parcel = nextParcel;
                app = nextApp;
                break;
              }
              case 'redeliver_home': case 'redeliver_school':
                // The returned parcel stays as it is; a new one carries the card the chosen way.
                app = nextApplicationStatus(kind, app, 'redeliver');
                method = op === 'redeliver_home' ? 'home' : 'school';
                parcel = initialDeliveryStatus(method);
                break;
              case 'pickup': if (method === 'school') app = nextApplicationStatus(kind, app, 'complete', { holderEnrolledAtSchool: enrolled }); break;
              // Leaving (or moving) gives up a first card not yet batched (giveUpFirstCard); one printed goes on.
              case 'leave': enrolled = false; if (kind === 'new_card' && app === 'ready_for_production') app = nextApplicationStatus(kind, app, 'withdraw'); break;
              case 'void': app = nextApplicationStatus(kind, app, 'void', { holderEnrolledAtSchool: enrolled }); break;
            }
          });
          // The card is printed only from information the student confirmed, and it cannot be reopened meanwhile.
          if (printingStatuses.includes(app)) expect(info).toBe('confirmed');
          // The application follows its batch and its parcel.
          if (app === 'in_production') expect(['created', 'exported']).toContain(batch);
          if (app === 'produced') expect(batch).toBe('produced');
          if (app === 'dispatched') expect(batch).toBe('dispatched');
          if (app === 'dispatched') expect(['created', 'in_transit']).toContain(parcel);
          // Failed and returned only for a home parcel, with the application following it.
          if (app === 'delivery_failed') expect([parcel, method]).toEqual(['failed', 'home']);
          if (app === 'returned_to_centre') expect([parcel, method]).toEqual(['returned', 'home']);
          if (parcel === 'failed' || parcel === 'returned') expect(['delivery_failed', 'returned_to_centre']).toContain(app);
          if (app === 'delivered' || app === 'completed') expect(parcel).toBe('delivered');
          if (app === 'delivered') expect(method).toBe('school');
          if (batch === null) expect(rank[app] < rank.in_production || app === 'cancelled').toBe(true);
          // Cancelled with a card printed only when a first card was voided at the school its student had left.
          if (app === 'cancelled' && batch !== null) expect([kind, parcel, method, enrolled]).toEqual(['new_card', 'delivered', 'school', false]);
          // A first card is never in the hands of a student who had left its school before pickup.
          if (kind === 'new_card' && app === 'completed' && appBefore !== 'completed') expect(enrolled).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
