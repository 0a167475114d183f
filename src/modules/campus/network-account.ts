import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction, type LedgerAccount } from '../ledger/ledger.js';
import { campusRepository as repo } from './campus.repository.js';

/**
 * A student's campus network account: a purse of the student (not of a card), opened at its first
 * top-up or sign-on. The one definition both campus billing and wallet top-up orders open it by.
 */
export function networkAccount(db: DbOrTx, clock: Clock, studentId: string, actor: AuditActor): Promise<LedgerAccount> {
  return ensureAccount(db, clock, { code: accountCodes.network(studentId), type: 'purse', ownerId: studentId, actor });
}

/** The network account's balance; 0 before it is opened (read without opening it). */
export async function networkBalanceFen(db: DbOrTx, studentId: string): Promise<number> {
  try {
    return (await balanceOf(db, (await findAccountByCode(db, accountCodes.network(studentId))).id)).availableFen;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'LEDGER_ACCOUNT_NOT_FOUND') return 0;
    throw error;
  }
}

/**
 * Moves the whole network balance onto the student's campus card purse, and says how much moved
 * (0 when there was none). Run inside a transaction: the student's network lock, which every
 * charge of an hour takes too, holds until it commits, so no hour is bought from money on its way
 * out. Used by the student's 网费转回校园卡 and by 退卡 of a campus card, whose balance refund then
 * carries the network money with it (rule: a balance is refunded when the student leaves).
 */
export async function moveNetworkBalanceToCard(tx: DbOrTx, clock: Clock, input: { studentId: string; cardId: string; actor: AuditActor; requestId: string | null }): Promise<number> {
  await repo.lockNetworkStudent(tx, input.studentId);
  const amountFen = await networkBalanceFen(tx, input.studentId);
  if (amountFen <= 0) return 0;
  const network = await findAccountByCode(tx, accountCodes.network(input.studentId));
  const purse = await findAccountByCode(tx, accountCodes.purse(input.cardId));
  const txn = await postTransaction(tx, clock, {
    idempotencyKey: `campus-network-return:${newId()}`,
    type: 'transfer',
    postings: [{ accountId: network.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }],
    memo: '校园网余额转回校园卡',
    metadata: { cardId: input.cardId },
    actor: input.actor,
  });
  await recordAudit(tx, clock, {
    actor: input.actor, action: 'campus.network.balance_returned', entityType: 'student', entityId: input.studentId,
    after: { amountFen, cardId: input.cardId, ledgerTransactionId: txn.id }, requestId: input.requestId,
  });
  return amountFen;
}
