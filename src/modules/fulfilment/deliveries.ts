import {
  applicationAllows, deliveryAllows, initialDeliveryStatus, nextApplicationStatus, nextBatchStatus, nextDeliveryStatus, trackingEvents, type ApplicationEvent, type DeliveryStatus,
} from '../../domain/fulfilment-lifecycle.js';
import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import { assertSchoolAccess, consoleListScope } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { maskName, maskPhone } from '../../domain/masking.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import { deliveryStatusLabels, homeDeliveryCodMaxFen } from './card-face.js';
import { courierDisplayName, courierOf, type CourierAdapter } from './courier.js';
import './fulfilment.errors.js';
import type { ApplicationStep, BatchDto, DeliveryDto } from './fulfilment.schemas.js';
import type { DeliveryEvent } from './fulfilment.tables.js';
import { fulfilmentRepository as repo, type ApplicationRow, type DeliveryRow } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';
import { completeApplication } from './pickup.js';
import { batchView } from './production-batches.js';

/**
 * Deliveries: a produced batch goes out as one parcel per school (to the school card manager,
 * free) and one courier parcel per home delivery (cash on delivery, ≤ ¥15). The school confirms
 * receipt and hands cards over; a home parcel signed for completes its application.
 */

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

type Label = DeliveryEvent['description'];

/** The dispatched step's note, in the reader's language. */
const dispatchNotes: Record<ApplicationRow['delivery_method'], Label> = {
  school: { zh: '配送到校', en: 'Sent to the school' },
  home: { zh: '配送到家', en: 'Sent home by courier' },
};

/** A courier step's note: the courier, the tracking number and, unless signed for, the courier's last word. */
function courierNote(courier: Label, trackingNo: string | null, event: Label | undefined): Label {
  const no = trackingNo ? ` ${trackingNo}` : '';
  return { zh: `${courier.zh}${no}${event ? `：${event.zh}` : ''}`.trim(), en: `${courier.en}${no}${event ? `: ${event.en}` : ''}`.trim() };
}

