import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import {
  accountCodes,
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
  type LedgerTransactionType,
} from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { DatabaseHandle, Db } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabase } from '../support/databases.js';

/**
 * Random sequences of ledger operations against a real database, checked step by step against
 * a small in-memory model (which outcome, which balances) and, after each sequence, against the
 * ledger's own invariants: balanced transactions, balances equal to history, floors kept, and
 * no money created or lost (all balances of the run sum to zero).
 */

let handle: DatabaseHandle;
let db: Db;
// One clock for all runs, only moving forward, like time.
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const actor = systemActor;
const minute = 60_000;
const purseCount = 3;

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
});
afterAll(async () => handle.close());

// ---- operations ----------------------------------------------------------------------------

type MoneyOp = { kind: 'topUp' | 'purchase' | 'refund'; purse: number; amountFen: number };
type TransferOp = { kind: 'transfer'; from: number; to: number; memo?: string };
/** `expiresAtMs` is fixed when the hold is first sent, so that a replay carries the same body. */
type HoldOp = { kind: 'hold'; purse: number; amountFen: number; ttlMinutes: number; expiresAtMs?: number };
type ReverseOp = { kind: 'reverse'; txn: number; memo?: string };
/** Operations that carry an idempotency key, and so can be replayed. */
type KeyedOp = MoneyOp | TransferOp | HoldOp | ReverseOp;
type Op =
  | KeyedOp
  | { kind: 'postHold'; hold: number; share: number }
  | { kind: 'voidHold'; hold: number }
  | { kind: 'tick'; minutes: number }
  | { kind: 'replay'; op: number }
  | { kind: 'conflict'; op: number };

const purse = fc.integer({ min: 0, max: purseCount - 1 });
// Top-ups run larger than spending so that sequences reach deep states, not only refusals.
const topUpFen = fc.integer({ min: 100, max: 5000 });
const amountFen = fc.integer({ min: 1, max: 1500 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('topUp' as const), purse, amountFen: topUpFen }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('purchase' as const), purse, amountFen }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), purse, amountFen }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: purse, to: fc.integer({ min: 1, max: purseCount - 1 }) }).map((o) => ({ ...o, to: (o.from + o.to) % purseCount })) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), purse, amountFen, ttlMinutes: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('postHold' as const), hold: fc.nat(), share: fc.constantFrom(0.25, 0.5, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('voidHold' as const), hold: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), txn: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replay' as const), op: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('conflict' as const), op: fc.nat() }) },
);

/** The same key with another body: a different amount, memo or target. */
function altered(op: KeyedOp): KeyedOp {
  switch (op.kind) {
    case 'transfer':
    case 'reverse':
      return { ...op, memo: 'changed' };
    default:
      return { ...op, amountFen: op.amountFen + 1 };
  }
}

// ---- the model -------------------------------------------------------------------------------

type Name = `p${number}` | 'merchant' | 'clearing';
type Outcome = { result: 'ok' } | { result: 'replayed'; id: string } | { result: 'none' } | { result: 'error'; code: string };
interface ModelTxn { id: string; type: LedgerTransactionType; deltas: Partial<Record<Name, number>>; reversed: boolean }
interface ModelHold { id: string; purse: number; amountFen: number; expiresAtMs: number; status: 'pending' | 'posted' | 'voided' | 'expired'; postedAmountFen?: number; txnId?: string }
/** What the model expects, and how to apply it once the real id is known. */
interface Expectation { outcome: Outcome; commit?: (id: string) => void }

const err = (code: string): Expectation => ({ outcome: { result: 'error', code } });

class Model {
  /** Posted balances in each account's own direction (purse, merchant by credits; clearing by debits). */
  posted: Record<Name, number> = { merchant: 0, clearing: 0 };
  heldFen: number[] = Array(purseCount).fill(0);
  merchantPendingFen = 0;
  holds: ModelHold[] = [];
  txns: ModelTxn[] = [];
  /** Per idempotency key: the body it was first accepted with and what it produced. */
  stored = new Map<string, { body: string; id: string }>();

  constructor(readonly floorsFen: number[]) {
    floorsFen.forEach((_, i) => (this.posted[`p${i}`] = 0));
  }

