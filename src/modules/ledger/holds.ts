import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import {
  actorLabel,
  addColumns,
  assertFloorsHold,
  assertPositiveFen,
  assertTransactionType,
  requestHash,
  transactionTypes,
  zeroColumns,
  type BalanceColumns,
  type LedgerHoldStatus,
  type LedgerTransactionType,
} from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';
import { assertIdempotencyKey, idempotently, postedHoldKey, recordTransaction, type LedgerTransaction } from './record-transaction.js';

/**
 * Holds reserve money on an account (a pending debit there, a pending credit on the counter
 * account) until they are posted (money moves), voided or expired (money is released).
 * Pending debits count against the available balance and the floor; pending credits do not.
 */

export interface LedgerHold {
  id: string;
  idempotencyKey: string;
  accountId: string;
  counterAccountId: string;
  amountFen: number;
  transactionType: LedgerTransactionType;
  status: LedgerHoldStatus;
  expiresAt: Date;
  memo: string | null;
  metadata: Record<string, unknown>;
  transactionId: string | null;
  createdAt: Date;
  createdBy: string;
  resolvedAt: Date | null;
  /** True when this is the stored result of an earlier request (same key, or a hold already released). */
  replayed: boolean;
}

export interface CreateHoldRequest {
  idempotencyKey: string;
  /** The account whose money is reserved. */
  accountId: string;
  /** The account that receives the money when the hold is posted. */
  counterAccountId: string;
  amountFen: number;
  /** The type of the transaction the hold becomes when posted. */
  type: LedgerTransactionType;
  expiresAt: Date;
  memo?: string;
  metadata?: Record<string, unknown>;
  actor: AuditActor;
}

const holdableTypes = transactionTypes.filter((type) => type !== 'reversal');

export async function createHold(db: DbOrTx, clock: Clock, request: CreateHoldRequest): Promise<LedgerHold> {
  assertIdempotencyKey(request.idempotencyKey);
  assertPositiveFen(request.amountFen);
  assertTransactionType(request.type, holdableTypes);
  if (request.accountId === request.counterAccountId) throw fail('LEDGER_SAME_ACCOUNT', { accountId: request.accountId });
  const hash = requestHash({
    operation: 'hold',
    accountId: request.accountId,
    counterAccountId: request.counterAccountId,
    amountFen: request.amountFen,
    type: request.type,
    expiresAt: request.expiresAt.toISOString(),
    memo: request.memo ?? null,
    metadata: request.metadata ?? {},
  });
  return inTransaction(db, async (tx) => {
    await repo.lockIdempotencyKey(tx, 'hold', request.idempotencyKey);
    const existing = await repo.findHoldByKey(tx, request.idempotencyKey);
    if (existing) {
      if (existing.requestHash !== hash) throw fail('LEDGER_IDEMPOTENCY_CONFLICT', { idempotencyKey: request.idempotencyKey, holdId: existing.id });
      return holdOf(existing, true);
    }
    return openHold(tx, clock, request, hash);
  });
}

async function openHold(tx: Tx, clock: Clock, request: CreateHoldRequest, hash: string): Promise<LedgerHold> {
  // Checked only for a new hold: a replay returns the stored hold even after it has expired.
  if (request.expiresAt.getTime() <= clock.now().getTime()) throw fail('LEDGER_HOLD_EXPIRED', { expiresAt: request.expiresAt });
  const deltas = pendingDeltas(request.accountId, request.counterAccountId, request.amountFen);
  const accounts = await repo.lockAccounts(tx, [...deltas.keys()]);
  if (accounts.length !== deltas.size) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountIds: [request.accountId, request.counterAccountId] });
  assertFloorsHold(accounts, deltas);
  const hold = {
    id: newId(),
    idempotencyKey: request.idempotencyKey,
    accountId: request.accountId,
    counterAccountId: request.counterAccountId,
    amountFen: request.amountFen,
    transactionType: request.type,
    expiresAt: request.expiresAt,
    memo: request.memo ?? null,
    metadata: request.metadata ?? {},
    createdAt: clock.now(),
    createdBy: actorLabel(request.actor),
  };
  await repo.insertHold(tx, { ...hold, requestHash: hash });
  await repo.applyBalanceDeltas(tx, deltas);
  await recordAudit(tx, clock, { actor: request.actor, action: 'ledger.hold.created', entityType: 'ledger_hold', entityId: hold.id, after: hold });
  return { ...hold, status: 'pending', transactionId: null, resolvedAt: null, replayed: false };
}

export interface PostHoldRequest {
  holdId: string;
  /** Up to the held amount (a partial capture); the whole hold by default. The rest is released. */
  amountFen?: number;
  actor: AuditActor;
}

/**
 * Turns a pending hold into a transaction. Posting again with the same amount returns that
 * transaction; with another amount it is LEDGER_IDEMPOTENCY_CONFLICT.
 */
