/**
 * The ledger's public API: the only writer of balances. Other modules import from here.
 * Sign conventions and the model: docs/decisions/0002-ledger.md.
 */
export { ensureAccount, findAccountByCode, balanceOf, purseAvailableSql, purseJoinCondition, type EnsureAccountRequest, type LedgerAccount } from './accounts.js';
export { postOwnedTransaction, postTransaction, type OwnedTransactionRequest, type PostTransactionRequest } from './post-transaction.js';
export { postingsOf, reverseTransaction, type ReverseTransactionRequest } from './reverse-transaction.js';
export { createHold, postHold, voidHold, expireHolds, type CreateHoldRequest, type PostHoldRequest, type LedgerHold } from './holds.js';
export { transferBalance, type TransferBalanceRequest } from './transfer-balance.js';
export { accountStatement, type Statement, type StatementLine, type StatementQuery } from './account-statement.js';
export { checkLedger, describeViolation, type LedgerCheck, type LedgerViolation } from './check-ledger.js';
export type { LedgerTransaction } from './record-transaction.js';
export { accountCodes, normalSide, type Balance, type LedgerAccountType, type LedgerHoldStatus, type LedgerTransactionType, type PostingInput, type Posting } from './ledger.model.js';
export { lockForBatch, postBatch, type BatchTransactionInput, type PostBatchRequest, type PostedBatch } from './post-batch.js';