  spendable(purse: number): number {
    return this.posted[`p${purse}`]! - this.heldFen[purse]! - this.floorsFen[purse]!;
  }

  expectKeyed(key: string, op: KeyedOp, nowMs: number): Expectation {
    const stored = this.stored.get(key);
    if (stored) return stored.body === JSON.stringify(op) ? { outcome: { result: 'replayed', id: stored.id } } : err('LEDGER_IDEMPOTENCY_CONFLICT');
    const fresh = this.expectFresh(op, nowMs);
    const commit = fresh.commit;
    return commit ? { outcome: fresh.outcome, commit: (id) => (commit(id), this.stored.set(key, { body: JSON.stringify(op), id })) } : fresh;
  }

  private expectFresh(op: KeyedOp, nowMs: number): Expectation {
    const p: Name = `p${'purse' in op ? op.purse : 0}`;
    switch (op.kind) {
      case 'topUp':
        return this.transaction('top_up', { [p]: op.amountFen, clearing: op.amountFen });
      case 'purchase':
        return this.transaction('purchase', { [p]: -op.amountFen, merchant: op.amountFen });
      case 'refund':
        return this.transaction('refund', { [p]: op.amountFen, merchant: -op.amountFen });
      case 'transfer': {
        const movedFen = this.posted[`p${op.from}`]! - this.heldFen[op.from]!;
        return movedFen === 0 ? { outcome: { result: 'none' } } : this.transaction('transfer', { [`p${op.from}`]: -movedFen, [`p${op.to}`]: movedFen });
      }
      case 'hold':
        return this.hold(op, nowMs);
      case 'reverse':
        return this.reversal(op);
    }
  }

  /** A transaction succeeds when no purse it touches ends below its floor. */
  private transaction(type: LedgerTransactionType, deltas: Partial<Record<Name, number>>, after?: (id: string) => void): Expectation {
    const broken = Object.entries(deltas).some(([name, d]) => name.startsWith('p') && this.spendable(Number(name.slice(1))) + d! < 0);
    if (broken) return err('INSUFFICIENT_FUNDS');
    return {
      outcome: { result: 'ok' },
      commit: (id) => {
        this.record(id, type, deltas);
        after?.(id);
      },
    };
  }

  private record(id: string, type: LedgerTransactionType, deltas: Partial<Record<Name, number>>): void {
    for (const [name, d] of Object.entries(deltas)) this.posted[name as Name]! += d!;
    this.txns.push({ id, type, deltas, reversed: false });
  }

  private hold(op: HoldOp, nowMs: number): Expectation {
    const expiresAtMs = op.expiresAtMs!;
    if (expiresAtMs <= nowMs) return err('LEDGER_HOLD_EXPIRED');
    if (this.spendable(op.purse) - op.amountFen < 0) return err('INSUFFICIENT_FUNDS');
    return {
      outcome: { result: 'ok' },
      commit: (id) => {
        this.heldFen[op.purse]! += op.amountFen;
        this.merchantPendingFen += op.amountFen;
        this.holds.push({ id, purse: op.purse, amountFen: op.amountFen, expiresAtMs, status: 'pending' });
      },
    };
  }

  private reversal(op: ReverseOp): Expectation {
    const original = this.txns[op.txn];
    if (!original) return { outcome: { result: 'none' } };
    if (original.type === 'reversal') return err('LEDGER_NOT_REVERSIBLE');
    if (original.reversed) return err('LEDGER_ALREADY_REVERSED');
    const negated = Object.fromEntries(Object.entries(original.deltas).map(([name, d]) => [name, -d!]));
    return this.transaction('reversal', negated, () => (original.reversed = true));
  }

  expectPostHold(hold: ModelHold, amount: number, nowMs: number): Expectation {
    if (hold.status === 'posted') return hold.postedAmountFen === amount ? { outcome: { result: 'replayed', id: hold.txnId! } } : err('LEDGER_IDEMPOTENCY_CONFLICT');
    if (hold.status !== 'pending') return err('LEDGER_HOLD_NOT_PENDING');
    if (hold.expiresAtMs <= nowMs) return err('LEDGER_HOLD_EXPIRED');
    // Posting releases at least what it moves, so no floor can break.
    return {
      outcome: { result: 'ok' },
      commit: (id) => {
        this.release(hold, 'posted');
        this.record(id, 'purchase', { [`p${hold.purse}`]: -amount, merchant: amount });
        Object.assign(hold, { postedAmountFen: amount, txnId: id });
      },
    };
  }

