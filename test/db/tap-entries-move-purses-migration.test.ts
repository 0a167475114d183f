import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountStatement, checkLedger } from '../../src/modules/ledger/ledger.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';
import { openFundedPurse } from '../support/money.js';

/**
 * Migration 0018 gives every tap entry the purse it debits (`purse_account_id`). An entry written
 * under 0017 found its purse through its card: after the migration it names that purse, and the
 * ledger counts it as before, once.
 */

let handle: DatabaseHandle;
const cardId = newId();
let purseId: string;
let fareTransactionId: string;

beforeAll(async () => {
  handle = await createTestDatabaseBefore('0018-tap-entries-move-purses');
  const db = handle.db;

  const funded = await openFundedPurse(db, cardId, 1000);
  purseId = funded.purseId;
  // As settlement wrote a tap entry under 0017: the revenue posting, the tap (no account named),
  // and the balances moved by the application.
  fareTransactionId = newId();
  await db.transaction().execute(async (tx) => {
    await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, memo, metadata, created_at, created_by)
              values (${fareTransactionId}::uuid, 'fare', 'fare', 'x', null, '{}', now(), 'system')`.execute(tx);
    await sql`insert into ledger_postings (id, transaction_id, account_id, credit_fen) values (${newId()}::uuid, ${fareTransactionId}::uuid, ${funded.revenueId}::uuid, 200)`.execute(tx);
    await sql`
      insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, operator,
                                ledger_transaction_id, purse_entry_fen, settled_at)
      values (${newId()}::uuid, 1, ${newId()}::uuid, '32000000018', ${cardId}::uuid, 1, 'bus', 200, 800, now(), 'settled', 'bjbus', ${fareTransactionId}::uuid, 200, now())`.execute(tx);
    await sql`update ledger_accounts set debits_posted_fen = debits_posted_fen + 200 where id = ${purseId}::uuid`.execute(tx);
    await sql`update ledger_accounts set credits_posted_fen = credits_posted_fen + 200 where id = ${funded.revenueId}::uuid`.execute(tx);
  });
  expect((await checkLedger(db)).violations).toEqual([]);

  await migrateToLatest(db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0018: tap entries name their purse', () => {
  it('fills in the purse of an entry written before it, and the ledger counts the entry once', async () => {
    const tap = await handle.db.selectFrom('transit_taps').select(['purse_entry_fen', 'purse_account_id']).where('card_id', '=', cardId).executeTakeFirstOrThrow();
    expect(tap).toEqual({ purse_entry_fen: 200, purse_account_id: purseId });
    const entries = await handle.db.selectFrom('ledger_entries').select(['transaction_id', 'debit_fen', 'credit_fen']).where('account_id', '=', purseId).orderBy('credit_fen').execute();
    expect(entries).toEqual([{ transaction_id: fareTransactionId, debit_fen: 200, credit_fen: 0 }, expect.objectContaining({ debit_fen: 0, credit_fen: 1000 })]);
    expect((await accountStatement(handle.db, purseId)).items.map((line) => [line.type, line.amountFen, line.balanceAfterFen])).toEqual([['fare', -200, 800], ['top_up', 1000, 1000]]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('keeps the entry append-only: it cannot be pointed at another account', async () => {
    await expect(sql`update transit_taps set purse_account_id = ${newId()}::uuid where card_id = ${cardId}::uuid`.execute(handle.db)).rejects.toThrow(/append-only/);
  });
});
