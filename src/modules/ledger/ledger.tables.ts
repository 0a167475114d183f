import type { ColumnType } from 'kysely';

/** Kysely table types of the ledger (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Written as serialised JSON text, read back parsed. */
type JsonObject = ColumnType<Record<string, unknown>, string, string>;

/** Who owes whom: see docs/decisions/0002-ledger.md for each type's sign convention. */
export type LedgerAccountType = 'purse' | 'gateway_clearing' | 'fee_income' | 'fare_revenue' | 'merchant' | 'refunds_payable' | 'suspense';
export type LedgerTransactionType = 'top_up' | 'fare' | 'purchase' | 'fee' | 'refund' | 'transfer' | 'adjustment' | 'reversal';
export type LedgerHoldStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface LedgerAccountsTable {
  id: string;
  code: string;
  type: LedgerAccountType;
  owner_id: string | null;
  debits_posted_fen: ColumnType<number, number | undefined, number>;
  credits_posted_fen: ColumnType<number, number | undefined, number>;
  debits_pending_fen: ColumnType<number, number | undefined, number>;
  credits_pending_fen: ColumnType<number, number | undefined, number>;
  /** The lowest balance the account may reach (≤ 0; 0 = no overdraft); only enforced with the flag below. */
  floor_fen: ColumnType<number, number | undefined, number>;
  debits_must_not_exceed_credits: ColumnType<boolean, boolean | undefined, never>;
  created_at: ColumnType<Date, Date | string, never>;
}

/** Append-only: a correction is a new reversing transaction. */
export interface LedgerTransactionsTable {
  id: string;
  type: LedgerTransactionType;
  idempotency_key: string;
  request_hash: string;
  reverses_id: string | null;
  memo: string | null;
  metadata: JsonObject;
  created_at: ColumnType<Date, Date | string, never>;
  created_by: string;
}

/** Append-only; exactly one of debit_fen / credit_fen is positive, the other 0. */
export interface LedgerPostingsTable {
  id: string;
  transaction_id: string;
  account_id: string;
  debit_fen: number;
  credit_fen: number;
}

/**
 * Every entry of the ledger (a view, migration 0017): the postings, and the purse entries of
 * settled transit taps (posting_id null), which are their purse's debit without a posting row.
 */
export interface LedgerEntriesView {
  posting_id: string | null;
  transaction_id: string;
  account_id: string;
  debit_fen: number;
  credit_fen: number;
}

export interface LedgerHoldsTable {
  id: string;
  idempotency_key: string;
  request_hash: string;
  /** The account whose money is reserved (debited when posted). */
  account_id: string;
  /** The account that receives the money when the hold is posted. */
  counter_account_id: string;
  amount_fen: number;
  /** The type of the transaction the hold becomes when posted. */
  transaction_type: LedgerTransactionType;
  status: LedgerHoldStatus;
  expires_at: Timestamp;
  memo: string | null;
  metadata: JsonObject;
  transaction_id: string | null;
  created_at: ColumnType<Date, Date | string, never>;
  created_by: string;
  resolved_at: Timestamp | null;
}

export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_postings: LedgerPostingsTable;
  ledger_entries: LedgerEntriesView;
  ledger_holds: LedgerHoldsTable;
}
