import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrations, type DatabaseHandle } from '../../src/platform/db/database.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Work done in parallel lands out of number order: a database that already ran a later migration
 * must still take an earlier one that arrives after it (0054 landed after 0055 had run).
 */

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabaseBefore('0002-identity');
}, 60_000);
afterAll(async () => handle.close());

describe('migrations that land out of order', () => {
  it('a database migrated without an earlier one takes it at the next start, and only it', async () => {
    const late = '0054-agreement-late-signing';
    const { [late]: _late, ...landedFirst } = migrations;
    const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => landedFirst } }).migrateToLatest();
    expect(error).toBeUndefined();
    expect(await migrateToLatest(handle.db)).toEqual([late]);
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });
});