export async function dispatchBatch(ctx: AppContext, caller: Caller, batchId: string, requestId: string): Promise<BatchDto> {
  const batch = await repo.lockBatch(ctx.db, batchId);
  if (!batch) throw fail('FULFILMENT_BATCH_NOT_FOUND', { batchId });
  const batchStatus = nextBatchStatus(batch.status, 'dispatch');
  const now = ctx.clock.now();
  const apps = (await repo.applicationsOfBatch(ctx.db, batchId)).filter((a) => applicationAllows(a.kind, a.status, 'dispatch'));
  const bySchool = new Map<string, ApplicationRow[]>();
  for (const app of apps) {
    if (app.delivery_method === 'school') bySchool.set(app.school_id, [...(bySchool.get(app.school_id) ?? []), app]);
  }
  const deliveryOf = new Map<string, string>();
  for (const [schoolId, schoolApps] of bySchool) {
    const id = newId();
    await repo.insertDelivery(ctx.db, { id, batch_id: batchId, method: 'school', school_id: schoolId, application_id: null, courier: null, tracking_no: null, status: initialDeliveryStatus('school'), events: JSON.stringify([{ at: now.toISOString(), description: { zh: '已发往学校', en: 'Sent to the school' } }]), created_at: now, updated_at: now, delivered_at: null });
    for (const app of schoolApps) deliveryOf.set(app.id, id);
  }
  for (const app of apps.filter((a) => a.delivery_method === 'home')) {
    const id = newId();
    await repo.insertDelivery(ctx.db, { id, batch_id: batchId, method: 'home', school_id: app.school_id, application_id: app.id, courier: courierOf().name, tracking_no: null, status: initialDeliveryStatus('home'), events: '[]', created_at: now, updated_at: now, delivered_at: null });
    deliveryOf.set(app.id, id);
  }
  for (const app of apps) {
    await repo.updateApplication(ctx.db, app.id, { status: nextApplicationStatus(app.kind, app.status, 'dispatch'), delivery_id: deliveryOf.get(app.id) ?? null, updated_at: now });
    await recordStep(ctx.db, ctx.clock, app, 'dispatched', actorOf(caller), requestId, dispatchNotes[app.delivery_method], { deliveryId: deliveryOf.get(app.id) });
  }
  await repo.updateBatch(ctx.db, batch.id, { status: batchStatus, dispatched_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.batch.dispatched', entityType: 'production_batch', entityId: batch.id, before: { status: batch.status }, after: { status: batchStatus, schools: bySchool.size, homes: apps.length - [...bySchool.values()].flat().length }, requestId });
  return batchView({ ...batch, status: batchStatus, dispatched_at: now }, apps.length);
}

/** Parcels one tracking round asks about; the job runs every 10 minutes, the queue takes those asked about longest ago first. */
const trackingRoundSize = 200;
/**
 * A parcel that failed longer ago than this and is still not back is no longer asked about: the
 * courier has lost it. An operator marks it back at the card centre (markParcelReturned).
 */
export const failedParcelTrackingDays = 30;
const dayMs = 86_400_000;

/**
 * Books the courier for home parcels not yet booked, then asks where each parcel is. The courier is
 * called outside any transaction; each answer is written under the delivery's lock. A parcel signed
 * for completes its application (the new card active, the old one replaced); one the courier gave
 * up on sends its application back to the card centre, where the holder chooses again (redeliver.ts).
 * Each parcel on its own: one that fails (the courier down, a step its application refuses) is
 * logged and keeps the failure (`tracking_error`, shown in the console), and the others go on.
 */
export async function syncHomeDeliveries(ctx: AppContext, onlyDeliveryId?: string): Promise<number> {
  const failedSince = new Date(ctx.clock.now().getTime() - failedParcelTrackingDays * dayMs);
  const rows = onlyDeliveryId
    ? [await repo.findDelivery(ctx.db, onlyDeliveryId)].filter((d): d is DeliveryRow => d !== undefined && d.method === 'home')
    : await repo.homeDeliveriesToTrack(ctx.db, failedSince, trackingRoundSize);
  return syncEach(ctx, rows);
}

/** Syncs each parcel on its own, recording when it was tracked and how it failed. How many changed status. */
async function syncEach(ctx: AppContext, rows: readonly DeliveryRow[]): Promise<number> {
  let changed = 0;
  for (const row of rows) {
    try {
      if (await syncHomeDelivery(ctx, row)) changed++;
      await repo.markTracked(ctx.db, row.id, ctx.clock.now(), null);
    } catch (error) {
      ctx.logger.error({ err: error, deliveryId: row.id }, 'fulfilment: tracking a home parcel failed; tried again next round');
      await repo.markTracked(ctx.db, row.id, ctx.clock.now(), trackingErrorOf(error));
    }
  }
  return changed;
}

const trackingErrorOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** Books the parcel if it is not yet booked, then asks the courier where it is. Whether its status changed. */
async function syncHomeDelivery(ctx: AppContext, row: DeliveryRow): Promise<boolean> {
  const courier = courierOf(row.courier);
  let trackingNo = row.tracking_no;
  let booked = false;
  if (!trackingNo && deliveryAllows(row.method, row.status, 'book')) {
    trackingNo = await bookParcel(ctx, row, courier);
    booked = trackingNo !== null;
  }
  if (!trackingNo) return booked;
  const tracked = await courier.track(trackingNo, ctx.clock.now());
  const moved = await inTransaction(ctx.db, (tx) => applyTracking(tx, ctx.clock, row.id, courier.displayName, tracked, systemActor, null));
  return booked || moved;
}

/** The courier's booking of a home parcel (outside any transaction), written under the delivery's lock. The tracking number, or null without a complete address. */
async function bookParcel(ctx: AppContext, row: DeliveryRow, courier: CourierAdapter): Promise<string | null> {
  const app = row.application_id ? await repo.findApplication(ctx.db, row.application_id) : undefined;
  if (!app?.recipient || !app.phone || !app.address) return null;
  const { trackingNo } = await courier.createShipment({ reference: app.id, recipient: app.recipient, phone: app.phone, address: app.address, codMaxFen: homeDeliveryCodMaxFen }, ctx.clock.now());
  await inTransaction(ctx.db, async (tx) => {
    const locked = await repo.lockDelivery(tx, row.id);
    if (!locked || locked.tracking_no || !deliveryAllows(locked.method, locked.status, 'book')) return;
    await repo.updateDelivery(tx, row.id, { tracking_no: trackingNo, status: nextDeliveryStatus(locked.method, locked.status, 'book'), updated_at: ctx.clock.now() });
    await recordAudit(tx, ctx.clock, { actor: systemActor, action: 'fulfilment.delivery.booked', entityType: 'delivery', entityId: row.id, after: { courier: courier.name, trackingNo }, requestId: null });
  });
  return trackingNo;
}

/**
 * After a batch's dispatch has committed: books that batch's home parcels at once (and asks where
 * each is), so the holder sees a tracking number. Only the batch's parcels not yet booked: the
 * request waits for its own courier calls, never a whole tracking round (the job follows the rest),
 * and a replayed dispatch retries only the bookings that failed. Best effort: the request has
 * committed, so what fails here is logged and the tracking job books the parcel on its next round.
 */
export async function bookDispatchedParcels(ctx: AppContext, batchId: string): Promise<void> {
  try {
    await syncEach(ctx, await repo.unbookedHomeParcelsOfBatch(ctx.db, batchId));
  } catch (error) {
    ctx.logger.error({ err: error, batchId }, 'fulfilment: booking home parcels after the dispatch failed; the tracking job books them');
  }
}

/** What each status a parcel reaches does to its application: the event, and the step the holder is told. */
const applicationMoveOf: Partial<Record<DeliveryStatus, { event: ApplicationEvent; step: ApplicationStep }>> = {
  delivered: { event: 'deliver', step: 'delivered' },
  failed: { event: 'fail_delivery', step: 'delivery_failed' },
  returned: { event: 'return_to_centre', step: 'returned_to_centre' },
};

type Tracked = Awaited<ReturnType<CourierAdapter['track']>>;

/**
 * Writes the courier's answer (or an operator's word for it) under the delivery's lock, walking the
 * machine one event at a time (a parcel already back at the centre failed first), and moves the
 * parcel's application with each new status. Whether the status changed.
 */
async function applyTracking(tx: DbOrTx, clock: Clock, deliveryId: string, courierName: Label, tracked: Tracked, actor: AuditActor, requestId: string | null): Promise<boolean> {
  const locked = await repo.lockDelivery(tx, deliveryId);
  if (!locked) return false;
  let status = locked.status;
  const reached: DeliveryStatus[] = [];
  for (const event of trackingEvents(locked.status, tracked.status)) {
    if (!deliveryAllows(locked.method, status, event)) break;
    const next = nextDeliveryStatus(locked.method, status, event);
    if (next !== status) reached.push(next);
    status = next;
  }
  if (reached.length === 0 && !deliveryAllows(locked.method, locked.status, 'track')) return false;
  const now = clock.now();
  await repo.updateDelivery(tx, locked.id, { status, events: JSON.stringify(tracked.events), updated_at: now, ...(status === 'delivered' ? { delivered_at: now } : {}) });
  let before = locked.status;
  for (const next of reached) {
    await recordAudit(tx, clock, { actor, action: `fulfilment.delivery.${next}`, entityType: 'delivery', entityId: locked.id, before: { status: before }, after: { status: next }, requestId });
    before = next;
    const move = applicationMoveOf[next];
    if (!move) continue;
    const note = courierNote(courierName, locked.tracking_no, next === 'delivered' ? undefined : tracked.events.at(-1)?.description);
    for (const app of await repo.applicationsOfDelivery(tx, locked.id)) {
      if (!applicationAllows(app.kind, app.status, move.event)) continue;
      const moved = { ...app, status: nextApplicationStatus(app.kind, app.status, move.event), updated_at: now };
      await repo.updateApplication(tx, app.id, { status: moved.status, updated_at: now });
      await recordStep(tx, clock, app, move.step, actor, requestId, note);
      // Signed for at home: in the holder's hands, so complete at once.
      if (move.event === 'deliver') await completeApplication(tx, clock, moved, actor, requestId);
    }
  }
  return reached.length > 0;
}

/** Where the courier's `returned` would bring the parcel, or the machine's refusal (FULFILMENT_DELIVERY_STATUS). */
const statusAfterReturn = (row: DeliveryRow): DeliveryStatus =>
  trackingEvents(row.status, 'returned').reduce<DeliveryStatus>((status, event) => nextDeliveryStatus(row.method, status, event), row.status);

/**
 * 退件已签收 (operators): the card centre has the parcel back although the courier never said so
 * (lost in its system, or a tracking number it no longer knows, answering `failed` for ever). Moves
 * the parcel and its application on as the courier's `returned` would: a parcel still on its way
 * fails first. One already back is answered as it is, so a retry changes nothing; a school parcel,
 * one never booked, or one delivered is refused (FULFILMENT_DELIVERY_STATUS).
 */
export async function markParcelReturned(ctx: AppContext, caller: Caller, deliveryId: string, requestId: string): Promise<DeliveryDto> {
  const row = await repo.lockDelivery(ctx.db, deliveryId);
  if (!row) throw fail('FULFILMENT_DELIVERY_NOT_FOUND', { deliveryId });
  if (row.status !== 'returned') {
    statusAfterReturn(row); // the machine's refusal, before anything is written
    const events = [...row.events, { at: ctx.clock.now().toISOString(), description: { zh: '退件已由制卡中心签收（运营人员确认）', en: 'Back at the card centre (confirmed by an operator)' } }];
    await applyTracking(ctx.db, ctx.clock, row.id, courierDisplayName(row.courier) ?? { zh: '', en: '' }, { status: 'returned', events }, actorOf(caller), requestId);
    await repo.updateDelivery(ctx.db, row.id, { tracking_error: null });
  }
  return deliveryView(ctx, (await repo.findDelivery(ctx.db, deliveryId)) ?? row);
}

/** The school card manager confirms the school's parcel arrived: its cards are ready for pickup. */
export async function confirmSchoolReceipt(ctx: AppContext, caller: Caller, deliveryId: string, requestId: string): Promise<DeliveryDto> {
  const delivery = await repo.lockDelivery(ctx.db, deliveryId);
  if (!delivery) throw fail('FULFILMENT_DELIVERY_NOT_FOUND', { deliveryId });
  assertSchoolAccess(caller, delivery.school_id);
  const status = nextDeliveryStatus(delivery.method, delivery.status, 'receive');
  const now = ctx.clock.now();
  const events = [...delivery.events, { at: now.toISOString(), description: { zh: '学校已签收', en: 'Received by the school' } }];
  await repo.updateDelivery(ctx.db, delivery.id, { status, delivered_at: now, events: JSON.stringify(events), updated_at: now });
  for (const app of await repo.applicationsOfDelivery(ctx.db, delivery.id)) {
    if (!applicationAllows(app.kind, app.status, 'deliver')) continue;
    await repo.updateApplication(ctx.db, app.id, { status: nextApplicationStatus(app.kind, app.status, 'deliver'), updated_at: now });
    await recordStep(ctx.db, ctx.clock, app, 'delivered', actorOf(caller), requestId, { zh: '已送达学校，请到卡管员处领取', en: 'At the school: collect it from the school card manager' });
  }
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.delivery.delivered', entityType: 'delivery', entityId: delivery.id, before: { status: delivery.status }, after: { status }, requestId });
  return deliveryView(ctx, { ...delivery, status, delivered_at: now, events, updated_at: now });
}

export async function deliveryView(ctx: AppContext, row: DeliveryRow, count?: number): Promise<DeliveryDto> {
  const found = row.application_id ? await repo.findApplication(ctx.db, row.application_id) : undefined;
  // The application holds the contact of its current parcel only: a returned parcel shows none once the card went out again.
  const app = found?.delivery_id === row.id ? found : undefined;
  // A home parcel carries its one application, even once a returned parcel's card went out again in another.
  const applicationCount = row.method === 'home' ? 1 : count ?? (await repo.applicationCountOfDeliveries(ctx.db, [row.id])).get(row.id) ?? 0;
  return {
    id: row.id,
    batchId: row.batch_id,
    method: row.method,
    schoolId: row.school_id,
    schoolName: (await repo.schoolName(ctx.db, row.school_id)) ?? '',
    applicationId: row.application_id,
    applicationCount,
    recipientMasked: app?.recipient ? maskName(app.recipient) : null,
    phoneMasked: app?.phone ? maskPhone(app.phone) : null,
    courier: row.courier,
    courierName: courierDisplayName(row.courier),
    trackingNo: row.tracking_no,
    status: row.status,
    statusLabel: deliveryStatusLabels[row.status],
    events: row.events,
    createdAt: row.created_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    trackedAt: row.tracked_at?.toISOString() ?? null,
    trackingError: row.tracking_error,
  };
}

export async function listDeliveries(ctx: AppContext, caller: Caller, filter: { status?: DeliveryRow['status'] | undefined; method?: DeliveryRow['method'] | undefined; schoolId?: string | undefined; batchId?: string | undefined }, page: PageQuery) {
  const { rows, total } = await repo.deliveryPage(ctx.db, { ...filter, schoolId: consoleListScope(caller, filter.schoolId) }, offsetOf(page), page.pageSize);
  const counts = await repo.applicationCountOfDeliveries(ctx.db, rows.map((r) => r.id));
  const items = [];
  for (const row of rows) items.push(await deliveryView(ctx, row, counts.get(row.id) ?? 0));
  return { items, total, page: page.page, pageSize: page.pageSize };
}

export async function refreshDelivery(ctx: AppContext, caller: Caller, deliveryId: string): Promise<DeliveryDto> {
  const row = await repo.findDelivery(ctx.db, deliveryId);
  if (!row) throw fail('FULFILMENT_DELIVERY_NOT_FOUND', { deliveryId });
  assertSchoolAccess(caller, row.school_id);
  await syncHomeDeliveries(ctx, row.id);
  const fresh = await repo.findDelivery(ctx.db, deliveryId);
  return deliveryView(ctx, fresh ?? row);
}
