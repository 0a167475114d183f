import { recordAudits, type AuditActor, type AuditEntry } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import {
  actorLabel, addColumns, assertFloorsHold, balanceOfRow, postedDeltas, type Balance, type BalanceColumns, type LedgerAccountRow, type LedgerTransactionType, type Posting,
} from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';

/**
 * The one path by which money moves: every use case (post, reverse, hold, transfer) ends here,
 * so locking, the floor check, the balance update and the audit row are written once.
 */

export interface LedgerTransaction {
  id: string;
  type: LedgerTransactionType;
  idempotencyKey: string;
  reversesId: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  createdBy: string;
  postings: Posting[];
  /** True when this is the stored result of an earlier request with the same idempotency key. */
  replayed: boolean;
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;
/** Keys of the transactions that posted holds are derived from the hold (see holds.ts); callers may not use them. */
const reservedKeyPrefix = 'ledger-hold-post:';

export const postedHoldKey = (holdId: string) => `${reservedKeyPrefix}${holdId}`;

export function assertIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !idempotencyKeyPattern.test(key) || key.startsWith(reservedKeyPrefix)) {
    throw fail('IDEMPOTENCY_KEY_INVALID', { idempotencyKey: key });
  }
}

/**
 * Runs `work` unless a transaction with this key exists: then the stored transaction is the
 * answer when the request is the same (by hash), and an error when it is not.
 */
export async function idempotently<T>(tx: Tx, key: string, hash: string, work: () => Promise<T>): Promise<T | LedgerTransaction> {
  await repo.lockIdempotencyKey(tx, 'transaction', key);
  const existing = await repo.findTransactionByKey(tx, key);
  if (!existing) return work();
  if (existing.requestHash !== hash) throw fail('LEDGER_IDEMPOTENCY_CONFLICT', { idempotencyKey: key, transactionId: existing.id });
  const { requestHash: _hash, ...stored } = existing;
  return { ...stored, postings: await repo.postingsOf(tx, existing.id), replayed: true };
}

export interface TransactionToRecord {
  idempotencyKey: string;
  requestHash: string;
  type: LedgerTransactionType;
  postings: Posting[];
  reversesId?: string | null;
  memo?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  actor: AuditActor;
  /** Pending amounts to release in the same step (posting a hold). */
  pendingRelease?: ReadonlyMap<string, BalanceColumns>;
  /** Chosen by the caller, to name the transaction in its own rows before it is written; a new UUIDv7 if absent. */
  id?: string;
  /** The caller's own audit rows for the same change, written in one statement with the ledger's. */
  audit?: readonly AuditEntry[];
}

export interface RecordedTransaction {
  transaction: LedgerTransaction;
  /** The balance of each account the transaction moved, as it left them. */
  balancesAfter: ReadonlyMap<string, Balance>;
}

export async function recordTransaction(tx: Tx, clock: Clock, t: TransactionToRecord): Promise<LedgerTransaction> {
  return (await recordTransactionWithBalances(tx, clock, t)).transaction;
}

export async function recordTransactionWithBalances(tx: Tx, clock: Clock, t: TransactionToRecord): Promise<RecordedTransaction> {
  const deltas = mergeDeltas(postedDeltas(t.postings), t.pendingRelease);
  const accounts = await repo.lockAccounts(tx, [...deltas.keys()]);
  const missing = [...deltas.keys()].filter((id) => !accounts.some((a) => a.id === id));
  if (missing.length > 0) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountIds: missing });
  assertFloorsHold(accounts, deltas);

  const transaction: LedgerTransaction = {
    id: t.id ?? newId(),
    type: t.type,
    idempotencyKey: t.idempotencyKey,
    reversesId: t.reversesId ?? null,
    memo: t.memo ?? null,
    metadata: t.metadata ?? {},
    createdAt: clock.now(),
    createdBy: actorLabel(t.actor),
    postings: t.postings,
    replayed: false,
  };
  await repo.insertTransaction(tx, { ...transaction, requestHash: t.requestHash }, t.postings.map((p) => ({ id: newId(), ...p })));
  await repo.applyBalanceDeltas(tx, deltas);
  const posted = {
    actor: t.actor,
    action: 'ledger.transaction.posted',
    entityType: 'ledger_transaction',
    entityId: transaction.id,
    after: { type: transaction.type, idempotencyKey: transaction.idempotencyKey, reversesId: transaction.reversesId, memo: transaction.memo, postings: transaction.postings },
  };
  await recordAudits(tx, clock, [posted, ...(t.audit ?? [])]);
  return { transaction, balancesAfter: balancesAfter(accounts, deltas) };
}

/** The locked accounts' balances with the deltas applied: what applyBalanceDeltas just wrote, without reading it back. */
function balancesAfter(accounts: readonly LedgerAccountRow[], deltas: ReadonlyMap<string, BalanceColumns>): Map<string, Balance> {
  return new Map(accounts.map((account) => [account.id, balanceOfRow({ ...account, ...addColumns(account, deltas.get(account.id)!) })]));
}

function mergeDeltas(posted: Map<string, BalanceColumns>, release: ReadonlyMap<string, BalanceColumns> | undefined): Map<string, BalanceColumns> {
  for (const [accountId, delta] of release ?? []) {
    const current = posted.get(accountId);
    posted.set(accountId, current ? addColumns(current, delta) : delta);
  }
  return posted;
}