  expectVoidHold(hold: ModelHold): Expectation {
    if (hold.status === 'posted') return err('LEDGER_HOLD_NOT_PENDING');
    if (hold.status !== 'pending') return { outcome: { result: 'replayed', id: hold.id } };
    return { outcome: { result: 'ok' }, commit: () => this.release(hold, 'voided') };
  }

  expire(nowMs: number): void {
    for (const hold of this.holds) if (hold.status === 'pending' && hold.expiresAtMs <= nowMs) this.release(hold, 'expired');
  }

  private release(hold: ModelHold, status: ModelHold['status']): void {
    hold.status = status;
    this.heldFen[hold.purse]! -= hold.amountFen;
    this.merchantPendingFen -= hold.amountFen;
  }
}

// ---- running a sequence ------------------------------------------------------------------------

interface Run {
  model: Model;
  ids: Map<Name, string>;
  /** Keyed operations sent so far, with their keys, in order: replay and conflict pick from them. */
  sent: { key: string; op: KeyedOp }[];
}

async function newRun(floorsFen: number[]): Promise<Run> {
  const runId = newId();
  const open = async (code: string, type: 'purse' | 'merchant' | 'gateway_clearing', floorFen = 0) => (await ensureAccount(db, clock, { code, type, floorFen, actor })).id;
  const ids = new Map<Name, string>([
    ['merchant', await open(accountCodes.merchant(runId), 'merchant')],
    ['clearing', await open(accountCodes.clearing(runId), 'gateway_clearing')],
  ]);
  for (const [i, floorFen] of floorsFen.entries()) ids.set(`p${i}`, await open(accountCodes.purse(`${runId}-${i}`), 'purse', floorFen));
  return { model: new Model(floorsFen), ids, sent: [] };
}

/** Runs one operation on the real ledger; domain errors become outcomes, anything else fails the test. */
async function attempt(work: () => Promise<{ id: string; replayed: boolean } | null>): Promise<Outcome & { id?: string }> {
  try {
    const result = await work();
    if (!result) return { result: 'none' };
    return result.replayed ? { result: 'replayed', id: result.id } : { result: 'ok', id: result.id };
  } catch (error) {
    if (isDomainError(error)) return { result: 'error', code: error.code };
    throw error;
  }
}

function sendKeyed(run: Run, key: string, op: KeyedOp) {
  const id = (name: Name) => run.ids.get(name)!;
  const money = (type: LedgerTransactionType, debit: Name, credit: Name, fen: number) =>
    postTransaction(db, clock, { idempotencyKey: key, type, postings: [{ accountId: id(debit), debitFen: fen }, { accountId: id(credit), creditFen: fen }], actor });
  switch (op.kind) {
    case 'topUp':
      return attempt(() => money('top_up', 'clearing', `p${op.purse}`, op.amountFen));
    case 'purchase':
      return attempt(() => money('purchase', `p${op.purse}`, 'merchant', op.amountFen));
    case 'refund':
      return attempt(() => money('refund', 'merchant', `p${op.purse}`, op.amountFen));
    case 'transfer':
      return attempt(() => transferBalance(db, clock, { idempotencyKey: key, fromAccountId: id(`p${op.from}`), toAccountId: id(`p${op.to}`), ...(op.memo ? { memo: op.memo } : {}), actor }));
    case 'hold':
      return attempt(() =>
        createHold(db, clock, { idempotencyKey: key, accountId: id(`p${op.purse}`), counterAccountId: id('merchant'), amountFen: op.amountFen, type: 'purchase', expiresAt: new Date(op.expiresAtMs!), actor }),
      );
    case 'reverse':
      return attempt(() => reverseTransaction(db, clock, { idempotencyKey: key, transactionId: run.model.txns[op.txn]!.id, ...(op.memo ? { memo: op.memo } : {}), actor }));
  }
}

/** Pins what a keyed operation refers to (which earlier transaction, which expiry) before it is first sent. */
function resolved(op: KeyedOp, model: Model, nowMs: number): KeyedOp {
  if (op.kind === 'reverse') return { ...op, txn: op.txn % Math.max(1, model.txns.length) };
  if (op.kind === 'hold') return { ...op, expiresAtMs: nowMs + op.ttlMinutes * minute };
  return op;
}

