import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, checkLedger, ensureAccount, postBatch } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import type { Tx } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Migration 0013: postings written in "statement" mode (postBatch) are judged at the end of their
 * statement by one set-based trigger — balance per ledger transaction, and the transaction and
 * account they name — instead of a deferred trigger per row and two foreign keys; every other
 * posting keeps the row triggers. Either way the database refuses what the application must not do.
 */

let t: TestApp;
let clearingId: string;
let purseId: string;
let revenueId: string;
beforeAll(async () => {
  t = await createTestApp();
  const tag = Math.random().toString(36).slice(2, 8);
  clearingId = (await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.clearing(`bc${tag}`), type: 'gateway_clearing', actor: systemActor })).id;
  const card = await t.factory.newCard((await t.factory.newStudent()).id);
  purseId = (await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.purse(card.id), type: 'purse', ownerId: card.id, actor: systemActor })).id;
  revenueId = (await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.fareRevenue(`bc${tag}`), type: 'fare_revenue', actor: systemActor })).id;
});
afterAll(async () => t.close());

const newTransaction = async (tx: Tx) => {
  const id = newId();
  await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${id}, 'adjustment', ${`bc:${id}`}, 'x', now(), 'test')`.execute(tx);
  return id;
};
const statementMode = (tx: Tx) => sql`set local ledger.balance_check = 'statement'`.execute(tx);
const insertPostings = (tx: Tx, rows: { t: string; a: string; d?: number; c?: number }[]) =>
  sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen, credit_fen)
      select gen_random_uuid(), t, a, coalesce(d, 0), coalesce(c, 0) from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(t uuid, a uuid, d bigint, c bigint)`.execute(tx);
const transactionCount = async () => Number((await sql<{ n: number }>`select count(*)::int8 as n from ledger_transactions`.execute(t.ctx.db)).rows[0]!.n);

describe('statement-mode postings (bulk writers)', () => {
  it('refuses an unbalanced transaction at the end of the statement, naming it', async () => {
    const before = await transactionCount();
    let balancedId = '';
    let failedAt = '';
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      balancedId = await newTransaction(tx);
      const unbalancedId = await newTransaction(tx);
      await statementMode(tx);
      failedAt = 'insert';
      await insertPostings(tx, [
        { t: balancedId, a: clearingId, d: 100 }, { t: balancedId, a: purseId, c: 100 },
        { t: unbalancedId, a: clearingId, d: 100 }, { t: unbalancedId, a: purseId, c: 99 },
      ]);
      failedAt = 'after insert';
    })).rejects.toThrow(/ledger transaction [0-9a-f-]+ is unbalanced: debits 100 fen, credits 99 fen/);
    expect(failedAt).toBe('insert');
    expect(await transactionCount()).toBe(before);
  });

  it('judges a posting added to an old transaction with that transaction\'s earlier postings', async () => {
    const old = await t.ctx.db.transaction().execute(async (tx) => {
      const id = await newTransaction(tx);
      await statementMode(tx);
      await insertPostings(tx, [{ t: id, a: clearingId, d: 40 }, { t: id, a: purseId, c: 40 }]);
      return id;
    });
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      await statementMode(tx);
      await insertPostings(tx, [{ t: old, a: purseId, c: 1 }]);
    })).rejects.toThrow(/unbalanced: debits 40 fen, credits 41 fen/);
    // Two balanced halves in one statement are fine even though each alone is not.
    await t.ctx.db.transaction().execute(async (tx) => {
      await statementMode(tx);
      await insertPostings(tx, [{ t: old, a: clearingId, d: 5 }, { t: old, a: purseId, c: 5 }]);
    });
  });

  it('refuses a posting that names no transaction or no account (what the foreign keys did)', async () => {
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      const id = newId();
      await statementMode(tx);
      await insertPostings(tx, [{ t: id, a: clearingId, d: 10 }, { t: id, a: purseId, c: 10 }]);
    })).rejects.toThrow(/names no ledger transaction/);
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      const id = await newTransaction(tx);
      await statementMode(tx);
      await insertPostings(tx, [{ t: id, a: clearingId, d: 10 }, { t: id, a: newId(), c: 10 }]);
    })).rejects.toThrow(/no ledger account/);
  });

  it('leaves later row-mode postings to the deferred check: unbalancing after a balanced bulk insert fails at commit', async () => {
    let reachedCommit = false;
    await expect(t.ctx.db.transaction().execute(async (tx) => {
      const id = await newTransaction(tx);
      await statementMode(tx);
      await insertPostings(tx, [{ t: id, a: clearingId, d: 70 }, { t: id, a: purseId, c: 70 }]);
      await sql`set local ledger.balance_check = 'row'`.execute(tx);
      await insertPostings(tx, [{ t: id, a: purseId, c: 1 }]);
      reachedCommit = true;
    })).rejects.toThrow(/unbalanced: debits 70 fen, credits 71 fen/);
    expect(reachedCommit).toBe(true);
  });

  it('postBatch posts a 3,000-posting transaction in statement mode and switches the mode back off', async () => {
    const postings = [{ accountId: clearingId, debitFen: 3 * 2999 }, ...Array.from({ length: 2999 }, () => ({ accountId: purseId, creditFen: 3 }))];
    const mode = await t.ctx.db.transaction().execute(async (tx) => {
      await postBatch(tx, t.ctx.clock, { transactions: [{ idempotencyKey: `bc-big-${newId()}`, type: 'top_up', postings }], actor: systemActor });
      return (await sql<{ m: string | null }>`select current_setting('ledger.balance_check', true) as m`.execute(tx)).rows[0]!.m;
    });
    expect(mode).toBe('row');
    // (The raw inserts above move no balances on purpose; only the transactions must all be balanced.)
    expect((await checkLedger(t.ctx.db)).violations.filter((v) => v.kind === 'unbalanced_transaction')).toEqual([]);
  });
});

describe('row-mode postings and the accounts postings refer to', () => {
  it('refuses a posting naming no transaction or no account right away, as a foreign key did', async () => {
    const txn = await t.ctx.db.transaction().execute(async (tx) => {
      const id = await newTransaction(tx);
      await insertPostings(tx, [{ t: id, a: clearingId, d: 1 }, { t: id, a: revenueId, c: 1 }]);
      return id;
    });
    await expect(sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${newId()}, ${clearingId}, 1)`.execute(t.ctx.db)).rejects.toThrow(/names no ledger transaction/);
    await expect(sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${txn}, ${newId()}, 1)`.execute(t.ctx.db)).rejects.toThrow(/names no ledger account/);
  });

  it('never deletes, truncates or re-keys a ledger account', async () => {
    await expect(t.ctx.db.deleteFrom('ledger_accounts').where('id', '=', purseId).execute()).rejects.toThrow(/never deleted/);
    await expect(sql`truncate ledger_accounts cascade`.execute(t.ctx.db)).rejects.toThrow(/never deleted|append-only/);
    await expect(t.ctx.db.updateTable('ledger_accounts').set({ id: newId() }).where('id', '=', purseId).execute()).rejects.toThrow(/never change id/);
    // A balance update still goes through (the guard is on the key only).
    await t.ctx.db.updateTable('ledger_accounts').set({ id: purseId }).where('id', '=', purseId).execute();
  });
});
