import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountCodes,
  accountStatement,
  balanceOf,
  checkLedger,
  createHold,
  ensureAccount,
  expireHolds,
  postHold,
  postTransaction,
  reverseTransaction,
  transferBalance,
  voidHold,
  type LedgerAccount,
  type LedgerAccountType,
} from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { DatabaseHandle, Db } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabase } from '../support/databases.js';

let handle: DatabaseHandle;
let db: Db;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const actor = systemActor;
const minute = 60_000;
let clearing: LedgerAccount;
let merchant: LedgerAccount;

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  clearing = await ensureAccount(db, clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor });
  merchant = await ensureAccount(db, clock, { code: accountCodes.merchant('canteen-1'), type: 'merchant', actor });
});
afterAll(async () => handle.close());

const newKey = () => `test-${newId()}`;

function openAccount(type: LedgerAccountType, floorFen?: number) {
  const code = type === 'purse' ? accountCodes.purse(newId()) : `${type}:${newId()}`;
  return ensureAccount(db, clock, { code, type, ...(floorFen === undefined ? {} : { floorFen }), actor });
}

function topUp(purseId: string, amountFen: number, idempotencyKey = newKey()) {
  return postTransaction(db, clock, {
    idempotencyKey,
    type: 'top_up',
    postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purseId, creditFen: amountFen }],
    actor,
  });
}

function purchase(purseId: string, amountFen: number, idempotencyKey = newKey()) {
  return postTransaction(db, clock, {
    idempotencyKey,
    type: 'purchase',
    postings: [{ accountId: purseId, debitFen: amountFen }, { accountId: merchant.id, creditFen: amountFen }],
    actor,
  });
}

const countTransactions = async () => (await db.selectFrom('ledger_transactions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('accounts', () => {
  it('opens an account once and returns it again on the next call', async () => {
    const code = accountCodes.purse(newId());
    const first = await ensureAccount(db, clock, { code, type: 'purse', ownerId: newId(), actor });
    const again = await ensureAccount(db, clock, { code, type: 'purse', ownerId: first.ownerId, actor });
    expect(again).toEqual(first);
    const audits = await db.selectFrom('audit_log').select('action').where('entity_id', '=', first.id).execute();
    expect(audits).toEqual([{ action: 'ledger.account.opened' }]);
  });

  it('refuses an existing code with other attributes, a malformed code and a floor on a non-purse', async () => {
    const purse = await openAccount('purse');
    await expect(ensureAccount(db, clock, { code: purse.code, type: 'merchant', actor })).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_CONFLICT' });
    await expect(ensureAccount(db, clock, { code: purse.code, type: 'purse', floorFen: -500, actor })).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_CONFLICT' });
    await expect(ensureAccount(db, clock, { code: 'Purse 1', type: 'purse', actor })).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_CODE_INVALID' });
    await expect(ensureAccount(db, clock, { code: 'merchant:x', type: 'merchant', floorFen: -100, actor })).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_TYPE' });
    await expect(ensureAccount(db, clock, { code: 'purse:y', type: 'purse', floorFen: 100, actor })).rejects.toMatchObject({ code: 'LEDGER_AMOUNT_INVALID' });
  });

  it('reports balances in each account’s own direction: a purse by credits, a clearing account by debits', async () => {
    const purse = await openAccount('purse');
    const clearingBefore = await balanceOf(db, clearing.id);
    await topUp(purse.id, 5000);
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: 5000, pendingFen: 0, availableFen: 5000, floorFen: 0 });
    expect((await balanceOf(db, clearing.id)).postedFen - clearingBefore.postedFen).toBe(5000);
  });
});

