import { initialDeliveryStatus, nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import { mayAccessSchool } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { newId } from '../../platform/ids.js';
import { applicationView } from './application-view.js';
import { accessibleApplication } from './apply-replacement.js';
import { courierOf } from './courier.js';
import { syncHomeDeliveries } from './deliveries.js';
import { enrolledAtSchool } from './first-card.js';
import './fulfilment.errors.js';
import type { ApplicationDto, DeliveryChoice } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';

/**
 * 重新配送: a home parcel the courier gave up on is back at the card centre (`returned_to_centre`).
 * The holder, a bound parent, the school card manager or an operator chooses how the card goes out
 * again: home (the same or a new address: a new cash-on-delivery parcel, at most ¥15, paid only when
 * signed for — the failed parcel collected nothing), or to the school for pickup (free, like any
 * school delivery), only while the student is enrolled there. A new delivery carries it; the
 * returned one keeps its history.
 *
 * 改为快递到家: a replacement or sticker delivered to a school its student no longer attends (left,
 * graduated, moved) cannot be picked up there (FULFILMENT_HOLDER_LEFT_SCHOOL); the same people send
 * it home instead, a courier parcel from the school (cash on delivery, at most ¥15).
 */
export async function redeliverApplication(ctx: AppContext, caller: Caller, applicationId: string, choice: DeliveryChoice, requestId: string): Promise<ApplicationDto> {
  const app = await redeliverableApplication(ctx, caller, applicationId);
  const fromSchool = app.status === 'delivered';
  const status = nextApplicationStatus(app.kind, app.status, 'redeliver', { atSchool: choice.method === 'school', holderEnrolledAtSchool: await enrolledAtSchool(ctx.db, app, true) });
  // Only an application that was dispatched gets here, so it has its batch.
  if (!app.batch_id) throw new Error(`application ${app.id} was dispatched without a batch`);
  const now = ctx.clock.now();
  const home = choice.method === 'home' ? choice : null;
  const deliveryId = newId();
  await repo.insertDelivery(ctx.db, {
    id: deliveryId, batch_id: app.batch_id, method: choice.method, school_id: app.school_id, application_id: home ? app.id : null, courier: home ? courierOf().name : null, tracking_no: null,
    status: initialDeliveryStatus(choice.method), events: JSON.stringify(home ? [] : [{ at: now.toISOString(), description: { zh: '退回件改为配送到校', en: 'Sent to the school after a failed home delivery' } }]),
    created_at: now, updated_at: now, delivered_at: null,
  });
  const updated = { ...app, status, delivery_method: choice.method, recipient: home?.recipient ?? null, phone: home?.phone ?? null, address: home?.address ?? null, delivery_id: deliveryId, updated_at: now };
  await repo.updateApplication(ctx.db, app.id, { status, delivery_method: updated.delivery_method, recipient: updated.recipient, phone: updated.phone, address: updated.address, delivery_id: deliveryId, updated_at: now });
  const note = fromSchool
    ? { zh: '学生已不在该校就读，改为快递配送到家', en: 'The student no longer attends the school: sent home by courier instead' }
    : home ? { zh: '重新配送到家', en: 'Sent home again' } : { zh: '改为配送到校', en: 'Sent to the school instead' };
  await recordStep(ctx.db, ctx.clock, app, 'redispatched', { role: caller.role, id: caller.subjectId }, requestId, note, { method: choice.method, deliveryId, previousDeliveryId: app.delivery_id, from: app.status });
  return applicationView(ctx.db, ctx.clock, updated);
}

/**
 * The application, locked, if the caller may send it out again: the holder, a bound parent, an
 * operator, the card manager of the student's school, or the card manager of the school the card
 * was delivered to while it is in their hands there (the student has moved to another school
 * since). Once it has left that school (sent home, back at the centre), it is no longer theirs.
 */
async function redeliverableApplication(ctx: AppContext, caller: Caller, applicationId: string): Promise<ApplicationRow> {
  const app = await repo.lockApplication(ctx.db, applicationId);
  const heldAtTheirSchool = app?.status === 'delivered' && app.delivery_method === 'school';
  if (app && heldAtTheirSchool && caller.role === 'school_admin' && mayAccessSchool(caller, app.school_id)) return app;
  return accessibleApplication(ctx, caller, applicationId, true);
}

/**
 * After the commit: books the courier for the new home parcel (the courier is never called inside a
 * transaction). Never fails the request, which has committed: a booking that fails now is logged and
 * made by the tracking job's next round.
 */
export async function bookRedelivery(ctx: AppContext, applicationId: string): Promise<void> {
  try {
    const app = await repo.findApplication(ctx.db, applicationId);
    if (app?.delivery_method === 'home' && app.delivery_id) await syncHomeDeliveries(ctx, app.delivery_id);
  } catch (error) {
    ctx.logger.error({ err: error, applicationId }, 'fulfilment: booking the redelivery failed; the tracking job books it');
  }
}
