import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { requestHash } from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';
import { assertIdempotencyKey, idempotently, recordTransaction, type LedgerTransaction } from './record-transaction.js';

export interface ReverseTransactionRequest {
  idempotencyKey: string;
  transactionId: string;
  memo?: string;
  actor: AuditActor;
}

/**
 * Undoes a transaction with a new one that swaps its debits and credits; history is never
 * edited. A transaction is reversed at most once (also a unique index), and a reversal is not
 * itself reversible: to redo, post the transaction again. Reversing money a purse has since
 * spent is INSUFFICIENT_FUNDS, like any other debit.
 */
export async function reverseTransaction(db: DbOrTx, clock: Clock, request: ReverseTransactionRequest): Promise<LedgerTransaction> {
  assertIdempotencyKey(request.idempotencyKey);
  const hash = requestHash({ operation: 'reverse', transactionId: request.transactionId, memo: request.memo ?? null });
  return inTransaction(db, (tx) => idempotently(tx, request.idempotencyKey, hash, () => reverse(tx, clock, request, hash)));
}

async function reverse(tx: Tx, clock: Clock, request: ReverseTransactionRequest, hash: string): Promise<LedgerTransaction> {
  const original = await repo.lockTransaction(tx, request.transactionId);
  if (!original) throw fail('LEDGER_TRANSACTION_NOT_FOUND', { transactionId: request.transactionId });
  if (original.type === 'reversal') throw fail('LEDGER_NOT_REVERSIBLE', { transactionId: original.id });
  const earlier = await repo.findReversalOf(tx, original.id);
  if (earlier) throw fail('LEDGER_ALREADY_REVERSED', { transactionId: original.id, reversalId: earlier.id });
  const postings = (await repo.postingsOf(tx, original.id)).map((p) => ({ accountId: p.accountId, debitFen: p.creditFen, creditFen: p.debitFen }));
  return recordTransaction(tx, clock, {
    idempotencyKey: request.idempotencyKey,
    requestHash: hash,
    type: 'reversal',
    reversesId: original.id,
    postings,
    memo: request.memo ?? null,
    metadata: { reversedType: original.type },
    actor: request.actor,
  });
}

/**
 * The postings of a transaction as they were posted: what undoing part of it moves back (a
 * canteen refund onto a replacement card debits the account its purchase credited).
 */
export function postingsOf(db: DbOrTx, transactionId: string) {
  return repo.postingsOf(db, transactionId);
}
