import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0068: a middle or high school first card already in a batch and not yet handed over gets
 * its sticker's number (new_sticker_no), so its pickup issues the sticker under a number reserved
 * for it; a primary pupil's, or a cancelled one, gets none.
 */

const migration = '0068-first-card-sticker-no';
const ids = { middle: newId(), primary: newId(), batch: newId(), middleApp: newId(), primaryApp: newId(), cancelledApp: newId(), middleStudent: newId(), primaryStudent: newId(), leftStudent: newId() };
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await createTestDatabaseBefore(migration);
  const db = handle.db;
  await sql`insert into schools (id, code, name, stage) values (${ids.middle}::uuid, 'M0068', '初中', 'middle'), (${ids.primary}::uuid, 'P0068', '小学', 'primary')`.execute(db);
  await sql`insert into production_batches (id, batch_no, kind, status, created_at) values (${ids.batch}::uuid, 'B0068', 'new_card', 'exported', now())`.execute(db);
  const student = (id: string, educationId: string, schoolId: string, stage: string) => sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, password_hash)
    values (${id}::uuid, ${educationId}, '新生', 'M', '2012-03-04', ${`1101082012030400${educationId.slice(-2)}`}, ${schoolId}::uuid, ${stage}, 'x')`.execute(db);
  await student(ids.middleStudent, '20680001', ids.middle, 'middle');
  await student(ids.primaryStudent, '20680002', ids.primary, 'primary');
  await student(ids.leftStudent, '20680003', ids.middle, 'middle');
  const app = (id: string, studentId: string, schoolId: string, status: string, cardNo: string) => sql`insert into card_applications (id, kind, reason, student_id, school_id, old_card_id, status, delivery_method, fee_fen, batch_id, new_card_no, created_by_role, created_at, updated_at)
    values (${id}::uuid, 'new_card', 'new', ${studentId}::uuid, ${schoolId}::uuid, null, ${status}, 'school', 0, ${ids.batch}::uuid, ${cardNo}, 'system', now(), now())`.execute(db);
  await app(ids.middleApp, ids.middleStudent, ids.middle, 'in_production', '32000068011');
  await app(ids.primaryApp, ids.primaryStudent, ids.primary, 'in_production', '32000068029');
  await app(ids.cancelledApp, ids.leftStudent, ids.middle, 'cancelled', '32000068037');
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle?.close());

describe('migration 0068: the sticker number of a first card already in a batch', () => {
  it('reserves one for a middle-school first card on its way, none for a primary pupil or a cancelled one', async () => {
    const rows = await handle.db.selectFrom('card_applications').select(['id', 'new_card_no', 'new_sticker_no']).execute();
    const stickerOf = (id: string) => rows.find((r) => r.id === id)!.new_sticker_no;
    expect(stickerOf(ids.middleApp)).toMatch(/^32\d{9}$/);
    expect(rows.map((r) => r.new_card_no)).not.toContain(stickerOf(ids.middleApp));
    expect([stickerOf(ids.primaryApp), stickerOf(ids.cancelledApp)]).toEqual([null, null]);
  });
});
