import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

registerErrors({
  INSUFFICIENT_FUNDS: { status: 422, zh: '余额不足', en: 'Insufficient balance' },
  LEDGER_AMOUNT_INVALID: { status: 400, zh: '金额必须是正整数（分）', en: 'An amount must be a positive whole number of fen' },
  LEDGER_POSTING_INVALID: { status: 400, zh: '分录有误：每条分录须指定账户，且借方或贷方金额二选一', en: 'Each posting needs an account and either a debit or a credit amount' },
  LEDGER_UNBALANCED: { status: 422, zh: '借贷不平衡', en: 'Debits and credits do not balance' },
  LEDGER_TRANSACTION_TYPE_INVALID: { status: 400, zh: '交易类型无效', en: 'Unknown transaction type' },
  LEDGER_IDEMPOTENCY_CONFLICT: { status: 422, zh: '该幂等键已用于不同的记账请求', en: 'This idempotency key was used for a different ledger request' },
  LEDGER_ACCOUNT_NOT_FOUND: { status: 404, zh: '账户不存在', en: 'No such ledger account' },
  LEDGER_ACCOUNT_CODE_INVALID: { status: 400, zh: '账户代码格式不正确', en: 'The ledger account code is malformed' },
  LEDGER_ACCOUNT_CONFLICT: { status: 409, zh: '账户已存在且属性不同', en: 'The ledger account exists with different attributes' },
  LEDGER_ACCOUNT_TYPE: { status: 422, zh: '该操作不适用于此类账户', en: 'This operation does not apply to this kind of account' },
  LEDGER_SAME_ACCOUNT: { status: 400, zh: '转出与转入账户不能相同', en: 'The two accounts must differ' },
  LEDGER_TRANSACTION_NOT_FOUND: { status: 404, zh: '交易不存在', en: 'No such ledger transaction' },
  LEDGER_ALREADY_REVERSED: { status: 409, zh: '该交易已冲正', en: 'The transaction has already been reversed' },
  LEDGER_NOT_REVERSIBLE: { status: 422, zh: '冲正交易不能再冲正，请重新记账', en: 'A reversal cannot be reversed; post the transaction again instead' },
  LEDGER_HOLD_NOT_FOUND: { status: 404, zh: '预授权不存在', en: 'No such hold' },
  LEDGER_HOLD_NOT_PENDING: { status: 409, zh: '预授权已结束', en: 'The hold is no longer pending' },
  LEDGER_HOLD_EXPIRED: { status: 409, zh: '预授权已过期', en: 'The hold has expired' },
  LEDGER_HOLD_AMOUNT_EXCEEDED: { status: 422, zh: '扣款金额超过预授权金额', en: 'The amount exceeds the hold' },
});

/** The row CHECK behind every floor (bulk writers rely on it: ledger_apply_balance_deltas, migration 0014). */
registerConstraintErrors({ ledger_accounts_floor: 'INSUFFICIENT_FUNDS' });