async function step(run: Run, op: Op): Promise<void> {
  const { model } = run;
  const nowMs = clock.now().getTime();
  let expectation: Expectation;
  let actual: Outcome & { id?: string };
  switch (op.kind) {
    case 'tick':
      clock.advance(op.minutes * minute);
      await expireHolds(db, clock);
      model.expire(clock.now().getTime());
      return;
    case 'postHold':
    case 'voidHold': {
      const hold = model.holds[op.hold % Math.max(1, model.holds.length)];
      if (!hold) return;
      if (op.kind === 'voidHold') {
        expectation = model.expectVoidHold(hold);
        actual = await attempt(() => voidHold(db, clock, { holdId: hold.id, actor }));
      } else {
        const amount = Math.max(1, Math.floor(hold.amountFen * op.share));
        expectation = model.expectPostHold(hold, amount, nowMs);
        actual = await attempt(() => postHold(db, clock, { holdId: hold.id, amountFen: amount, actor }));
      }
      break;
    }
    case 'replay':
    case 'conflict': {
      const previous = run.sent[op.op % Math.max(1, run.sent.length)];
      if (!previous) return;
      const resent = op.kind === 'replay' ? previous.op : altered(previous.op);
      expectation = model.expectKeyed(previous.key, resent, nowMs);
      actual = await sendKeyed(run, previous.key, resent);
      break;
    }
    default: {
      const keyed = resolved(op, model, nowMs);
      if (keyed.kind === 'reverse' && !model.txns[keyed.txn]) return;
      const key = `prop-${newId()}`;
      run.sent.push({ key, op: keyed });
      expectation = model.expectKeyed(key, keyed, nowMs);
      actual = await sendKeyed(run, key, keyed);
    }
  }
  const { id, ...outcome } = actual;
  expect(outcome.result === 'replayed' ? { ...outcome, id } : outcome, `${JSON.stringify(op)}`).toEqual(expectation.outcome);
  if (expectation.commit && id) expectation.commit(id);
}

async function assertMatchesModel(run: Run): Promise<void> {
  const { model } = run;
  for (const [name, id] of run.ids) {
    const balance = await balanceOf(db, id);
    const isPurse = name.startsWith('p');
    const pendingFen = isPurse ? 0 - model.heldFen[Number(name.slice(1))]! : name === 'merchant' ? model.merchantPendingFen : 0;
    expect({ name, postedFen: balance.postedFen, pendingFen: balance.pendingFen }).toEqual({ name, postedFen: model.posted[name], pendingFen });
  }
}

/** No money created or lost: credit-normal balances (purses, merchant) add up to the clearing asset. */
async function assertConserved(run: Run): Promise<void> {
  const balances = await Promise.all([...run.ids].map(async ([name, id]) => ({ name, ...(await balanceOf(db, id)) })));
  const owedFen = balances.filter((b) => b.name !== 'clearing').reduce((sum, b) => sum + b.postedFen, 0);
  const pendingFen = balances.reduce((sum, b) => sum + b.pendingFen, 0);
  expect(owedFen).toBe(balances.find((b) => b.name === 'clearing')!.postedFen);
  expect(pendingFen).toBe(0);
}

describe('ledger properties over random operation sequences', () => {
  it('agree with the model, keep every invariant, and neither create nor lose money', async () => {
    const floors = fc.array(fc.constantFrom(0, 0, -500), { minLength: purseCount, maxLength: purseCount });
    await fc.assert(
      fc.asyncProperty(floors, fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), async (floorsFen, ops) => {
        // Only violations this run introduced count: after a failing run fast-check shrinks on
        // the same database, and the earlier damage must not be blamed on the smaller sequences.
        const earlier = new Set((await checkLedger(db)).violations.map((v) => JSON.stringify(v)));
        const run = await newRun(floorsFen);
        for (const op of ops) {
          await step(run, op);
          await assertMatchesModel(run);
        }
        await assertConserved(run);
        expect((await checkLedger(db)).violations.filter((v) => !earlier.has(JSON.stringify(v)))).toEqual([]);
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});
