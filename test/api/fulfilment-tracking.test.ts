import { afterEach, describe, expect, it, vi } from 'vitest';
import { sandboxCourier } from '../../src/modules/fulfilment/courier.js';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { newId } from '../../src/platform/ids.js';
import { fulfilmentSuiteStart, useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * Courier tracking of home parcels: every parcel gets its turn even when some never come back, an
 * operator can say a parcel is back at the card centre when the courier never does, and a courier
 * that fails after a redelivery has committed does not fail the request (the tracking job books the
 * parcel later).
 */
const f = useFulfilmentDriver({ operator: false });
const start = Date.parse(fulfilmentSuiteStart);
const hourMs = 3_600_000;
const hours = (h: number) => new Date(start + h * hourMs).toISOString();

afterEach(() => {
  vi.restoreAllMocks();
});

const unreachable = { method: 'home', recipient: '张大明', phone: '13900000000', address: '北京市朝阳区建国路88号' };
const reachable = { method: 'home', recipient: '李四', phone: '13911112222', address: '北京市海淀区中关村大街1号' };

/** A paid, confirmed replacement sent home (`delivery`), ready for a batch. */
async function readyHome(delivery: Record<string, string> = unreachable) {
  const fam = await f.family();
  await f.reportLoss(fam.parentToken, fam.card.id);
  const app = await f.apply(fam.parentToken, fam.student, fam.card.id, { delivery });
  await f.pay(fam.parentToken, app.id);
  await f.confirmInfo(fam.parentToken, fam.student.id);
  return { ...fam, app };
}

/** A batch of the ready applications, exported, produced and dispatched (the courier booked after the commit). */
async function dispatchReady(): Promise<BatchDto> {
  const op = await f.operatorToken(); // a session of the test's current time
  const created = await f.request('POST', '/admin/fulfilment/batches', op, { kind: 'replacement' });
  expect(created.statusCode, created.body).toBe(201);
  const batch = created.json() as BatchDto;
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, op);
    expect(res.statusCode, res.body).toBe(200);
  }
  return batch;
}

/** A paid, confirmed replacement sent home (`delivery`), its batch dispatched. */
async function dispatchedHome(delivery: Record<string, string> = unreachable) {
  const ready = await readyHome(delivery);
  return { ...ready, batch: await dispatchReady() };
}

/** Each poll in a 10-minute slot of its own: the recurring tracking job runs once per slot, and the clock goes back between tests. */
let polls = 0;
async function trackAt(h: number) {
  polls++;
  f.t.clock.set(new Date(start + h * hourMs + polls * 10 * 60_000).toISOString());
  await f.t.ctx.jobs.runDue(100); // the recurring tracking job
  await f.runJobs(); // and the SMS it queued
}

async function parcelsOf(batchId: string): Promise<DeliveryDto[]> {
  return ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batchId}`, await f.operatorToken())).json() as { items: DeliveryDto[] }).items;
}

const parentNow = (fam: { parent: { phone: string; password: string } }) => f.t.factory.loginAs('parent', fam.parent.phone, fam.parent.password);
const applicationOf = async (fam: { parent: { phone: string; password: string } }, id: string) => f.application(await parentNow(fam), id);
const markReturned = async (deliveryId: string, token?: string, headers: Record<string, string> = {}) =>
  f.request('POST', `/admin/fulfilment/deliveries/${deliveryId}/returned`, token ?? (await f.operatorToken()), undefined, headers);

describe('the tracking queue', () => {
  it('tracks a new parcel although more parcels than one round takes never come back, and leaves those failed for a month to an operator', async () => {
    // 200 parcels the courier lost, older than any other: their tracking numbers are unknown, so
    // the courier answers `failed` for ever and they never reach `returned` on their own.
    const school = await f.t.factory.newSchool();
    const batchId = newId();
    await f.t.ctx.db.insertInto('production_batches').values({ id: batchId, batch_no: `LOST-${batchId}`, kind: 'replacement', status: 'dispatched', created_at: hours(-240), dispatched_at: hours(-240) }).execute();
    const lost = Array.from({ length: 200 }, (_, i) => ({
      id: newId(), batch_id: batchId, method: 'home' as const, school_id: school.id, application_id: null, courier: 'sandbox', tracking_no: `LOST-${batchId}-${i}`,
      status: 'failed' as const, events: '[]', created_at: hours(-240), updated_at: hours(-120), delivered_at: null,
    }));
    await f.t.ctx.db.insertInto('deliveries').values(lost).execute();

    const a = await dispatchedHome(reachable);
    await trackAt(1);
    const [parcel] = await parcelsOf(a.batch.id);
    expect(parcel).toMatchObject({ status: 'in_transit' });
    expect(parcel!.trackingNo).toMatch(/^SB\d{17}$/);
    // Signed for a day after booking: seen within two rounds, the lost ones asked about in between.
    await trackAt(26);
    await trackAt(27);
    expect((await applicationOf(a, a.app.id)).status).toBe('completed');
    const asked = await f.t.ctx.db.selectFrom('deliveries').select(['tracked_at', 'status']).where('batch_id', '=', batchId).execute();
    expect(asked.every((d) => d.tracked_at !== null && d.status === 'failed')).toBe(true);

    // A month after they failed, the lost parcels are no longer asked about; the console still lists them, failed.
    f.t.clock.set(hours(24 * 31));
    const before = f.t.clock.now();
    await trackAt(24 * 31);
    const askedSince = await f.t.ctx.db.selectFrom('deliveries').select('id').where('batch_id', '=', batchId).where('tracked_at', '>=', before).execute();
    expect(askedSince).toEqual([]);
    const listed = (await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batchId}&pageSize=5`, await f.operatorToken())).json() as { items: DeliveryDto[]; total: number };
    expect(listed.total).toBe(200);
    expect(listed.items[0]).toMatchObject({ status: 'failed', trackingError: null });
    expect(listed.items[0]!.trackedAt).not.toBeNull();

    // An operator takes one of them out of the queue for good (they have no application to move).
    const back = await markReturned(lost[0]!.id);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ status: 'returned' });
    await f.t.ctx.db.updateTable('deliveries').set({ status: 'returned' }).where('batch_id', '=', batchId).execute(); // the rest, so later tests run without them
  });
});