describe('posting transactions', () => {
  it('records postings, moves both balances and writes the audit log', async () => {
    const purse = await openAccount('purse');
    const txn = await topUp(purse.id, 1200);
    expect(txn).toMatchObject({ type: 'top_up', replayed: false, reversesId: null, createdBy: 'system' });
    const postings = await db.selectFrom('ledger_postings').select(['account_id', 'debit_fen', 'credit_fen']).where('transaction_id', '=', txn.id).orderBy('debit_fen').execute();
    expect(postings).toEqual([
      { account_id: purse.id, debit_fen: 0, credit_fen: 1200 },
      { account_id: clearing.id, debit_fen: 1200, credit_fen: 0 },
    ]);
    const audit = await db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', txn.id).executeTakeFirstOrThrow();
    expect(audit.action).toBe('ledger.transaction.posted');
  });

  it('returns the first transaction on a replay of the same key and body, in any posting order', async () => {
    const purse = await openAccount('purse');
    const key = newKey();
    const first = await topUp(purse.id, 700, key);
    const replay = await postTransaction(db, clock, {
      idempotencyKey: key,
      type: 'top_up',
      postings: [{ accountId: purse.id, creditFen: 700 }, { accountId: clearing.id, debitFen: 700 }],
      actor,
    });
    expect(replay.id).toBe(first.id);
    expect(replay.replayed).toBe(true);
    expect(replay.postings).toHaveLength(2);
    expect((await balanceOf(db, purse.id)).postedFen).toBe(700);
  });

  it('refuses the same key with another body', async () => {
    const purse = await openAccount('purse');
    const key = newKey();
    const first = await topUp(purse.id, 700, key);
    await expect(topUp(purse.id, 701, key)).rejects.toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT', details: { transactionId: first.id } });
    await expect(purchase(purse.id, 700, key)).rejects.toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT' });
    expect((await balanceOf(db, purse.id)).postedFen).toBe(700);
  });

  it('refuses unbalanced and malformed postings before writing anything', async () => {
    const purse = await openAccount('purse');
    const before = await countTransactions();
    const post = (postings: { accountId: string; debitFen?: number; creditFen?: number }[]) => postTransaction(db, clock, { idempotencyKey: newKey(), type: 'adjustment', postings, actor });
    await expect(post([{ accountId: clearing.id, debitFen: 100 }, { accountId: purse.id, creditFen: 99 }])).rejects.toMatchObject({ code: 'LEDGER_UNBALANCED', details: { debitsFen: 100, creditsFen: 99 } });
    await expect(post([])).rejects.toMatchObject({ code: 'LEDGER_POSTING_INVALID' });
    await expect(post([{ accountId: clearing.id, debitFen: 100, creditFen: 100 }, { accountId: purse.id, creditFen: 0 }])).rejects.toMatchObject({ code: 'LEDGER_POSTING_INVALID' });
    await expect(post([{ accountId: clearing.id, debitFen: 0 }, { accountId: purse.id, creditFen: 0 }])).rejects.toMatchObject({ code: 'LEDGER_AMOUNT_INVALID' });
    await expect(post([{ accountId: clearing.id, debitFen: -5 }, { accountId: purse.id, debitFen: 5 }])).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    await expect(post([{ accountId: clearing.id, debitFen: 1.5 }, { accountId: purse.id, creditFen: 1.5 }])).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    expect(await countTransactions()).toBe(before);
  });

  it('refuses reversal-typed posts, reserved and malformed keys, and unknown accounts without a half write', async () => {
    const purse = await openAccount('purse');
    const postings = [{ accountId: clearing.id, debitFen: 100 }, { accountId: purse.id, creditFen: 100 }];
    await expect(postTransaction(db, clock, { idempotencyKey: newKey(), type: 'reversal', postings, actor })).rejects.toMatchObject({ code: 'LEDGER_TRANSACTION_TYPE_INVALID' });
    await expect(postTransaction(db, clock, { idempotencyKey: 'ledger-hold-post:x', type: 'top_up', postings, actor })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
    await expect(postTransaction(db, clock, { idempotencyKey: 'has space', type: 'top_up', postings, actor })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
    const ghost = newId();
    await expect(postTransaction(db, clock, { idempotencyKey: newKey(), type: 'top_up', postings: [{ accountId: clearing.id, debitFen: 100 }, { accountId: ghost, creditFen: 100 }], actor })).rejects.toMatchObject({
      code: 'LEDGER_ACCOUNT_NOT_FOUND',
      details: { accountIds: [ghost] },
    });
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: 0 });
  });

  it('refuses to take a purse below its floor with the spendable amount, and leaves the key unused', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 300);
    const key = newKey();
    await expect(purchase(purse.id, 301, key)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { accountId: purse.id, availableFen: 300, floorFen: 0, spendableFen: 300, requestedFen: 301 },
    });
    expect((await balanceOf(db, purse.id)).postedFen).toBe(300);
    await topUp(purse.id, 1);
    expect((await purchase(purse.id, 301, key)).replayed).toBe(false);
    expect((await balanceOf(db, purse.id)).postedFen).toBe(0);
  });

  it('lets a purse with a negative floor go into overdraft down to the floor and no further', async () => {
    const purse = await openAccount('purse', -500);
    await purchase(purse.id, 400);
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: -400, availableFen: -400, floorFen: -500 });
    await expect(purchase(purse.id, 101)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { spendableFen: 100 } });
    await purchase(purse.id, 100);
    expect((await balanceOf(db, purse.id)).postedFen).toBe(-500);
  });
});

