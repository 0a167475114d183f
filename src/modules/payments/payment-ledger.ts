import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { accountCodes, ensureAccount, postTransaction, type LedgerAccount, type LedgerTransaction } from '../ledger/ledger.js';
import { networkAccount } from '../campus/network-account.js';
import { tuitionAccountOfOrder } from '../campus/school-bills.js';
import type { OrderRow } from './payments.repository.js';
import type { GatewayName } from './payments.tables.js';

/**
 * Every money movement of payments, as ledger transactions (the ledger is the only writer of
 * balances). Money in: debit the gateway's clearing account, credit what it pays for. Money back:
 * first into refunds:payable (reserved), then out of it to the gateway when the gateway confirms.
 * Idempotency keys are derived from gateway facts (trade numbers) or our refund ids, so a replay
 * of any step moves nothing twice. Each runs in its caller's transaction (the order's row lock).
 */

/** A gateway's clearing, the outlets' cash, or the merchant's own bank account (异常退款 paid there). */
const clearing = (tx: DbOrTx, clock: Clock, gateway: GatewayName | 'outlet' | 'merchant_bank', actor: AuditActor) =>
  ensureAccount(tx, clock, { code: accountCodes.clearing(gateway), type: 'gateway_clearing', actor });

const refundsPayable = (tx: DbOrTx, clock: Clock, actor: AuditActor) =>
  ensureAccount(tx, clock, { code: accountCodes.refundsPayable(), type: 'refunds_payable', actor });

/** A card's purse (the cards module opens it when it issues the card). */
export function cardPurse(tx: DbOrTx, clock: Clock, cardId: string, actor: AuditActor): Promise<LedgerAccount> {
  return ensureAccount(tx, clock, { code: accountCodes.purse(cardId), type: 'purse', ownerId: cardId, actor });
}

/** What a paid order credits: the card's purse, the student's campus network account, fee income, or the university's tuition account. */
async function orderTarget(tx: DbOrTx, clock: Clock, order: OrderRow, actor: AuditActor): Promise<LedgerAccount> {
  switch (order.kind) {
    case 'top_up':
      if (!order.card_id) throw new Error(`top-up order ${order.id} names no card`);
      return cardPurse(tx, clock, order.card_id, actor);
    case 'network_top_up':
      return networkAccount(tx, clock, order.student_id, actor);
    case 'fee':
      return ensureAccount(tx, clock, { code: accountCodes.fees(), type: 'fee_income', actor });
    case 'school_bill':
      return tuitionAccountOfOrder(tx, clock, order.id, actor);
  }
}

export interface IncomingPayment {
  gateway: GatewayName;
  tradeNo: string;
  amountFen: number;
}

/** One key per gateway trade: however often and by whatever path a trade is reported, it is booked once. */
export const incomingPaymentKey = (gateway: GatewayName, tradeNo: string) => `payment:${gateway}:${tradeNo}`;

/** A paid order: the purse (top-up) or fee income (fee) is credited. */
export async function bookPaymentForOrder(tx: DbOrTx, clock: Clock, order: OrderRow, payment: IncomingPayment, actor: AuditActor): Promise<LedgerTransaction> {
  const [from, to] = [await clearing(tx, clock, payment.gateway, actor), await orderTarget(tx, clock, order, actor)];
  return postTransaction(tx, clock, {
    idempotencyKey: incomingPaymentKey(payment.gateway, payment.tradeNo),
    type: order.kind === 'fee' || order.kind === 'school_bill' ? 'fee' : 'top_up',
    postings: [{ accountId: from.id, debitFen: payment.amountFen }, { accountId: to.id, creditFen: payment.amountFen }],
    memo: `${{ top_up: '充值', network_top_up: '校园网充值', fee: '缴费', school_bill: '学费缴费' }[order.kind]} ${order.order_no}`,
    metadata: { orderId: order.id, orderNo: order.order_no, gateway: payment.gateway, tradeNo: payment.tradeNo },
    actor,
  });
}

/** Money for an order that is closed or already paid: owed back to the payer until the gateway refunds it. */
export async function bookPaymentForRefund(tx: DbOrTx, clock: Clock, order: OrderRow, payment: IncomingPayment, actor: AuditActor): Promise<LedgerTransaction> {
  const [from, to] = [await clearing(tx, clock, payment.gateway, actor), await refundsPayable(tx, clock, actor)];
  return postTransaction(tx, clock, {
    idempotencyKey: incomingPaymentKey(payment.gateway, payment.tradeNo),
    type: 'adjustment',
    postings: [{ accountId: from.id, debitFen: payment.amountFen }, { accountId: to.id, creditFen: payment.amountFen }],
    memo: `订单 ${order.order_no} 已关闭或已支付，款项待退回`,
    metadata: { orderId: order.id, orderNo: order.order_no, gateway: payment.gateway, tradeNo: payment.tradeNo },
    actor,
  });
}

