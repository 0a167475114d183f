import type { AuditActor, AuditEntry } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { assertTransactionType, normalisePostings, requestHash, sortedPostings, transactionTypes, type LedgerTransactionType, type PostingInput } from './ledger.model.js';
import { assertIdempotencyKey, idempotently, recordTransaction, recordTransactionWithBalances, type LedgerTransaction, type RecordedTransaction } from './record-transaction.js';

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
  const { postings, hash } = checkedPostRequest(request);
  return inTransaction(db, (tx) =>
    idempotently(tx, request.idempotencyKey, hash, () =>
      recordTransaction(tx, clock, { ...request, requestHash: hash, postings }),
    ),
  );
}

export interface OwnedTransactionRequest extends PostTransactionRequest {
  /** Chosen by the caller, to name the transaction in its own rows; a new UUIDv7 if absent. */
  id?: string;
  /** The caller's audit rows for the same change, written in one statement with the ledger's own. */
  audit?: readonly AuditEntry[];
}

/**
 * postTransaction for a caller that owns its request's idempotency: it has already found, under
 * a lock of its own in this same database transaction, that its request is new (the canteen POS
 * by its terminal and purchase id). The ledger's key lock and lookup would only repeat that, so
 * they are left out; the key is still stored and unique, so a repeated one fails, never posts
 * twice. Answers the balances the transaction left (no read back), for the caller's receipt.
 */
export async function postOwnedTransaction(tx: Tx, clock: Clock, request: OwnedTransactionRequest): Promise<RecordedTransaction> {
  const { postings, hash } = checkedPostRequest(request);
  return recordTransactionWithBalances(tx, clock, { ...request, requestHash: hash, postings });
}

/** The request's postings, checked and normalised, and the fingerprint a replay of its key is compared by. */
function checkedPostRequest(request: PostTransactionRequest) {
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
  return { postings, hash };
}