describe('reversals', () => {
  it('undoes a transaction with swapped postings, once', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const bought = await purchase(purse.id, 250);
    const key = newKey();
    const reversal = await reverseTransaction(db, clock, { idempotencyKey: key, transactionId: bought.id, memo: 'wrong item', actor });
    expect(reversal).toMatchObject({ type: 'reversal', reversesId: bought.id, memo: 'wrong item', metadata: { reversedType: 'purchase' } });
    expect((await balanceOf(db, purse.id)).postedFen).toBe(1000);
    expect((await reverseTransaction(db, clock, { idempotencyKey: key, transactionId: bought.id, memo: 'wrong item', actor })).id).toBe(reversal.id);
    await expect(reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: bought.id, actor })).rejects.toMatchObject({ code: 'LEDGER_ALREADY_REVERSED', details: { reversalId: reversal.id } });
    await expect(reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: reversal.id, actor })).rejects.toMatchObject({ code: 'LEDGER_NOT_REVERSIBLE' });
    await expect(reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: newId(), actor })).rejects.toMatchObject({ code: 'LEDGER_TRANSACTION_NOT_FOUND' });
    expect((await balanceOf(db, purse.id)).postedFen).toBe(1000);
  });

  it('cannot reverse a top-up whose money has been spent', async () => {
    const purse = await openAccount('purse');
    const topped = await topUp(purse.id, 500);
    await purchase(purse.id, 200);
    await expect(reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: topped.id, actor })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });
});

