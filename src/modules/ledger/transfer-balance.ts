import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { balanceOfRow, requestHash, type Posting } from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';
import { assertIdempotencyKey, idempotently, recordTransaction, type LedgerTransaction } from './record-transaction.js';

export interface TransferBalanceRequest {
  idempotencyKey: string;
  fromAccountId: string;
  toAccountId: string;
  memo?: string;
  metadata?: Record<string, unknown>;
  actor: AuditActor;
}

/**
 * Moves a purse's whole available balance to another purse (a replaced or upgraded card). The
 * amount is read under the account locks, so money that arrives concurrently is not lost
 * between the read and the move; money still held stays behind with its holds. A negative
 * balance (a used overdraft) moves as a debt, within the new purse's floor. Returns null when
 * there is nothing to move. A replay returns the first transfer, whatever the balance is now.
 */
export async function transferBalance(db: DbOrTx, clock: Clock, request: TransferBalanceRequest): Promise<LedgerTransaction | null> {
  assertIdempotencyKey(request.idempotencyKey);
  if (request.fromAccountId === request.toAccountId) throw fail('LEDGER_SAME_ACCOUNT', { accountId: request.fromAccountId });
  const hash = requestHash({
    operation: 'transfer-balance',
    fromAccountId: request.fromAccountId,
    toAccountId: request.toAccountId,
    memo: request.memo ?? null,
    metadata: request.metadata ?? {},
  });
  return inTransaction(db, (tx) => idempotently(tx, request.idempotencyKey, hash, () => transfer(tx, clock, request, hash)));
}

async function transfer(tx: Tx, clock: Clock, request: TransferBalanceRequest, hash: string): Promise<LedgerTransaction | null> {
  const accounts = await repo.lockAccounts(tx, [request.fromAccountId, request.toAccountId]);
  const from = accounts.find((a) => a.id === request.fromAccountId);
  const to = accounts.find((a) => a.id === request.toAccountId);
  if (!from || !to) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountIds: [request.fromAccountId, request.toAccountId] });
  if (from.type !== 'purse' || to.type !== 'purse') throw fail('LEDGER_ACCOUNT_TYPE', { reason: 'a balance moves between purses', types: [from.type, to.type] });
  const { availableFen } = balanceOfRow(from);
  if (availableFen === 0) return null;
  return recordTransaction(tx, clock, {
    idempotencyKey: request.idempotencyKey,
    requestHash: hash,
    type: 'transfer',
    postings: movement(from.id, to.id, availableFen),
    memo: request.memo ?? null,
    metadata: request.metadata,
    actor: request.actor,
  });
}

/** A purse's balance is a credit: moving a positive one debits the old purse; a debt moves the other way. */
function movement(fromId: string, toId: string, amountFen: number): Posting[] {
  const [debited, credited] = amountFen > 0 ? [fromId, toId] : [toId, fromId];
  const absFen = Math.abs(amountFen);
  return [
    { accountId: debited, debitFen: absFen, creditFen: 0 },
    { accountId: credited, debitFen: 0, creditFen: absFen },
  ];
}
