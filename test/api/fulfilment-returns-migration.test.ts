import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncHomeDeliveries } from '../../src/modules/fulfilment/deliveries.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { AppContext } from '../../src/platform/context.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0015 lets a failed home parcel come back to the card centre. Before it, a parcel the
 * courier gave up on was `failed` while its application stayed `dispatched`; tracking now takes
 * the parcel on to `returned`, which moves only a `delivery_failed` application. The migration
 * moves such applications on, so they are not stuck in `dispatched` for ever.
 */

const returnsMigration = '0015-fulfilment-returns';
const hour = 3_600_000;
/** The sandbox courier's story follows the booking time in the tracking number; booked 50 hours before `now`, an unreachable parcel is back. */
const now = new Date('2026-11-25T02:00:00Z');
const bookedAt = now.getTime() - 50 * hour;
let handle: DatabaseHandle;
const ids = { school: newId(), batch: newId(), failedApp: newId(), failedParcel: newId(), movingApp: newId(), movingParcel: newId() };

/** A student with a lost card, a replacement dispatched home in a batch, and its parcel in `parcelStatus`. */
async function dispatchedApplication(appId: string, parcelId: string, parcelStatus: 'in_transit' | 'failed', n: number) {
  const studentId = newId();
  const cardId = newId();
  const db = handle.db;
  await sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, password_hash)
    values (${studentId}::uuid, ${`2015000${n}`}, '张小明', 'M', '2012-03-04', ${`11010820120304001${n}`}, ${ids.school}::uuid, 'middle', 'x')`.execute(db);
  await sql`insert into cards (id, card_no, product, student_id, school_id, medium, stage, status, status_changed_at, created_at, updated_at)
    values (${cardId}::uuid, ${`3200000001${n}`}, 'k12_card', ${studentId}::uuid, ${ids.school}::uuid, 'physical', 'middle', 'lost', now(), now(), now())`.execute(db);
  await sql`insert into card_applications (id, kind, student_id, school_id, old_card_id, status, delivery_method, recipient, phone, address, fee_fen, batch_id, new_card_no, delivery_id, created_by_role, created_at, updated_at)
    values (${appId}::uuid, 'replacement', ${studentId}::uuid, ${ids.school}::uuid, ${cardId}::uuid, 'dispatched', 'home', '张大明', '13900000000', '北京市朝阳区建国路88号', 1500, ${ids.batch}::uuid, ${`3200000009${n}`}, ${parcelId}::uuid, 'parent', now(), now())`.execute(db);
  const events = JSON.stringify([{ at: new Date(bookedAt).toISOString(), description: '快递员已揽收 / picked up by the courier' }]);
  await sql`insert into deliveries (id, batch_id, method, school_id, application_id, courier, tracking_no, status, events, created_at, updated_at)
    values (${parcelId}::uuid, ${ids.batch}::uuid, 'home', ${ids.school}::uuid, ${appId}::uuid, 'sandbox', ${`SBX${bookedAt}000${n}`}, ${parcelStatus}, ${events}::jsonb, ${new Date(bookedAt)}, ${new Date(bookedAt + 25 * hour)})`.execute(db);
}

beforeAll(async () => {
  handle = await createTestDatabaseBefore(returnsMigration);
  await sql`insert into schools (id, code, name, stage) values (${ids.school}::uuid, 'M0015', '北京市海淀区实验中学', 'middle')`.execute(handle.db);
  await sql`insert into production_batches (id, batch_no, kind, status, created_at, dispatched_at) values (${ids.batch}::uuid, 'B0015', 'replacement', 'dispatched', now(), now())`.execute(handle.db);
  // Failed before the deploy: the application was left dispatched.
  await dispatchedApplication(ids.failedApp, ids.failedParcel, 'failed', 1);
  // Still on its way: nothing to move.
  await dispatchedApplication(ids.movingApp, ids.movingParcel, 'in_transit', 2);
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle?.close());

const statusOf = async (id: string) => (await handle.db.selectFrom('card_applications').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('migration 0015: applications of parcels that failed before it', () => {
  it('become delivery_failed, with the step in their timeline; an application whose parcel is still on its way stays dispatched', async () => {
    expect(await statusOf(ids.failedApp)).toBe('delivery_failed');
    expect(await statusOf(ids.movingApp)).toBe('dispatched');
    const steps = await handle.db.selectFrom('card_application_steps').select(['application_id', 'step', 'at']).where('application_id', 'in', [ids.failedApp, ids.movingApp]).execute();
    expect(steps).toEqual([{ application_id: ids.failedApp, step: 'delivery_failed', at: new Date(bookedAt + 25 * hour) }]);
    const audit = await handle.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', ids.failedApp).execute();
    expect(audit).toEqual([{ action: 'fulfilment.application.delivery_failed', actor_role: 'system' }]);
  });

  it('lets tracking bring the parcel back to the card centre, and its application with it', async () => {
    const clock = new ManualClock();
    clock.set(now.toISOString());
    // Tracking needs the database, the clock and the logger of a context, nothing else.
    const ctx = { db: handle.db, clock, logger: pino({ level: 'silent' }) } as unknown as AppContext;
    await syncHomeDeliveries(ctx, ids.failedParcel);
    const parcel = await handle.db.selectFrom('deliveries').select('status').where('id', '=', ids.failedParcel).executeTakeFirstOrThrow();
    expect(parcel.status).toBe('returned');
    expect(await statusOf(ids.failedApp)).toBe('returned_to_centre');
  });
});
