import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { accountCodes, ensureAccount, type LedgerAccount } from '../ledger/ledger.js';

/**
 * A student's campus network account: a purse of the student (not of a card), opened at its first
 * top-up or sign-on. The one definition both campus billing and wallet top-up orders open it by.
 */
export function networkAccount(db: DbOrTx, clock: Clock, studentId: string, actor: AuditActor): Promise<LedgerAccount> {
  return ensureAccount(db, clock, { code: accountCodes.network(studentId), type: 'purse', ownerId: studentId, actor });
}
