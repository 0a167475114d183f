import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0066: parcel tracking texts stored as one 'zh / en' string become { zh, en }, and the
 * progress notes the server wrote in Chinese get their English (a courier note names the courier
 * as families read it), so a parcel sent before the deploy reads in the reader's language too.
 */

const migration = '0066-fulfilment-texts-bilingual';
const ids = { school: newId(), batch: newId(), student: newId(), card: newId(), app: newId(), parcel: newId(), schoolParcel: newId() };
const steps = { dispatched: newId(), failed: newId(), delivered: newId(), batchNo: newId(), voided: newId() };
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await createTestDatabaseBefore(migration);
  const db = handle.db;
  await sql`insert into schools (id, code, name, stage) values (${ids.school}::uuid, 'M0066', '北京市海淀区实验中学', 'middle')`.execute(db);
  await sql`insert into production_batches (id, batch_no, kind, status, created_at, dispatched_at) values (${ids.batch}::uuid, 'B0066', 'replacement', 'dispatched', now(), now())`.execute(db);
  await sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, password_hash)
    values (${ids.student}::uuid, '20660001', '张小明', 'M', '2012-03-04', '110108201203040011', ${ids.school}::uuid, 'middle', 'x')`.execute(db);
  await sql`insert into cards (id, card_no, product, student_id, school_id, medium, stage, status, status_changed_at, created_at, updated_at)
    values (${ids.card}::uuid, '3200006601', 'k12_card', ${ids.student}::uuid, ${ids.school}::uuid, 'physical', 'middle', 'lost', now(), now(), now())`.execute(db);
  await sql`insert into card_applications (id, kind, student_id, school_id, old_card_id, status, delivery_method, recipient, phone, address, fee_fen, batch_id, new_card_no, delivery_id, created_by_role, created_at, updated_at)
    values (${ids.app}::uuid, 'replacement', ${ids.student}::uuid, ${ids.school}::uuid, ${ids.card}::uuid, 'delivery_failed', 'home', '张大明', '13900000000', '北京市朝阳区建国路88号', 1500, ${ids.batch}::uuid, '3200006699', ${ids.parcel}::uuid, 'parent', now(), now())`.execute(db);
  const homeEvents = JSON.stringify([
    { at: '2026-11-23T02:00:00.000Z', description: '快递员已揽收 / picked up by the courier' },
    { at: '2026-11-24T02:00:00.000Z', description: '派送失败：联系不上收件人，未收取快递费，退回寄件人 / not delivered: recipient unreachable, no fee collected; returning to the sender' },
  ]);
  await sql`insert into deliveries (id, batch_id, method, school_id, application_id, courier, tracking_no, status, events, created_at, updated_at)
    values (${ids.parcel}::uuid, ${ids.batch}::uuid, 'home', ${ids.school}::uuid, ${ids.app}::uuid, 'sandbox', 'SBX17960000000000001', 'failed', ${homeEvents}::jsonb, now(), now())`.execute(db);
  const schoolEvents = JSON.stringify([{ at: '2026-11-23T02:00:00.000Z', description: '已发往学校 / sent to the school' }, { at: '2026-11-23T05:00:00.000Z', description: '没有英文的说明' }]);
  await sql`insert into deliveries (id, batch_id, method, school_id, application_id, courier, tracking_no, status, events, created_at, updated_at)
    values (${ids.schoolParcel}::uuid, ${ids.batch}::uuid, 'school', ${ids.school}::uuid, null, null, null, 'in_transit', ${schoolEvents}::jsonb, now(), now())`.execute(db);
  const step = (id: string, name: string, note: string) =>
    sql`insert into card_application_steps (id, application_id, step, note, actor_role, actor_id, at) values (${id}::uuid, ${ids.app}::uuid, ${name}, ${note}, 'system', null, now())`.execute(db);
  await step(steps.batchNo, 'produced', 'B0066');
  await step(steps.dispatched, 'dispatched', '配送到家');
  await step(steps.failed, 'delivery_failed', 'sandbox SBX17960000000000001：派送失败：联系不上收件人，未收取快递费，退回寄件人 / not delivered: recipient unreachable, no fee collected; returning to the sender');
  await step(steps.delivered, 'delivered', 'sandbox SB17960000000000002');
  await step(steps.voided, 'voided', '学生已转学至转入中学');
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle?.close());

describe('migration 0066: tracking texts and step notes in both languages', () => {
  it('splits each stored tracking text into zh and en (capitalised), and keeps a text without English in both', async () => {
    const rows = await handle.db.selectFrom('deliveries').select(['id', 'events']).where('id', 'in', [ids.parcel, ids.schoolParcel]).execute();
    const eventsOf = (id: string) => rows.find((r) => r.id === id)!.events;
    expect(eventsOf(ids.parcel)).toEqual([
      { at: '2026-11-23T02:00:00.000Z', description: { zh: '快递员已揽收', en: 'Picked up by the courier' } },
      { at: '2026-11-24T02:00:00.000Z', description: { zh: '派送失败：联系不上收件人，未收取快递费，退回寄件人', en: 'Not delivered: recipient unreachable, no fee collected; returning to the sender' } },
    ]);
    expect(eventsOf(ids.schoolParcel)).toEqual([
      { at: '2026-11-23T02:00:00.000Z', description: { zh: '已发往学校', en: 'Sent to the school' } },
      { at: '2026-11-23T05:00:00.000Z', description: { zh: '没有英文的说明', en: '没有英文的说明' } },
    ]);
  });

  it('gives the server’s notes their English and names the courier; a batch number or staff’s own words stay one text', async () => {
    const rows = await handle.db.selectFrom('card_application_steps').select(['id', 'note', 'note_en']).where('application_id', '=', ids.app).execute();
    const noteOf = (id: string) => { const row = rows.find((r) => r.id === id)!; return [row.note, row.note_en]; };
    expect(noteOf(steps.dispatched)).toEqual(['配送到家', 'Sent home by courier']);
    expect(noteOf(steps.failed)).toEqual([
      '模拟快递 SBX17960000000000001：派送失败：联系不上收件人，未收取快递费，退回寄件人',
      'Sandbox courier SBX17960000000000001: Not delivered: recipient unreachable, no fee collected; returning to the sender',
    ]);
    expect(noteOf(steps.delivered)).toEqual(['模拟快递 SB17960000000000002', 'Sandbox courier SB17960000000000002']);
    expect(noteOf(steps.batchNo)).toEqual(['B0066', null]);
    expect(noteOf(steps.voided)).toEqual(['学生已转学至转入中学', null]);
  });
});