describe('holds', () => {
  const inOneHour = () => new Date(clock.now().getTime() + 60 * minute);
  const hold = (accountId: string, amountFen: number, idempotencyKey = newKey(), expiresAt = inOneHour()) =>
    createHold(db, clock, { idempotencyKey, accountId, counterAccountId: merchant.id, amountFen, type: 'purchase', expiresAt, actor });

  it('counts a pending hold against the available balance and the floor, not the posted balance', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const merchantBefore = await balanceOf(db, merchant.id);
    await hold(purse.id, 600);
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: 1000, pendingFen: -600, availableFen: 400 });
    const merchantAfter = await balanceOf(db, merchant.id);
    expect(merchantAfter.pendingFen - merchantBefore.pendingFen).toBe(600);
    expect(merchantAfter.availableFen).toBe(merchantBefore.availableFen);
    await expect(purchase(purse.id, 401)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { availableFen: 400 } });
    await expect(hold(purse.id, 401)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('replays a hold by key and refuses the key with another body', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const key = newKey();
    const expiresAt = inOneHour();
    const first = await hold(purse.id, 100, key, expiresAt);
    expect(await hold(purse.id, 100, key, expiresAt)).toMatchObject({ id: first.id, replayed: true });
    await expect(hold(purse.id, 200, key, expiresAt)).rejects.toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT' });
    expect((await balanceOf(db, purse.id)).availableFen).toBe(900);
  });

  it('posts a hold (also partly), releasing the reservation, and replays the post', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const h = await hold(purse.id, 600);
    const posted = await postHold(db, clock, { holdId: h.id, amountFen: 450, actor });
    expect(posted).toMatchObject({ type: 'purchase', metadata: { holdId: h.id } });
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: 550, pendingFen: 0, availableFen: 550 });
    expect((await postHold(db, clock, { holdId: h.id, amountFen: 450, actor })).id).toBe(posted.id);
    await expect(postHold(db, clock, { holdId: h.id, amountFen: 500, actor })).rejects.toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT' });
    await expect(voidHold(db, clock, { holdId: h.id, actor })).rejects.toMatchObject({ code: 'LEDGER_HOLD_NOT_PENDING' });
    const stored = await db.selectFrom('ledger_holds').select(['status', 'transaction_id']).where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'posted', transaction_id: posted.id });
  });

  it('refuses to post more than the hold, a voided hold, or an expired one', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const h = await hold(purse.id, 300);
    await expect(postHold(db, clock, { holdId: h.id, amountFen: 301, actor })).rejects.toMatchObject({ code: 'LEDGER_HOLD_AMOUNT_EXCEEDED' });
    const voided = await voidHold(db, clock, { holdId: h.id, actor });
    expect(voided).toMatchObject({ status: 'voided', replayed: false });
    expect(await voidHold(db, clock, { holdId: h.id, actor })).toMatchObject({ status: 'voided', replayed: true });
    await expect(postHold(db, clock, { holdId: h.id, actor })).rejects.toMatchObject({ code: 'LEDGER_HOLD_NOT_PENDING' });
    const soon = await hold(purse.id, 200, newKey(), new Date(clock.now().getTime() + minute));
    clock.advance(2 * minute);
    await expect(postHold(db, clock, { holdId: soon.id, actor })).rejects.toMatchObject({ code: 'LEDGER_HOLD_EXPIRED' });
    await expect(postHold(db, clock, { holdId: newId(), actor })).rejects.toMatchObject({ code: 'LEDGER_HOLD_NOT_FOUND' });
    await expect(hold(purse.id, 10, newKey(), clock.now())).rejects.toMatchObject({ code: 'LEDGER_HOLD_EXPIRED' });
    await expect(createHold(db, clock, { idempotencyKey: newKey(), accountId: purse.id, counterAccountId: purse.id, amountFen: 1, type: 'purchase', expiresAt: inOneHour(), actor })).rejects.toMatchObject({ code: 'LEDGER_SAME_ACCOUNT' });
  });

  it('expires due holds only, giving the money back', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const due = await hold(purse.id, 100, newKey(), new Date(clock.now().getTime() + minute));
    const later = await hold(purse.id, 200, newKey(), new Date(clock.now().getTime() + 10 * minute));
    clock.advance(5 * minute);
    expect(await expireHolds(db, clock)).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(db, purse.id)).toMatchObject({ postedFen: 1000, availableFen: 800 });
    const statuses = await db.selectFrom('ledger_holds').select(['id', 'status']).where('id', 'in', [due.id, later.id]).orderBy('amount_fen').execute();
    expect(statuses.map((s) => s.status)).toEqual(['expired', 'pending']);
    expect(await voidHold(db, clock, { holdId: due.id, actor })).toMatchObject({ status: 'expired', replayed: true });
  });
});