export async function postHold(db: DbOrTx, clock: Clock, request: PostHoldRequest): Promise<LedgerTransaction> {
  return inTransaction(db, async (tx) => {
    const hold = await lockedHold(tx, request.holdId);
    const amountFen = request.amountFen ?? hold.amountFen;
    assertPositiveFen(amountFen);
    if (amountFen > hold.amountFen) throw fail('LEDGER_HOLD_AMOUNT_EXCEEDED', { holdId: hold.id, heldFen: hold.amountFen, amountFen });
    const hash = requestHash({ operation: 'post-hold', holdId: hold.id, amountFen });
    return idempotently(tx, postedHoldKey(hold.id), hash, async () => {
      assertPending(hold, clock);
      const transaction = await recordTransaction(tx, clock, {
        idempotencyKey: postedHoldKey(hold.id),
        requestHash: hash,
        type: hold.transactionType,
        postings: [
          { accountId: hold.accountId, debitFen: amountFen, creditFen: 0 },
          { accountId: hold.counterAccountId, debitFen: 0, creditFen: amountFen },
        ],
        memo: hold.memo,
        metadata: { ...hold.metadata, holdId: hold.id },
        actor: request.actor,
        pendingRelease: pendingDeltas(hold.accountId, hold.counterAccountId, -hold.amountFen),
      });
      await repo.resolveHolds(tx, [hold.id], { status: 'posted', transactionId: transaction.id, at: clock.now() });
      await recordAudit(tx, clock, { actor: request.actor, action: 'ledger.hold.posted', entityType: 'ledger_hold', entityId: hold.id, after: { transactionId: transaction.id, amountFen } });
      return transaction;
    });
  });
}

/** Releases a pending hold. Voiding a hold that is already voided or expired returns it unchanged. */
export async function voidHold(db: DbOrTx, clock: Clock, request: { holdId: string; actor: AuditActor }): Promise<LedgerHold> {
  return inTransaction(db, async (tx) => {
    const hold = await lockedHold(tx, request.holdId);
    if (hold.status === 'voided' || hold.status === 'expired') return holdOf(hold, true);
    if (hold.status !== 'pending') throw fail('LEDGER_HOLD_NOT_PENDING', { holdId: hold.id, status: hold.status });
    const resolvedAt = await release(tx, clock, [hold], { status: 'voided', actor: request.actor });
    return { ...holdOf(hold, false), status: 'voided', resolvedAt };
  });
}

/** Expires due holds in batches (short transactions: PGlite has one connection); returns how many. */
export async function expireHolds(db: DbOrTx, clock: Clock, batchSize = 500): Promise<number> {
  let expired = 0;
  for (;;) {
    const batch = await inTransaction(db, async (tx) => {
      const due = await repo.lockDueHolds(tx, clock.now(), batchSize);
      if (due.length > 0) await release(tx, clock, due, { status: 'expired', actor: systemActor });
      return due.length;
    });
    expired += batch;
    if (batch < batchSize) return expired;
  }
}

type StoredHold = NonNullable<Awaited<ReturnType<typeof repo.lockHold>>>;

async function lockedHold(tx: Tx, holdId: string): Promise<StoredHold> {
  const hold = await repo.lockHold(tx, holdId);
  if (!hold) throw fail('LEDGER_HOLD_NOT_FOUND', { holdId });
  return hold;
}

function assertPending(hold: StoredHold, clock: Clock): void {
  if (hold.status !== 'pending') throw fail('LEDGER_HOLD_NOT_PENDING', { holdId: hold.id, status: hold.status });
  // Expiry is decided by time, not by when the expiry job last ran.
  if (hold.expiresAt.getTime() <= clock.now().getTime()) throw fail('LEDGER_HOLD_EXPIRED', { holdId: hold.id, expiresAt: hold.expiresAt });
}

/** Gives reserved money back (no floor can break: only pending debits shrink); returns when. */
async function release(tx: Tx, clock: Clock, holds: readonly StoredHold[], outcome: { status: 'voided' | 'expired'; actor: AuditActor }): Promise<Date> {
  const at = clock.now();
  const deltas = new Map<string, BalanceColumns>();
  for (const hold of holds) {
    for (const [accountId, delta] of pendingDeltas(hold.accountId, hold.counterAccountId, -hold.amountFen)) {
      deltas.set(accountId, addColumns(deltas.get(accountId) ?? zeroColumns(), delta));
    }
  }
  await repo.lockAccounts(tx, [...deltas.keys()]);
  await repo.applyBalanceDeltas(tx, deltas);
  await repo.resolveHolds(tx, holds.map((h) => h.id), { status: outcome.status, transactionId: null, at });
  for (const hold of holds) {
    await recordAudit(tx, clock, { actor: outcome.actor, action: `ledger.hold.${outcome.status}`, entityType: 'ledger_hold', entityId: hold.id, after: { amountFen: hold.amountFen } });
  }
  return at;
}

/** A hold's pending columns: a debit on the held account, a credit on the counter account. */
function pendingDeltas(accountId: string, counterAccountId: string, amountFen: number): Map<string, BalanceColumns> {
  return new Map([
    [accountId, { ...zeroColumns(), debitsPendingFen: amountFen }],
    [counterAccountId, { ...zeroColumns(), creditsPendingFen: amountFen }],
  ]);
}

function holdOf(stored: StoredHold, replayed: boolean): LedgerHold {
  const { requestHash: _hash, ...hold } = stored;
  return { ...hold, replayed };
}
