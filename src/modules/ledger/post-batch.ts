import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import {
  actorLabel, assertFloorsHold, assertTransactionType, balanceOfRow, normalisePostings, postedDeltas, requestHash, sortedPostings, transactionTypes,
  type Balance, type LedgerTransactionType, type Posting, type PostingInput,
} from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';
import { assertIdempotencyKey } from './record-transaction.js';

/**
 * Many balanced transactions in a handful of statements, for callers that settle thousands of
 * movements at once (transit tap batches). The same invariants as postTransaction: every
 * transaction's postings sum to zero (checked here, and by the ledger's balance trigger), the
 * balances move in the same database transaction, no guarded account ends below its floor
 * (checked here on the locked rows — INSUFFICIENT_FUNDS — and by the CHECK on the row).
 * Differences, by design:
 * - the caller runs it inside its transaction and guarantees the idempotency keys are new (a
 *   repeated key is a unique violation, not a replay: the caller owns deduplication, e.g.
 *   transit's (terminal, seq) key);
 * - one audit row for the whole batch instead of one per transaction: this one, or, when `audit`
 *   is left out, the caller's own row in the same transaction (it gets the transaction ids back);
 * - order of work, to keep row locks short: insert transactions and postings, run the balance
 *   trigger's checks right away (not at commit), then lock every touched account in id order (the
 *   one order all writers use), check floors, update the balances. Callers that must decide from
 *   balances lock first with lockForBatch (same order), then call postBatch.
 */

export interface BatchTransactionInput {
  idempotencyKey: string;
  type: Exclude<LedgerTransactionType, 'reversal'>;
  postings: PostingInput[];
  memo?: string | null;
  metadata?: Record<string, unknown>;
  /** Chosen by the caller (so it can point at the transaction before it is written); new UUIDv7 if absent. */
  id?: string;
}

export interface PostBatchRequest {
  transactions: readonly BatchTransactionInput[];
  actor: AuditActor;
  audit?: { action: string; entityType: string; entityId: string | null; details?: Record<string, unknown>; requestId?: string | null };
}

export interface PostedBatch {
  transactionIds: string[];
  postingCount: number;
}

const postableTypes = transactionTypes.filter((type) => type !== 'reversal');

/** Locks the accounts (id order, held to commit) and returns their balances. */
export async function lockForBatch(tx: Tx, accountIds: readonly string[]): Promise<Map<string, Balance>> {
  return new Map((await repo.lockAccountsBulk(tx, accountIds)).map((row) => [row.id, balanceOfRow(row)]));
}

export async function postBatch(tx: Tx, clock: Clock, request: PostBatchRequest): Promise<PostedBatch> {
  if (request.transactions.length === 0) return { transactionIds: [], postingCount: 0 };
  const now = clock.now();
  const createdBy = actorLabel(request.actor);
  const stored: (Posting & { id: string; transactionId: string })[] = [];
  const all: Posting[] = [];
  const newTransactions = request.transactions.map((t) => {
    assertIdempotencyKey(t.idempotencyKey);
    assertTransactionType(t.type, postableTypes);
    const postings = normalisePostings(t.postings);
    const id = t.id ?? newId();
    for (const p of postings) {
      stored.push({ ...p, id: newId(), transactionId: id });
      all.push(p);
    }
    const metadata = t.metadata ?? {};
    const hash = requestHash({ operation: 'post', type: t.type, postings: sortedPostings(postings), memo: t.memo ?? null, metadata });
    return { id, type: t.type, idempotencyKey: t.idempotencyKey, requestHash: hash, reversesId: null, memo: t.memo ?? null, metadata, createdAt: now, createdBy };
  });

  await repo.insertTransactionsBulk(tx, newTransactions, stored);
  await repo.checkBalancedNow(tx);

  const deltas = postedDeltas(all);
  const locked = await repo.lockAccountsBulk(tx, [...deltas.keys()]);
  const missing = [...deltas.keys()].filter((id) => !locked.some((a) => a.id === id));
  if (missing.length > 0) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountIds: missing });
  assertFloorsHold(locked, deltas);
  await repo.applyBalanceDeltasBulk(tx, deltas);

  if (request.audit) {
    await recordAudit(tx, clock, {
      actor: request.actor,
      action: request.audit.action,
      entityType: request.audit.entityType,
      entityId: request.audit.entityId,
      after: {
        ...request.audit.details,
        ledgerTransactions: newTransactions.length,
        postings: stored.length,
        totalFen: all.reduce((sum, p) => sum + p.debitFen, 0),
        firstTransactionId: newTransactions[0]?.id,
        lastTransactionId: newTransactions.at(-1)?.id,
      },
      requestId: request.audit.requestId ?? null,
    });
  }
  return { transactionIds: newTransactions.map((t) => t.id), postingCount: stored.length };
}