describe('balance transfer', () => {
  it('moves the whole available balance to the new purse and leaves held money with its hold', async () => {
    const oldPurse = await openAccount('purse');
    const newPurse = await openAccount('purse');
    await topUp(oldPurse.id, 1000);
    await createHold(db, clock, { idempotencyKey: newKey(), accountId: oldPurse.id, counterAccountId: merchant.id, amountFen: 150, type: 'fare', expiresAt: new Date(clock.now().getTime() + minute), actor });
    const key = newKey();
    const moved = await transferBalance(db, clock, { idempotencyKey: key, fromAccountId: oldPurse.id, toAccountId: newPurse.id, actor });
    expect(moved).toMatchObject({ type: 'transfer' });
    expect(await balanceOf(db, oldPurse.id)).toMatchObject({ postedFen: 150, availableFen: 0 });
    expect(await balanceOf(db, newPurse.id)).toMatchObject({ postedFen: 850 });
    await topUp(oldPurse.id, 40);
    expect((await transferBalance(db, clock, { idempotencyKey: key, fromAccountId: oldPurse.id, toAccountId: newPurse.id, actor }))?.id).toBe(moved?.id);
    expect((await balanceOf(db, newPurse.id)).postedFen).toBe(850);
  });

  it('returns null when there is nothing to move, moves a debt within the new floor, and only between purses', async () => {
    const empty = await openAccount('purse');
    const target = await openAccount('purse', -1000);
    expect(await transferBalance(db, clock, { idempotencyKey: newKey(), fromAccountId: empty.id, toAccountId: target.id, actor })).toBeNull();
    const inDebt = await openAccount('purse', -500);
    await purchase(inDebt.id, 300);
    await transferBalance(db, clock, { idempotencyKey: newKey(), fromAccountId: inDebt.id, toAccountId: target.id, actor });
    expect((await balanceOf(db, inDebt.id)).postedFen).toBe(0);
    expect((await balanceOf(db, target.id)).postedFen).toBe(-300);
    const strict = await openAccount('purse');
    await expect(transferBalance(db, clock, { idempotencyKey: newKey(), fromAccountId: target.id, toAccountId: strict.id, actor })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await expect(transferBalance(db, clock, { idempotencyKey: newKey(), fromAccountId: target.id, toAccountId: merchant.id, actor })).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_TYPE' });
    await expect(transferBalance(db, clock, { idempotencyKey: newKey(), fromAccountId: target.id, toAccountId: target.id, actor })).rejects.toMatchObject({ code: 'LEDGER_SAME_ACCOUNT' });
  });
});

describe('account statement', () => {
  it('lists transactions newest first with the running balance, paged and by date range', async () => {
    const purse = await openAccount('purse');
    const start = clock.now();
    await topUp(purse.id, 1000);
    clock.advance(minute);
    await purchase(purse.id, 300);
    clock.advance(minute);
    await purchase(purse.id, 200);
    clock.advance(minute);
    await topUp(purse.id, 50);
    const all = await accountStatement(db, purse.id);
    expect(all.total).toBe(4);
    expect(all.items.map((l) => [l.type, l.amountFen, l.balanceAfterFen])).toEqual([
      ['top_up', 50, 550],
      ['purchase', -200, 500],
      ['purchase', -300, 700],
      ['top_up', 1000, 1000],
    ]);
    const page2 = await accountStatement(db, purse.id, { page: 2, pageSize: 3 });
    expect(page2).toMatchObject({ total: 4, page: 2, pageSize: 3, items: [{ type: 'top_up', balanceAfterFen: 1000 }] });
    const middle = await accountStatement(db, purse.id, { from: new Date(start.getTime() + minute), to: new Date(start.getTime() + 3 * minute) });
    expect(middle.items.map((l) => l.balanceAfterFen)).toEqual([500, 700]);
    expect((await accountStatement(db, purse.id, { page: 9 })).total).toBe(4);
    const clearingLines = await accountStatement(db, clearing.id, { pageSize: 1 });
    expect(clearingLines.items[0]).toMatchObject({ type: 'top_up', amountFen: 50 });
    await expect(accountStatement(db, purse.id, { pageSize: 500 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('the database refuses what the application would never do', () => {
  it('a raw update that takes a purse below its floor (CHECK)', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 100);
    await expect(db.updateTable('ledger_accounts').set({ debits_posted_fen: 101 }).where('id', '=', purse.id).execute()).rejects.toThrow(/ledger_accounts_floor/);
    await expect(db.updateTable('ledger_accounts').set({ debits_pending_fen: 101 }).where('id', '=', purse.id).execute()).rejects.toThrow(/ledger_accounts_floor/);
    await expect(db.updateTable('ledger_accounts').set({ credits_posted_fen: -1 }).where('id', '=', merchant.id).execute()).rejects.toThrow(/check/i);
  });

  it('a purse without the floor flag', async () => {
    await expect(sql`insert into ledger_accounts (id, code, type, created_at) values (${newId()}, ${`purse:${newId()}`}, 'purse', now())`.execute(db)).rejects.toThrow(/ledger_accounts_purse_guarded/);
  });

  it('an unbalanced transaction, at commit (deferred constraint trigger)', async () => {
    const purse = await openAccount('purse');
    const before = await countTransactions();
    await expect(
      db.transaction().execute(async (tx) => {
        const id = newId();
        await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${id}, 'adjustment', ${newKey()}, 'x', now(), 'test')`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${id}, ${clearing.id}, 100)`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, credit_fen) values (${newId()}, ${id}, ${purse.id}, 99)`.execute(tx);
        // Deferred: the statements above are accepted; only the commit judges the whole transaction.
      }),
    ).rejects.toThrow(/unbalanced/);
    expect(await countTransactions()).toBe(before);
  });

  it('a transaction without postings, and a posting added to an old transaction', async () => {
    await expect(sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${newId()}, 'adjustment', ${newKey()}, 'x', now(), 'test')`.execute(db)).rejects.toThrow(/unbalanced/);
    const purse = await openAccount('purse');
    const txn = await topUp(purse.id, 100);
    await expect(sql`insert into ledger_postings (id, transaction_id, account_id, credit_fen) values (${newId()}, ${txn.id}, ${purse.id}, 1)`.execute(db)).rejects.toThrow(/unbalanced/);
  });

  it('a posting with both sides or no amount', async () => {
    const purse = await openAccount('purse');
    const txn = await topUp(purse.id, 100);
    await expect(sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen, credit_fen) values (${newId()}, ${txn.id}, ${purse.id}, 1, 1)`.execute(db)).rejects.toThrow(/check/i);
    await expect(sql`insert into ledger_postings (id, transaction_id, account_id) values (${newId()}, ${txn.id}, ${purse.id})`.execute(db)).rejects.toThrow(/check/i);
  });

  it('editing or deleting history', async () => {
    const purse = await openAccount('purse');
    const txn = await topUp(purse.id, 100);
    await expect(db.updateTable('ledger_postings').set({ credit_fen: 1000 }).where('transaction_id', '=', txn.id).where('credit_fen', '>', 0).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ledger_postings').where('transaction_id', '=', txn.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('ledger_transactions').set({ memo: 'forged' }).where('id', '=', txn.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ledger_transactions').where('id', '=', txn.id).execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate ledger_postings, ledger_transactions, ledger_holds`.execute(db)).rejects.toThrow(/append-only|never deleted/);
  });

  it('a second reversal of one transaction (unique index)', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 100);
    const bought = await purchase(purse.id, 10);
    await reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: bought.id, actor });
    await expect(
      db.transaction().execute(async (tx) => {
        const id = newId();
        await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, reverses_id, created_at, created_by) values (${id}, 'reversal', ${newKey()}, 'x', ${bought.id}, now(), 'test')`.execute(tx);
      }),
    ).rejects.toThrow(/duplicate key|unique/);
  });

  it('changing a resolved hold, the amount of a pending one, or deleting one', async () => {
    const purse = await openAccount('purse');
    await topUp(purse.id, 1000);
    const expiresAt = new Date(clock.now().getTime() + 60 * minute);
    const pending = await createHold(db, clock, { idempotencyKey: newKey(), accountId: purse.id, counterAccountId: merchant.id, amountFen: 100, type: 'purchase', expiresAt, actor });
    await expect(db.updateTable('ledger_holds').set({ amount_fen: 1 }).where('id', '=', pending.id).execute()).rejects.toThrow(/only the outcome/);
    await expect(db.deleteFrom('ledger_holds').where('id', '=', pending.id).execute()).rejects.toThrow(/never deleted/);
    await voidHold(db, clock, { holdId: pending.id, actor });
    await expect(db.updateTable('ledger_holds').set({ status: 'pending', resolved_at: null }).where('id', '=', pending.id).execute()).rejects.toThrow(/already voided/);
  });
});

describe('ledger check', () => {
  it('finds nothing wrong after everything above', async () => {
    const { counts, violations } = await checkLedger(db);
    expect(violations).toEqual([]);
    expect(counts.transactions).toBeGreaterThan(20);
  });

  it('names the culprits once history and balances disagree', async () => {
    const corrupt = await createTestDatabase();
    try {
      const cdb = corrupt.db;
      const purse = await ensureAccount(cdb, clock, { code: accountCodes.purse(newId()), type: 'purse', actor });
      const gateway = await ensureAccount(cdb, clock, { code: accountCodes.clearing('wechat'), type: 'gateway_clearing', actor });
      await postTransaction(cdb, clock, { idempotencyKey: newKey(), type: 'top_up', postings: [{ accountId: gateway.id, debitFen: 500 }, { accountId: purse.id, creditFen: 500 }], actor });
      expect((await checkLedger(cdb)).violations).toEqual([]);

      // A balance edited behind the ledger's back (the CHECK allows more credit).
      await cdb.updateTable('ledger_accounts').set({ credits_posted_fen: 900 }).where('id', '=', purse.id).execute();
      // An unbalanced transaction slipped in with triggers switched off.
      const forged = newId();
      await cdb.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${forged}, 'adjustment', ${newKey()}, 'x', now(), 'test')`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${forged}, ${gateway.id}, 70)`.execute(tx);
      });
      const { violations } = await checkLedger(cdb);
      expect(violations).toEqual(
        expect.arrayContaining([
          { kind: 'unbalanced_transaction', transactionId: forged, debitsFen: 70, creditsFen: 0, postingCount: 1 },
          { kind: 'balance_mismatch', accountId: purse.id, code: purse.code, column: 'creditsPostedFen', storedFen: 900, expectedFen: 500 },
          { kind: 'balance_mismatch', accountId: gateway.id, code: gateway.code, column: 'debitsPostedFen', storedFen: 500, expectedFen: 570 },
        ]),
      );
      expect(violations).toHaveLength(3);
    } finally {
      await corrupt.close();
    }
  });

  it('reports a floor broken by history', async () => {
    const corrupt = await createTestDatabase();
    try {
      const cdb = corrupt.db;
      const purse = await ensureAccount(cdb, clock, { code: accountCodes.purse(newId()), type: 'purse', actor });
      const shop = await ensureAccount(cdb, clock, { code: accountCodes.merchant('shop'), type: 'merchant', actor });
      const forged = newId();
      await cdb.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${forged}, 'purchase', ${newKey()}, 'x', now(), 'test')`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${forged}, ${purse.id}, 80)`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, credit_fen) values (${newId()}, ${forged}, ${shop.id}, 80)`.execute(tx);
      });
      const { violations } = await checkLedger(cdb);
      expect(violations).toContainEqual({ kind: 'floor_broken', accountId: purse.id, code: purse.code, balanceFen: -80, floorFen: 0 });
    } finally {
      await corrupt.close();
    }
  });
});
