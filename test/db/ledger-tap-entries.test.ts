import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, accountStatement, checkLedger, findAccountByCode, reverseTransaction } from '../../src/modules/ledger/ledger.js';
import { settleBatch, transitSuspenseCode, type UploadingTerminal } from '../../src/modules/transit/settle-batch.js';
import { newId } from '../../src/platform/ids.js';
import { accountBalance, newFundedCard, purseBalance, signedTap } from '../api/transit-support.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A settled tap is its purse's ledger entry (migration 0017): no posting row per tap, yet the
 * purse's balance, statement, reversal and the ledger check see the tap, and the database keeps
 * the entries to the ledger's rules (balanced transactions, append-only history).
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let terminalNo = 0;
async function newTerminal(): Promise<UploadingTerminal> {
  const id = newId();
  const code = `E-${process.pid}-${++terminalNo}`;
  await t.ctx.db.insertInto('terminals').values({ id, code, kind: 'bus_validator', operator: 'bjbus', location: null, secret_hash: 'x', created_at: t.ctx.clock.now() }).execute();
  return { id, code, operator: 'bjbus' };
}

/** One card funded with `fundFen`, one tap of `fareFen` settled; returns what the tests look at. */
async function settleOneTap(fundFen: number, fareFen: number) {
  const { card } = await newFundedCard(t, fundFen);
  const terminal = await newTerminal();
  const record = signedTap(t.ctx.config.secrets.cardMasterKey, terminal.code, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: fareFen, balanceAfterFen: fundFen - fareFen });
  const answer = await settleBatch(t.ctx, terminal, { batchId: newId(), records: [record] }, { role: 'terminal', id: terminal.id }, null);
  expect(answer.accepted).toBe(1);
  const tap = await t.ctx.db.selectFrom('transit_taps').selectAll().where('terminal_id', '=', terminal.id).executeTakeFirstOrThrow();
  const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(card.id));
  return { card, terminal, tap, purse };
}

const postingsOn = async (accountId: string) =>
  (await t.ctx.db.selectFrom('ledger_postings').select(['debit_fen', 'credit_fen']).where('account_id', '=', accountId).execute()).length;

const entriesOn = (accountId: string) =>
  t.ctx.db.selectFrom('ledger_entries').select(['posting_id', 'transaction_id', 'debit_fen', 'credit_fen']).where('account_id', '=', accountId).execute();

