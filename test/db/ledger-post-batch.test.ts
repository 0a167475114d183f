import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, checkLedger, ensureAccount, lockForBatch, postBatch, type BatchTransactionInput } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The ledger's bulk poster keeps postTransaction's invariants. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function accounts() {
  const tag = Math.random().toString(36).slice(2, 8);
  const clearing = await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.clearing(`pb${tag}`), type: 'gateway_clearing', actor: systemActor });
  const card = await t.factory.newCard((await t.factory.newStudent()).id);
  const purse = await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.purse(card.id), type: 'purse', ownerId: card.id, actor: systemActor });
  const revenue = await ensureAccount(t.ctx.db, t.ctx.clock, { code: accountCodes.fareRevenue(`pb${tag}`), type: 'fare_revenue', actor: systemActor });
  return { clearing, purse, revenue, tag };
}

const run = (lockFirst: string[], transactions: BatchTransactionInput[]) =>
  t.ctx.db.transaction().execute(async (tx) => {
    const balances = await lockForBatch(tx, lockFirst);
    return { result: balances, ...(await postBatch(tx, t.ctx.clock, { transactions, actor: systemActor })) };
  });

const balance = async (id: string) => {
  const row = await t.ctx.db.selectFrom('ledger_accounts').select(['credits_posted_fen', 'debits_posted_fen']).where('id', '=', id).executeTakeFirstOrThrow();
  return row.credits_posted_fen - row.debits_posted_fen;
};

describe('postBatch', () => {
  it('posts many transactions in one go, hands build the locked balances, and the ledger check stays clean', async () => {
    const { clearing, purse, revenue, tag } = await accounts();
    await run([], [{ idempotencyKey: `pb-fund-${tag}`, type: 'top_up', postings: [{ accountId: clearing.id, debitFen: 1000 }, { accountId: purse.id, creditFen: 1000 }] }]);
    const seen = await run([purse.id], [
      { idempotencyKey: `pb-a-${tag}`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 300 }, { accountId: revenue.id, creditFen: 300 }] },
      { idempotencyKey: `pb-b-${tag}`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 200 }, { accountId: revenue.id, creditFen: 200 }] },
    ]);
    expect(seen.result.get(purse.id)?.availableFen).toBe(1000);
    expect(seen.transactionIds).toHaveLength(2);
    expect(await balance(purse.id)).toBe(500);
    expect(await balance(revenue.id)).toBe(500);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('refuses an unbalanced transaction and a purse pushed below its floor, writing nothing', async () => {
    const { clearing, purse, revenue, tag } = await accounts();
    await run([], [{ idempotencyKey: `pb-fund2-${tag}`, type: 'top_up', postings: [{ accountId: clearing.id, debitFen: 100 }, { accountId: purse.id, creditFen: 100 }] }]);
    await expect(run([purse.id], [{ idempotencyKey: `pb-u-${tag}`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 50 }, { accountId: revenue.id, creditFen: 40 }] }]))
      .rejects.toMatchObject({ code: 'LEDGER_UNBALANCED' });
    await expect(run([purse.id], [
      { idempotencyKey: `pb-f1-${tag}`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 60 }, { accountId: revenue.id, creditFen: 60 }] },
      { idempotencyKey: `pb-f2-${tag}`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 60 }, { accountId: revenue.id, creditFen: 60 }] },
    ])).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await balance(purse.id)).toBe(100);
    expect(await balance(revenue.id)).toBe(0);
    const written = await t.ctx.db.selectFrom('ledger_transactions').select('id').where('idempotency_key', 'like', `pb-%-${tag}`).execute();
    expect(written).toHaveLength(1);
  });
});