describe('dispatching a batch', () => {
  it('books and tracks only that batch\'s home parcels; the tracking job follows the others', async () => {
    // Two earlier batches' parcels: one the courier could not book at its dispatch, one on its way.
    const booking = vi.spyOn(sandboxCourier, 'createShipment').mockRejectedValueOnce(new Error('sandbox courier: service unavailable'));
    const unbooked = await dispatchedHome(reachable);
    const onItsWay = await dispatchedHome(reachable);
    const [waiting] = await parcelsOf(unbooked.batch.id);
    const [moving] = await parcelsOf(onItsWay.batch.id);
    expect(waiting).toMatchObject({ status: 'created', trackingNo: null, trackingError: 'sandbox courier: service unavailable' }); // the dispatch answered all the same
    expect(moving).toMatchObject({ status: 'in_transit' });

    const latest = await readyHome(reachable); // paying runs the job queue: done before the spies count

    booking.mockClear();
    const tracking = vi.spyOn(sandboxCourier, 'track');
    f.t.clock.set(hours(1));
    const batch = await dispatchReady();
    const [own] = await parcelsOf(batch.id);
    expect(own).toMatchObject({ status: 'in_transit', trackingError: null });
    expect(booking.mock.calls.map(([parcel]) => parcel.reference)).toEqual([latest.app.id]);
    expect(tracking.mock.calls.map(([trackingNo]) => trackingNo)).toEqual([own!.trackingNo]);
    // The other batches' parcels untouched: not booked, not asked about.
    expect((await parcelsOf(unbooked.batch.id))[0]).toMatchObject({ status: 'created', trackingNo: null, trackedAt: waiting!.trackedAt });
    expect((await parcelsOf(onItsWay.batch.id))[0]).toMatchObject({ trackingNo: moving!.trackingNo, trackedAt: moving!.trackedAt });

    // The tracking job's next round books the one left waiting.
    await trackAt(2);
    expect(booking.mock.calls.map(([parcel]) => parcel.reference)).toContain(unbooked.app.id);
    expect((await parcelsOf(unbooked.batch.id))[0]).toMatchObject({ status: 'in_transit', trackingError: null });
  });
});

