import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { assertTransactionType, normalisePostings, requestHash, sortedPostings, transactionTypes, type LedgerTransactionType, type PostingInput } from './ledger.model.js';
import { assertIdempotencyKey, idempotently, recordTransaction, type LedgerTransaction } from './record-transaction.js';

export interface PostTransactionRequest {
  /** Chosen by the caller before it asks (a gateway notify id, a terminal sequence number…), so a retry is harmless. */
  idempotencyKey: string;
  type: LedgerTransactionType;
  postings: PostingInput[];
  memo?: string;
  metadata?: Record<string, unknown>;
  actor: AuditActor;
}

/** Reversals name the transaction they undo, so they go through reverseTransaction. */
const postableTypes = transactionTypes.filter((type) => type !== 'reversal');

/**
 * Records a balanced transaction and moves the balances with it, all or nothing. A replay of
 * the same key and body returns the first transaction (`replayed: true`); the same key with
 * another body is LEDGER_IDEMPOTENCY_CONFLICT; a purse pushed below its floor is INSUFFICIENT_FUNDS.
 */
export async function postTransaction(db: DbOrTx, clock: Clock, request: PostTransactionRequest): Promise<LedgerTransaction> {
  assertIdempotencyKey(request.idempotencyKey);
  assertTransactionType(request.type, postableTypes);
  const postings = normalisePostings(request.postings);
  const hash = requestHash({
    operation: 'post',
    type: request.type,
    postings: sortedPostings(postings),
    memo: request.memo ?? null,
    metadata: request.metadata ?? {},
  });
  return inTransaction(db, (tx) =>
    idempotently(tx, request.idempotencyKey, hash, () =>
      recordTransaction(tx, clock, { ...request, requestHash: hash, postings }),
    ),
  );
}
