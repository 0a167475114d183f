import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountStatement, checkLedger, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemClock } from '../../src/platform/clock.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';
import { openFundedPurse } from '../support/money.js';

/**
 * Migration 0017 makes new taps their purse's entry. A tap settled before it already has its
 * purse debit as a posting: after the migration it is counted once, not twice.
 */

const tapEntriesMigration = '0017-ledger-tap-entries';
let handle: DatabaseHandle;
const cardId = newId();
let purseId: string;
let fareTransactionId: string;
const system = { role: 'system' as const, id: null };

beforeAll(async () => {
  handle = await createTestDatabaseBefore(tapEntriesMigration);
  const db = handle.db;

  // As settlement wrote it before 0017: the purse debit is a posting, the tap names its transaction.
  const funded = await openFundedPurse(db, cardId, 1000);
  purseId = funded.purseId;
  fareTransactionId = (await postTransaction(db, systemClock, { idempotencyKey: 'fare', type: 'fare', postings: [{ accountId: purseId, debitFen: 200 }, { accountId: funded.revenueId, creditFen: 200 }], actor: system })).id;
  await sql`
    insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, operator, ledger_transaction_id, settled_at)
    values (${newId()}::uuid, 1, ${newId()}::uuid, '32000000017', ${cardId}::uuid, 1, 'bus', 200, 800, now(), 'settled', 'bjbus', ${fareTransactionId}::uuid, now())`.execute(db);

  await migrateToLatest(db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0017: taps as purse entries', () => {
  it('counts a tap settled before it once: by its posting, not again as an entry', async () => {
    const tap = await handle.db.selectFrom('transit_taps').select(['purse_entry_fen']).where('card_id', '=', cardId).executeTakeFirstOrThrow();
    expect(tap.purse_entry_fen).toBeNull();
    const entries = await handle.db.selectFrom('ledger_entries').select(['debit_fen', 'credit_fen']).where('account_id', '=', purseId).orderBy('credit_fen').execute();
    expect(entries).toEqual([{ debit_fen: 200, credit_fen: 0 }, { debit_fen: 0, credit_fen: 1000 }]);
    expect((await accountStatement(handle.db, purseId)).items.map((line) => [line.type, line.amountFen, line.balanceAfterFen])).toEqual([['fare', -200, 800], ['top_up', 1000, 1000]]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('never turns a tap settled before it into an entry (its debit would count twice)', async () => {
    await expect(sql`update transit_taps set purse_entry_fen = 200 where card_id = ${cardId}::uuid`.execute(handle.db)).rejects.toThrow(/append-only/);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});