describe('an operator marks a parcel back at the card centre (退件已签收)', () => {
  it('a failed parcel the courier never reports back: parcel returned, application returned_to_centre, audited; a retry changes nothing', async () => {
    const a = await dispatchedHome();
    await trackAt(25);
    expect((await applicationOf(a, a.app.id)).status).toBe('delivery_failed');
    const [parcel] = await parcelsOf(a.batch.id);
    expect(parcel).toMatchObject({ status: 'failed' });

    // Operators only.
    const manager = await f.t.factory.loginAs('staff', a.manager.username, a.manager.password);
    const refused = await markReturned(parcel!.id, manager);
    expect(refused.statusCode).toBe(403);

    const op = await f.operatorToken();
    const res = await markReturned(parcel!.id, op, { 'idempotency-key': `returned-${parcel!.id}` });
    expect(res.statusCode, res.body).toBe(200);
    const returned = res.json() as DeliveryDto;
    expect(returned).toMatchObject({ id: parcel!.id, status: 'returned', statusLabel: { zh: expect.any(String) } });
    expect(returned.events.at(-1)!.description).toEqual({ zh: '退件已由制卡中心签收（运营人员确认）', en: 'Back at the card centre (confirmed by an operator)' });
    const app = await applicationOf(a, a.app.id);
    expect(app).toMatchObject({ status: 'returned_to_centre', delivery: { trackingStatus: 'returned' } });
    expect(app.steps.map((s) => s.step).slice(-2)).toEqual(['delivery_failed', 'returned_to_centre']);
    const audit = await f.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', parcel!.id).where('action', '=', 'fulfilment.delivery.returned').execute();
    expect(audit).toEqual([{ action: 'fulfilment.delivery.returned', actor_role: 'operator' }]);

    // Replayed with its key, or sent again without one: the same answer, nothing moves twice.
    const replay = await markReturned(parcel!.id, op, { 'idempotency-key': `returned-${parcel!.id}` });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const again = await markReturned(parcel!.id, op);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: 'returned' });
    expect((await applicationOf(a, a.app.id)).steps.filter((s) => s.step === 'returned_to_centre')).toHaveLength(1);
    // The courier saying so later changes nothing either.
    await trackAt(49);
    expect((await applicationOf(a, a.app.id)).steps.filter((s) => s.step === 'returned_to_centre')).toHaveLength(1);
  });

  it('a parcel lost on its way fails first, then comes back; the holder has it sent to the school', async () => {
    const a = await dispatchedHome(reachable);
    const [parcel] = await parcelsOf(a.batch.id);
    expect(parcel).toMatchObject({ status: 'in_transit' });
    const res = await markReturned(parcel!.id);
    expect(res.statusCode, res.body).toBe(200);
    const app = await applicationOf(a, a.app.id);
    expect(app.status).toBe('returned_to_centre');
    expect(app.steps.map((s) => s.step).slice(-3)).toEqual(['dispatched', 'delivery_failed', 'returned_to_centre']);
    const toSchool = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, await parentNow(a), { method: 'school' });
    expect(toSchool.statusCode, toSchool.body).toBe(200);
    expect(toSchool.json()).toMatchObject({ status: 'dispatched', delivery: { method: 'school' } });
  });

  it('refuses a parcel signed for, a school parcel, and an unknown one', async () => {
    const a = await dispatchedHome(reachable);
    await trackAt(25);
    const [delivered] = await parcelsOf(a.batch.id);
    expect(delivered).toMatchObject({ status: 'delivered' });
    const res = await markReturned(delivered!.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_DELIVERY_STATUS', details: { status: 'delivered' } } });
    expect((await applicationOf(a, a.app.id)).status).toBe('completed');

    const s = await dispatchedHome({ method: 'school' });
    const [schoolParcel] = await parcelsOf(s.batch.id);
    expect((await markReturned(schoolParcel!.id)).json()).toMatchObject({ error: { code: 'FULFILMENT_DELIVERY_STATUS' } });
    expect((await markReturned(newId())).statusCode).toBe(404);
  });

  it('is documented in OpenAPI', async () => {
    const doc = (await f.t.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/admin/fulfilment/deliveries/{deliveryId}/returned');
  });
});

describe('a courier that fails after the redelivery committed', () => {
  it('answers the committed redelivery; the tracking job books the parcel on its next round and it is delivered', async () => {
    const a = await dispatchedHome();
    await trackAt(49);
    expect((await applicationOf(a, a.app.id)).status).toBe('returned_to_centre');

    const booking = vi.spyOn(sandboxCourier, 'createShipment').mockRejectedValueOnce(new Error('sandbox courier: service unavailable'));
    const res = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, await parentNow(a), reachable);
    expect(res.statusCode, res.body).toBe(200);
    expect(booking).toHaveBeenCalledTimes(1);
    expect(res.json()).toMatchObject({ status: 'dispatched', delivery: { method: 'home', trackingNo: null } } satisfies Partial<Record<keyof ApplicationDto, unknown>>);
    const waiting = (await parcelsOf(a.batch.id)).find((p) => p.status !== 'returned')!;
    expect(waiting).toMatchObject({ status: 'created', trackingNo: null, trackingError: 'sandbox courier: service unavailable' });

    await trackAt(50);
    expect(booking).toHaveBeenCalledTimes(2);
    const booked = (await parcelsOf(a.batch.id)).find((p) => p.id === waiting.id)!;
    expect(booked).toMatchObject({ status: 'in_transit', trackingError: null });
    expect(booked.trackingNo).toMatch(/^SB\d{17}$/);
    await trackAt(75);
    expect((await applicationOf(a, a.app.id)).status).toBe('completed');
  });
});
