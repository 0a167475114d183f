import type { CardProduct } from '../../domain/card-lifecycle.js';
import { fail } from '../../platform/errors.js';
import './payments.errors.js';
import type { OrderItem, OrderKind, OrderStatus } from './payments.tables.js';

/** Payment rules that need no I/O: amounts, fee items, order numbers, time limits. */

/** An unpaid order closes after 30 minutes, like the gateways' own default cashier timeout. */
export const orderTtlMs = 30 * 60_000;

/** The app's top-up buttons (50, 100, 200, 500 yuan); any whole-fen amount from ¥1 to ¥1000 may be typed. */
export const topUpPresetsFen: readonly number[] = [5_000, 10_000, 20_000, 50_000];
export const topUpMinFen = 100;
export const topUpMaxFen = 100_000;

/** A balance up to ¥200 is refunded in the app; above that the holder goes to a service outlet. */
export const inAppBalanceRefundLimitFen = 20_000;

export function assertTopUpAmount(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen < topUpMinFen || amountFen > topUpMaxFen) {
    throw fail('TOP_UP_AMOUNT_INVALID', { amountFen, minFen: topUpMinFen, maxFen: topUpMaxFen, presetsFen: topUpPresetsFen });
  }
}

export const topUpItem: OrderItem = { name: '学生卡充值', projectName: null, feeCode: null, documentNo: null, payee: '北京市政交通一卡通有限公司' };

/**
 * What a top-up buys and whom it pays, which is also the e-invoice's seller: a campus card's purse
 * is its university's campus-card account (seed 004, 校园卡APP 卡片充值: the card's school); every
 * other card's is 北京一卡通's.
 */
export function topUpItemOf(product: CardProduct, schoolName: string): OrderItem {
  return product === 'campus_card' ? { ...topUpItem, name: '校园卡充值', payee: schoolName } : topUpItem;
}

export interface FeeDefinition {
  amountFen: number;
  item: OrderItem;
}

/** Fee items by fee code (收费编码); seed 000 shows the replacement card fee. */
export const fees: Readonly<Record<string, FeeDefinition>> = {
  '174011': {
    amountFen: 1_500,
    item: {
      name: '北京市中小学生学习卡补卡工本费',
      projectName: '北京市中小学生学习卡补卡缴费项目',
      feeCode: '174011',
      documentNo: '京发函【2007】623号',
      payee: '北京教育网络信息中心',
    },
  },
};

/**
 * The English of the item and project names the code gives orders (the Chinese stay the official
 * names: 收费项目 and 项目名称 as the fee documents have them). A name that is data (a school
 * bill's title) has none.
 */
const namesEn: Readonly<Record<string, string>> = {
  学生卡充值: 'Student card top-up',
  校园卡充值: 'Campus card top-up',
  校园网网费: 'Campus network fee',
  学费: 'Tuition',
  重修费: 'Retake fee',
  北京市中小学生学习卡补卡工本费: 'Beijing K-12 student card replacement fee',
  北京市中小学生学习卡补卡缴费项目: 'Beijing K-12 student card replacement',
};

export function orderNameInEnglish(name: string | null): string | null {
  return name === null ? null : (namesEn[name] ?? null);
}

export function feeByCode(feeCode: string): FeeDefinition {
  const fee = fees[feeCode];
  if (!fee) throw fail('FEE_UNKNOWN', { feeCode, known: Object.keys(fees) });
  return fee;
}

/**
 * The order number the payer sees and the gateways get as out_trade_no: the order's UUIDv7 in
 * hex without its version digit, 31 hex characters like seed 000's `c89fd3a2…`. Unique because
 * the id is, time-ordered, and inside both gateways' character sets and lengths.
 */
export function orderNoOf(orderId: string): string {
  const hex = orderId.replaceAll('-', '').toLowerCase();
  return hex.slice(0, 12) + hex.slice(13);
}

export function isOpen(status: OrderStatus): boolean {
  return status === 'created' || status === 'paying';
}

/**
 * Who places 自动充值's orders (auto-top-up.ts). Its orders are charged through the parent's
 * withholding agreement only: nobody pays them at a cashier or cancels them (that could charge
 * the family twice while Alipay's answer is still unknown); the expiry job settles or closes them.
 */
export const autoTopUpCreator = 'auto_top_up';

/** Whether a person may pay or cancel the order: open, and not an auto top-up's. */
export function isPayableByHand(order: { status: OrderStatus; created_by_role: string }): boolean {
  return isOpen(order.status) && order.created_by_role !== autoTopUpCreator;
}

/**
 * Whether an operator may refund the order through its gateway: paid, fulfilled and known to the
 * gateway. A university's bill is not refunded here: taking the money back would leave the bill
 * paid; its finance office refunds tuition by its own rules (decision 0007).
 */
export function operatorRefundBlock(order: { status: OrderStatus; kind: OrderKind; gateway: string | null; gateway_trade_no: string | null }): 'REFUND_NOT_ALLOWED' | 'REFUND_SCHOOL_BILL' | null {
  if (order.status !== 'fulfilled' || !order.gateway || !order.gateway_trade_no) return 'REFUND_NOT_ALLOWED';
  return order.kind === 'school_bill' ? 'REFUND_SCHOOL_BILL' : null;
}
