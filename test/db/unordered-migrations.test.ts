import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrations, type DatabaseHandle } from '../../src/platform/db/database.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Work done in parallel lands out of number order: a database that already ran later migrations
 * must still take an earlier-numbered one that arrives after them (0054 landed after 0055 had run).
 */

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabaseBefore('0002-identity');
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle.close());

describe('migrations that land out of order', () => {
  it('a database at the latest migration takes one numbered before it that arrives later, and only it', async () => {
    const lateArrival = {
      up: async (db: Kysely<unknown>) => {
        await sql`create table late_arrival (id int primary key)`.execute(db);
      },
    };
    expect(await migrateToLatest(handle.db, { ...migrations, '0001a-late-arrival': lateArrival })).toEqual(['0001a-late-arrival']);
    expect((await sql<{ n: number }>`select count(*)::int as n from late_arrival`.execute(handle.db)).rows).toEqual([{ n: 0 }]);
    expect(await migrateToLatest(handle.db, { ...migrations, '0001a-late-arrival': lateArrival })).toEqual([]);
  });
});
