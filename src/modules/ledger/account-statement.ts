import { memoInEnglish } from '../../domain/ledger-memos.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { inNormalDirection, type LedgerTransactionType } from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';

export interface StatementQuery {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only transactions of this type (the running balance still counts them all). */
  type?: LedgerTransactionType;
  page?: number;
  pageSize?: number;
}

export interface StatementLine {
  transactionId: string;
  createdAt: Date;
  type: LedgerTransactionType;
  memo: string | null;
  /** The memo in English (domain/ledger-memos.ts); null for a memo that is data (a school bill's title) or none. */
  memoEn: string | null;
  /** Signed in the account's own direction: a top-up is positive on a purse, a purchase negative. */
  amountFen: number;
  /** The posted balance right after this transaction (counting everything before `from` too). */
  balanceAfterFen: number;
}

export interface Statement {
  items: StatementLine[];
  total: number;
  page: number;
  pageSize: number;
}

const maxPageSize = 200;

/** One account's posted transactions, newest first, with the running balance after each. */
export async function accountStatement(db: DbOrTx, accountId: string, query: StatementQuery = {}): Promise<Statement> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 20;
  if (!Number.isSafeInteger(page) || page < 1 || !Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw fail('VALIDATION_FAILED', { page, pageSize, maxPageSize });
  }
  const account = await repo.findAccountById(db, accountId);
  if (!account) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountId });
  const { rows, total } = await repo.statement(db, accountId, { from: query.from ?? null, to: query.to ?? null }, { limit: pageSize, offset: (page - 1) * pageSize }, query.type ?? null);
  return {
    items: rows.map((r) => ({
      transactionId: r.transactionId,
      createdAt: r.createdAt,
      type: r.type,
      memo: r.memo,
      memoEn: memoInEnglish(r.memo),
      amountFen: inNormalDirection(account.type, r.netCreditFen, 0),
      balanceAfterFen: inNormalDirection(account.type, r.balanceAfterFen, 0),
    })),
    total,
    page,
    pageSize,
  };
}
