import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { accountCodes, findAccountByCode, transferBalance } from '../ledger/ledger.js';

/**
 * Moves the old card's whole available balance to the new card's purse through the ledger (the
 * only writer of balances); keyed by the old card, so a retry never moves it twice. Returns fen moved.
 */
export async function moveBalance(tx: DbOrTx, clock: Clock, fromCardId: string, toCardId: string, memo: string, actor: AuditActor): Promise<number> {
  const [from, to] = await Promise.all([findAccountByCode(tx, accountCodes.purse(fromCardId)), findAccountByCode(tx, accountCodes.purse(toCardId))]);
  const moved = await transferBalance(tx, clock, { idempotencyKey: `ecard-move:${fromCardId}`, fromAccountId: from.id, toAccountId: to.id, memo, metadata: { fromCardId, toCardId }, actor });
  if (!moved) return 0;
  const posting = moved.postings.find((p) => p.accountId === to.id);
  return posting ? posting.creditFen - posting.debitFen : 0;
}
