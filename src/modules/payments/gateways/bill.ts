import type { GatewayName } from './gateway.js';

/**
 * A gateway's daily trade bill (对账单), read from Alipay's 业务明细 zip or WeChat Pay's trade bill
 * CSV into one shape: a line per payment and per refund, amounts in integer fen, fees in
 * thousandths of a fen (WeChat Pay writes fees with five decimals of a yuan).
 */

export interface BillLine {
  kind: 'payment' | 'refund';
  /** The gateway's trade number (支付宝交易号, 微信订单号). */
  tradeNo: string;
  /** Our order number (商户订单号). */
  outTradeNo: string;
  /** A refund's number as the merchant gave it (Alipay 退款批次号/请求号, WeChat 商户退款单号); null on payments. */
  outRefundNo: string | null;
  /**
   * A refund's state by the bill: Alipay lists completed refunds only (success); WeChat Pay's
   * 退款状态 SUCCESS → success, PROCESSING → processing, CHANGE (abnormal) / FAIL / REFUNDCLOSE
   * (closed) → failed. Null on payments.
   */
  refundState: BillRefundState | null;
  /** What was paid, or refunded: always positive. */
  amountFen: number;
  /** The gateway's fee for the line, in thousandths of a fen: charged positive, given back (on a refund) negative. */
  feeMillifen: number;
  /** When the gateway says it happened (Alipay 完成时间, WeChat 交易时间), Beijing time. */
  at: Date | null;
}

export type BillRefundState = 'success' | 'processing' | 'failed';

/** The bill's own summary, as the gateway printed it. */
export interface BillSummary {
  payments: number;
  refunds: number;
  paidFen: number;
  refundedFen: number;
  feeMillifen: number;
}

export interface TradeBill {
  gateway: GatewayName;
  date: string;
  lines: BillLine[];
  summary: BillSummary;
}

/**
 * What asking for a day's bill came to: the bill, or none yet (the gateways make a day's bill
 * the next morning; before that they answer that it does not exist or is being made).
 */
export type BillAnswer = { state: 'ready'; bill: TradeBill } | { state: 'not_ready'; code: string };

export interface BillClient {
  readonly name: GatewayName;
  /** Asks for the download address of `date`'s trade bill (yyyy-MM-dd, Beijing), downloads and reads it. */
  tradeBill(date: string): Promise<BillAnswer>;
}

/** Thrown by the parsers: the file is not a bill they can read, or it does not add up. */
export class BillFormatError extends Error {}

/**
 * A signed yuan amount with up to `decimals` decimals → integer units of 10^-decimals yuan.
 * '-0.12' → -12 (decimals 2); '0.05940' → 5940 (decimals 5). Anything else throws.
 */
export function parseSignedYuan(text: string, decimals: number, field: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[3]?.length ?? 0) > decimals) throw new BillFormatError(`${field}: not an amount: ${JSON.stringify(text)}`);
  const units = Number(match[2]) * 10 ** decimals + Number((match[3] ?? '').padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(units)) throw new BillFormatError(`${field}: amount out of range`);
  return match[1] === '-' ? -units : units;
}

/** Yuan with two decimals → fen. */
export const yuanToFenSigned = (text: string, field: string) => parseSignedYuan(text, 2, field);

/** Yuan with up to five decimals → thousandths of a fen. */
export const yuanToMillifen = (text: string, field: string) => parseSignedYuan(text, 5, field);

/** Thousandths of a fen → fen, rounded half away from zero (how the fee totals are shown). */
export function millifenToFen(millifen: number): number {
  return Math.sign(millifen) * Math.round(Math.abs(millifen) / 1000);
}

/** 'YYYY-MM-DD HH:mm:ss' in Beijing time → an instant; null when empty or malformed. */
export function parseBeijingTime(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  const at = new Date(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The summary a bill's lines add up to: what the gateway's own summary must say. */
export function summarise(lines: readonly BillLine[]): BillSummary {
  const sum = (kind: BillLine['kind']) => lines.filter((l) => l.kind === kind).reduce((s, l) => s + l.amountFen, 0);
  return {
    payments: lines.filter((l) => l.kind === 'payment').length,
    refunds: lines.filter((l) => l.kind === 'refund').length,
    paidFen: sum('payment'),
    refundedFen: sum('refund'),
    feeMillifen: lines.reduce((s, l) => s + l.feeMillifen, 0),
  };
}
