import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import {
  accountCodes,
  balanceOf,
  checkLedger,
  createHold,
  ensureAccount,
  postTransaction,
  reverseTransaction,
  type LedgerAccount,
} from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { DatabaseHandle, Db } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabase } from '../support/databases.js';

/**
 * Many requests at once. On PostgreSQL they really run in parallel on a pool of connections, so
 * these tests exercise the row locks; on PGlite (one connection) they are serialised, and the
 * same rules must still hold.
 */

let handle: DatabaseHandle;
let db: Db;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const actor = systemActor;
let clearing: LedgerAccount;
let merchant: LedgerAccount;

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  clearing = await ensureAccount(db, clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor });
  merchant = await ensureAccount(db, clock, { code: accountCodes.merchant('canteen'), type: 'merchant', actor });
});
afterAll(async () => handle.close());

const newKey = () => `conc-${newId()}`;
const openPurse = () => ensureAccount(db, clock, { code: accountCodes.purse(newId()), type: 'purse', actor });

function move(fromId: string, toId: string, amountFen: number, idempotencyKey = newKey()) {
  return postTransaction(db, clock, {
    idempotencyKey,
    type: 'purchase',
    postings: [{ accountId: fromId, debitFen: amountFen }, { accountId: toId, creditFen: amountFen }],
    actor,
  });
}

/** Settles every promise and counts the outcomes by error code ('ok' for success). */
async function outcomes(work: Promise<unknown>[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const result of await Promise.allSettled(work)) {
    if (result.status === 'rejected' && !isDomainError(result.reason)) throw result.reason;
    const code = result.status === 'fulfilled' ? 'ok' : (result.reason as { code: string }).code;
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

describe('concurrent ledger writes', () => {
  it('never overdraw a purse, however many purchases and holds race for it', async () => {
    const purse = await openPurse();
    await move(clearing.id, purse.id, 1000);
    const purchases = Array.from({ length: 30 }, () => move(purse.id, merchant.id, 100));
    const holds = Array.from({ length: 10 }, () =>
      createHold(db, clock, { idempotencyKey: newKey(), accountId: purse.id, counterAccountId: merchant.id, amountFen: 100, type: 'fare', expiresAt: new Date(clock.now().getTime() + 60_000), actor }),
    );
    const counts = await outcomes([...purchases, ...holds]);
    expect(counts).toEqual({ ok: 10, INSUFFICIENT_FUNDS: 30 });
    expect(await balanceOf(db, purse.id)).toMatchObject({ availableFen: 0 });
  });

  it('record one transaction for one idempotency key, however many copies arrive at once', async () => {
    const purse = await openPurse();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, () => move(clearing.id, purse.id, 500, key)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await balanceOf(db, purse.id)).postedFen).toBe(500);
  });

  it('do not deadlock when transactions touch the same accounts in opposite orders', async () => {
    const a = await openPurse();
    const b = await openPurse();
    await move(clearing.id, a.id, 10_000);
    await move(clearing.id, b.id, 10_000);
    const work = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? move(a.id, b.id, 10 + i) : move(b.id, a.id, 10 + i)));
    expect(await outcomes(work)).toEqual({ ok: 40 });
    const total = (await balanceOf(db, a.id)).postedFen + (await balanceOf(db, b.id)).postedFen;
    expect(total).toBe(20_000);
  });

  it('reverse a transaction once when several reversals race', async () => {
    const purse = await openPurse();
    await move(clearing.id, purse.id, 1000);
    const bought = await move(purse.id, merchant.id, 300);
    const counts = await outcomes(Array.from({ length: 10 }, () => reverseTransaction(db, clock, { idempotencyKey: newKey(), transactionId: bought.id, actor })));
    expect(counts).toEqual({ ok: 1, LEDGER_ALREADY_REVERSED: 9 });
    expect((await balanceOf(db, purse.id)).postedFen).toBe(1000);
  });

  it('leave a ledger that passes its check', async () => {
    expect((await checkLedger(db)).violations).toEqual([]);
  });
});
