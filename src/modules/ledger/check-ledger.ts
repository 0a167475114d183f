import type { DbOrTx } from '../../platform/db/database.js';
import type { BalanceColumns } from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';

export type LedgerViolation =
  | { kind: 'unbalanced_transaction'; transactionId: string; debitsFen: number; creditsFen: number; postingCount: number }
  | { kind: 'balance_mismatch'; accountId: string; code: string; column: keyof BalanceColumns; storedFen: number; expectedFen: number }
  | { kind: 'floor_broken'; accountId: string; code: string; balanceFen: number; floorFen: number };

export interface LedgerCheck {
  /** entries: postings and the purse entries of transit taps (ledger_entries, migration 0017). */
  counts: { transactions: number; accounts: number; entries: number; holds: number };
  violations: LedgerViolation[];
}

const balanceColumns: readonly (keyof BalanceColumns)[] = ['debitsPostedFen', 'creditsPostedFen', 'debitsPendingFen', 'creditsPendingFen'];

/**
 * Proves the ledger's invariants from its history rather than trusting the stored balances:
 * every transaction has postings that sum to zero; every account's posted columns equal the sums
 * of its postings and its pending columns the sums of its open holds; and, recomputed from the
 * postings, no guarded account is below its floor.
 */
export async function checkLedger(db: DbOrTx): Promise<LedgerCheck> {
  const counts = await repo.countRows(db);
  const unbalanced: LedgerViolation[] = (await repo.unbalancedTransactions(db)).map((t) => ({ kind: 'unbalanced_transaction', ...t }));
  const accountViolations = (await repo.suspiciousAccounts(db)).flatMap((account): LedgerViolation[] => {
    const mismatches = balanceColumns
      .filter((column) => account.stored[column] !== account.expected[column])
      .map((column): LedgerViolation => ({ kind: 'balance_mismatch', accountId: account.id, code: account.code, column, storedFen: account.stored[column], expectedFen: account.expected[column] }));
    const { expected } = account;
    const balanceFen = expected.creditsPostedFen - expected.debitsPostedFen - expected.debitsPendingFen;
    const floorBroken = account.guarded && balanceFen < account.floorFen;
    return floorBroken ? [...mismatches, { kind: 'floor_broken', accountId: account.id, code: account.code, balanceFen, floorFen: account.floorFen }] : mismatches;
  });
  return { counts, violations: [...unbalanced, ...accountViolations] };
}

/** One line per violation, for people (the CLI, logs). */
export function describeViolation(v: LedgerViolation): string {
  switch (v.kind) {
    case 'unbalanced_transaction':
      return `transaction ${v.transactionId} is unbalanced: debits ${v.debitsFen} fen, credits ${v.creditsFen} fen, ${v.postingCount} postings`;
    case 'balance_mismatch':
      return `account ${v.code} (${v.accountId}): ${v.column} is ${v.storedFen} but its history says ${v.expectedFen}`;
    case 'floor_broken':
      return `account ${v.code} (${v.accountId}): balance ${v.balanceFen} fen is below its floor ${v.floorFen} fen`;
  }
}
