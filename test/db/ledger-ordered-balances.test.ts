import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, ensureAccount } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { systemClock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabase, testDatabaseKind } from '../support/databases.js';

/**
 * Migration 0014: `ledger_apply_balance_deltas` must update (and so lock) the accounts in id
 * order whatever the table's size, or two batches sharing purses could deadlock. The plan the
 * function really runs is read back through auto_explain (PostgreSQL only: PGlite has no
 * auto_explain), on a table of a few accounts — where, without the function's settings, the
 * planner scans the heap — and the rows must come from the sorted deltas or the primary key.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('ledger_apply_balance_deltas on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  const ids: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    for (let i = 0; i < 6; i++) {
      const owner = newId();
      ids.push((await ensureAccount(database.db, systemClock, { code: accountCodes.purse(owner), type: 'purse', ownerId: owner, actor: systemActor })).id);
    }
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('analyze ledger_accounts');
  });
  afterAll(async () => {
    await client.end();
    await database.close();
  });

  it('walks the accounts in id order (sorted deltas or the primary key), never a heap scan or a hash join', async () => {
    const plans: string[] = [];
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    await client.query('begin');
    await client.query(`load 'auto_explain'`);
    await client.query(`set local auto_explain.log_min_duration = 0`);
    await client.query(`set local auto_explain.log_nested_statements = on`);
    await client.query(`set local auto_explain.log_level = notice`);
    const credits = ids.map(() => 100);
    const zeros = ids.map(() => 0);
    const { rows } = await client.query<{ n: string }>('select ledger_apply_balance_deltas($1::uuid[], $2::int8[], $3::int8[], $4::int8[], $5::int8[]) as n', [[...ids].reverse(), zeros, credits, zeros, zeros]);
    await client.query('rollback');

    expect(Number(rows[0]!.n)).toBe(ids.length);
    const update = plans.find((p) => p.includes('Update on ledger_accounts'));
    expect(update, plans.join('\n---\n')).toBeDefined();
    expect(update).toMatch(/Nested Loop/);
    expect(update).not.toMatch(/Seq Scan on ledger_accounts|Bitmap Heap Scan on ledger_accounts|Hash Join|Merge Join/);
    expect(update).toMatch(/Sort Key: u\.id|Index Scan using ledger_accounts_pkey on ledger_accounts a\s/);
  });
});