describe('a settled tap is its purse entry', () => {
  it('debits the purse without a posting row, and the balance, statement and ledger check all see it', async () => {
    const { tap, purse } = await settleOneTap(1000, 200);
    expect(tap.purse_entry_fen).toBe(200);
    expect(await purseBalance(t, tap.card_id!)).toBe(800);
    // The top-up is the purse's only posting; the fare is the tap.
    expect(await postingsOn(purse.id)).toBe(1);
    const entries = await entriesOn(purse.id);
    expect(entries).toContainEqual({ posting_id: null, transaction_id: tap.ledger_transaction_id, debit_fen: 200, credit_fen: 0 });
    expect(entries).toHaveLength(2);
    // The other side is a posting of the same ledger transaction.
    const revenue = await t.ctx.db.selectFrom('ledger_postings').select(['credit_fen']).where('transaction_id', '=', tap.ledger_transaction_id!).execute();
    expect(revenue).toEqual([{ credit_fen: 200 }]);

    const statement = await accountStatement(t.ctx.db, purse.id);
    expect(statement.items[0]).toMatchObject({ transactionId: tap.ledger_transaction_id, type: 'fare', amountFen: -200, balanceAfterFen: 800 });
    expect(statement.total).toBe(2);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('takes only what the purse holds and books the rest to suspense', async () => {
    const suspenseBefore = await accountBalance(t, transitSuspenseCode);
    const { tap, purse } = await settleOneTap(100, 300);
    expect(tap).toMatchObject({ shortfall_fen: 200, purse_entry_fen: 100 });
    expect(await purseBalance(t, tap.card_id!)).toBe(0);
    expect(await postingsOn(purse.id)).toBe(1);
    // Suspense is a debit-side account here: its credit − debit moves down by the shortfall.
    expect(await accountBalance(t, transitSuspenseCode)).toBe(suspenseBefore - 200);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('is reversed like any posting: the reversal gives the fare back to the purse', async () => {
    const { tap, purse } = await settleOneTap(1000, 200);
    const reversal = await reverseTransaction(t.ctx.db, t.ctx.clock, { idempotencyKey: `reverse:${tap.ledger_transaction_id}`, transactionId: tap.ledger_transaction_id!, actor: { role: 'system', id: null } });
    expect(reversal.postings).toContainEqual({ accountId: purse.id, debitFen: 0, creditFen: 200 });
    expect(await purseBalance(t, tap.card_id!)).toBe(1000);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});

describe('the database keeps tap entries to the ledger rules', () => {
  /** A hand-written tap row that claims to be a 50 fen entry of `transactionId` on `accountId`. */
  const forgedTap = (terminalId: string, cardId: string, transactionId: string, accountId: string, seq = 99) => sql`
    insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, operator,
                              ledger_transaction_id, purse_entry_fen, purse_account_id, settled_at)
    values (${terminalId}::uuid, ${seq}, ${newId()}::uuid, 'forged', ${cardId}::uuid, ${seq}, 'bus', 50, 0, now(), 'settled', 'bjbus', ${transactionId}::uuid, 50,
            ${accountId}::uuid, now())`;

  /** A new fare transaction written by hand (no postings yet), as postBatch writes one before its taps. */
  const newFareTransaction = (id: string) => sql`
    insert into ledger_transactions (id, type, idempotency_key, request_hash, memo, metadata, created_at, created_by)
    values (${id}::uuid, 'fare', ${`forged:${id}`}, 'x', null, '{}', now(), 'test')`;

  it('refuses a tap entry added to a transaction without its other side', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    await expect(forgedTap(terminal.id, tap.card_id!, tap.ledger_transaction_id!, purse.id).execute(t.ctx.db)).rejects.toThrow(/is unbalanced: debits 250 fen, credits 200 fen/);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('refuses, at commit, a new transaction whose tap entries never get their other side', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    const transactionId = newId();
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      await newFareTransaction(transactionId).execute(tx);
      await forgedTap(terminal.id, tap.card_id!, transactionId, purse.id).execute(tx);
    })).rejects.toThrow(/is unbalanced: debits 50 fen, credits 0 fen/);
    expect(await purseBalance(t, tap.card_id!)).toBe(800);
  });

  it('moves the purse as the tap entry is written, once', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    const revenue = await findAccountByCode(t.ctx.db, accountCodes.fareRevenue('bjbus'));
    const transactionId = newId();
    await t.ctx.db.transaction().execute(async (tx) => {
      await newFareTransaction(transactionId).execute(tx);
      await forgedTap(terminal.id, tap.card_id!, transactionId, purse.id).execute(tx);
      await sql`insert into ledger_postings (id, transaction_id, account_id, credit_fen) values (${newId()}::uuid, ${transactionId}::uuid, ${revenue.id}::uuid, 50)`.execute(tx);
      await sql`update ledger_accounts set credits_posted_fen = credits_posted_fen + 50 where id = ${revenue.id}::uuid`.execute(tx);
    });
    expect(await purseBalance(t, tap.card_id!)).toBe(750);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('refuses a tap entry that names no ledger transaction', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    await expect(forgedTap(terminal.id, tap.card_id!, newId(), purse.id).execute(t.ctx.db)).rejects.toThrow(/names no ledger transaction/);
  });

  it('refuses a tap entry on any account but its own card\'s purse', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    const other = await settleOneTap(1000, 200);
    const revenue = await findAccountByCode(t.ctx.db, accountCodes.fareRevenue('bjbus'));
    const wrongAccounts = [
      { cardId: newId(), accountId: purse.id }, // a card without a purse, on this purse
      { cardId: tap.card_id!, accountId: other.purse.id }, // another card's purse
      { cardId: tap.card_id!, accountId: revenue.id }, // not a purse
      { cardId: tap.card_id!, accountId: newId() }, // no account at all
    ];
    for (const wrong of wrongAccounts) {
      const transactionId = newId();
      await expect(t.ctx.db.transaction().execute(async (tx) => {
        await newFareTransaction(transactionId).execute(tx);
        await forgedTap(terminal.id, wrong.cardId, transactionId, wrong.accountId).execute(tx);
      })).rejects.toThrow(/names an account that is not its card's purse/);
    }
    expect(await purseBalance(t, tap.card_id!)).toBe(800);
    expect(await purseBalance(t, other.tap.card_id!)).toBe(800);
  });

  it('never changes the code or owner of a ledger account, by which entries find their purse', async () => {
    const { purse } = await settleOneTap(1000, 200);
    await expect(sql`update ledger_accounts set code = 'purse:moved' where id = ${purse.id}::uuid`.execute(t.ctx.db)).rejects.toThrow(/never change id, code or owner/);
    await expect(sql`update ledger_accounts set owner_id = ${newId()}::uuid where id = ${purse.id}::uuid`.execute(t.ctx.db)).rejects.toThrow(/never change id, code or owner/);
  });

  it('refuses an entry that does not match its tap, names no account, or is on a rejected tap', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    await expect(sql`
      insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, code, operator,
                                ledger_transaction_id, purse_entry_fen, purse_account_id, settled_at)
      values (${terminal.id}::uuid, 98, ${newId()}::uuid, 'forged', ${tap.card_id}::uuid, 98, 'bus', 50, 0, now(), 'rejected', 'TAC_INVALID', 'bjbus',
              ${tap.ledger_transaction_id}::uuid, 50, ${purse.id}::uuid, now())`.execute(t.ctx.db)).rejects.toThrow(/transit_taps_purse_entry/);
    await expect(sql`
      insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, operator,
                                ledger_transaction_id, purse_entry_fen, settled_at)
      values (${terminal.id}::uuid, 97, ${newId()}::uuid, 'forged', ${tap.card_id}::uuid, 97, 'bus', 50, 0, now(), 'settled', 'bjbus',
              ${tap.ledger_transaction_id}::uuid, 50, now())`.execute(t.ctx.db)).rejects.toThrow(/transit_taps_purse_account/);
    await expect(sql`update transit_taps set purse_entry_fen = 150 where terminal_id = ${terminal.id}::uuid`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
  });

  it('never updates, deletes or truncates a tap that is an entry', async () => {
    const { terminal } = await settleOneTap(1000, 200);
    await expect(sql`update transit_taps set operator = 'x' where terminal_id = ${terminal.id}::uuid`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from transit_taps where terminal_id = ${terminal.id}::uuid`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate transit_taps`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
  });

  it('ledger check finds an entry changed behind the triggers', async () => {
    const { tap, terminal, purse } = await settleOneTap(1000, 200);
    await t.ctx.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update transit_taps set amount_fen = 250, purse_entry_fen = 250 where terminal_id = ${terminal.id}::uuid`.execute(tx);
    });
    const { violations } = await checkLedger(t.ctx.db);
    expect(violations).toContainEqual({ kind: 'unbalanced_transaction', transactionId: tap.ledger_transaction_id, debitsFen: 250, creditsFen: 200, postingCount: 2 });
    expect(violations).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: purse.id, column: 'debitsPostedFen', storedFen: 200, expectedFen: 250 }));
    // Put it back, so the other tests' ledger checks stay about their own rows.
    await t.ctx.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update transit_taps set amount_fen = 200, purse_entry_fen = 200 where terminal_id = ${terminal.id}::uuid`.execute(tx);
    });
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});