/** Takes money back from what a paid order credited (the purse may refuse: INSUFFICIENT_FUNDS). */
export async function reserveOrderRefund(tx: DbOrTx, clock: Clock, order: OrderRow, refund: { id: string; amountFen: number }, actor: AuditActor): Promise<void> {
  const [from, to] = [await orderTarget(tx, clock, order, actor), await refundsPayable(tx, clock, actor)];
  await postTransaction(tx, clock, {
    idempotencyKey: `refund-reserve:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: from.id, debitFen: refund.amountFen }, { accountId: to.id, creditFen: refund.amountFen }],
    memo: `订单 ${order.order_no} 退款`,
    metadata: { orderId: order.id, refundId: refund.id },
    actor,
  });
}

/** A whole purse balance handed back (card return): purse → refunds:payable. */
export async function reserveBalanceRefund(tx: DbOrTx, clock: Clock, purse: LedgerAccount, refund: { id: string; amountFen: number }, actor: AuditActor): Promise<void> {
  const to = await refundsPayable(tx, clock, actor);
  await postTransaction(tx, clock, {
    idempotencyKey: `balance-refund:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: purse.id, debitFen: refund.amountFen }, { accountId: to.id, creditFen: refund.amountFen }],
    memo: '余额退款',
    metadata: { balanceRefundId: refund.id },
    actor,
  });
}

/** The gateway has paid a refund back: refunds:payable → clearing:<gateway>. */
export async function bookRefundPaid(tx: DbOrTx, clock: Clock, refund: { id: string; gateway: GatewayName; amountFen: number; orderId: string }, actor: AuditActor): Promise<void> {
  const [from, to] = [await refundsPayable(tx, clock, actor), await clearing(tx, clock, refund.gateway, actor)];
  await postTransaction(tx, clock, {
    idempotencyKey: `refund-paid:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: from.id, debitFen: refund.amountFen }, { accountId: to.id, creditFen: refund.amountFen }],
    memo: '原路退款已完成',
    metadata: { orderId: refund.orderId, refundId: refund.id, gateway: refund.gateway },
    actor,
  });
}

/** An outlet paid a balance out in cash: refunds:payable → clearing:outlet (settled with the outlets). */
export async function bookOutletPayout(tx: DbOrTx, clock: Clock, refund: { id: string; amountFen: number; outlet: string }, actor: AuditActor): Promise<void> {
  const [from, to] = [await refundsPayable(tx, clock, actor), await clearing(tx, clock, 'outlet', actor)];
  await postTransaction(tx, clock, {
    idempotencyKey: `balance-refund-outlet:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: from.id, debitFen: refund.amountFen }, { accountId: to.id, creditFen: refund.amountFen }],
    memo: `网点 ${refund.outlet} 现金退款`,
    metadata: { balanceRefundId: refund.id, outlet: refund.outlet },
    actor,
  });
}

/**
 * 异常退款 to the merchant's bank account: WeChat Pay paid the refund out of its clearing, but to
 * our own bank account, not to the payer. The money is ours in the bank (clearing:merchant_bank)
 * and still owed to the payer (it stays in refunds:payable) until the offline transfer.
 */
export async function bookRefundToMerchantBank(tx: DbOrTx, clock: Clock, refund: { id: string; gateway: GatewayName; amountFen: number; orderId: string }, actor: AuditActor): Promise<void> {
  const [bank, from] = [await clearing(tx, clock, 'merchant_bank', actor), await clearing(tx, clock, refund.gateway, actor)];
  await postTransaction(tx, clock, {
    idempotencyKey: `refund-to-merchant-bank:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: bank.id, debitFen: refund.amountFen }, { accountId: from.id, creditFen: refund.amountFen }],
    memo: '异常退款退至商户银行账户，待线下转账',
    metadata: { orderId: refund.orderId, refundId: refund.id, gateway: refund.gateway },
    actor,
  });
}

/** The offline transfer to the payer from the merchant's bank account: refunds:payable → clearing:merchant_bank. */
export async function bookOfflineRefundPaid(tx: DbOrTx, clock: Clock, refund: { id: string; amountFen: number; orderId: string; reference: string }, actor: AuditActor): Promise<void> {
  const [from, bank] = [await refundsPayable(tx, clock, actor), await clearing(tx, clock, 'merchant_bank', actor)];
  await postTransaction(tx, clock, {
    idempotencyKey: `refund-offline-paid:${refund.id}`,
    type: 'refund',
    postings: [{ accountId: from.id, debitFen: refund.amountFen }, { accountId: bank.id, creditFen: refund.amountFen }],
    memo: `线下转账退款 ${refund.reference}`,
    metadata: { orderId: refund.orderId, refundId: refund.id, reference: refund.reference },
    actor,
  });
}
