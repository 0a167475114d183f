import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/** Migration 0037 keys 余额提醒 to the binding: an alert whose binding had ended goes; a bound one stays, and now ends with its binding. */

let handle: DatabaseHandle;
const school = newId();
const [bound, unbound] = [newId(), newId()];
const student = newId();

beforeAll(async () => {
  handle = await createTestDatabaseBefore('0037-balance-alerts-binding');
  const { db } = handle;
  await sql`insert into schools (id, code, name, stage) values (${school}, 'M37', '迁移测试学校', 'primary')`.execute(db);
  await sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, updated_at)
            values (${student}, '37000001', '迁移测试生', 'F', '2015-01-01', '110108201501010023', ${school}, 'primary', now())`.execute(db);
  for (const [id, phone] of [[bound, '13900000371'], [unbound, '13900000372']] as const) {
    await sql`insert into parents (id, phone, password_hash) values (${id}, ${phone}, 'x')`.execute(db);
    await sql`insert into balance_alerts (parent_id, student_id, threshold_fen, updated_at) values (${id}, ${student}, 1000, now())`.execute(db);
  }
  await sql`insert into parent_students (parent_id, student_id, bound_at) values (${bound}, ${student}, now())`.execute(db);
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0037', () => {
  it('removes the alert left behind by an ended binding and keys the rest to theirs', async () => {
    const alerts = async () => (await sql<{ parent_id: string }>`select parent_id from balance_alerts where student_id = ${student}`.execute(handle.db)).rows.map((r) => r.parent_id);
    expect(await alerts()).toEqual([bound]);
    await sql`delete from parent_students where parent_id = ${bound} and student_id = ${student}`.execute(handle.db);
    expect(await alerts()).toEqual([]);
  });
});
