import type { GatewayName } from '../payments.tables.js';

/** What the payment use cases need from a gateway, whichever it is. */

export type { GatewayName };

export interface StartPaymentRequest {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  /** Shown on the cashier page (收款方); Alipay carries it as `body`, WeChat Pay as `attach`. */
  payee: string;
  expiresAt: Date;
  notifyUrl: string;
  returnUrl: string;
  /** The payer's IP address: WeChat Pay's H5 payment requires it. */
  payerIp: string;
}

/** A trade as the gateway reports it when asked (alipay.trade.query, WeChat's query by out_trade_no). */
export interface TradeState {
  state: 'not_found' | 'pending' | 'paid' | 'closed';
  tradeNo: string | null;
  amountFen: number | null;
  paidAt: Date | null;
}

/**
 * What closing a trade at the gateway came to: it is closed (now or before), the gateway never
 * had it (the payer never reached the cashier), or it could not be closed because it is paid.
 */
export type TradeCloseResult = 'closed' | 'not_found' | 'paid';

export interface RefundRequest {
  outTradeNo: string;
  tradeNo: string;
  refundFen: number;
  /** The trade's whole amount; WeChat Pay requires it beside the refund. */
  totalFen: number;
  /** Chosen by Onecard and persisted before sending: the gateway refunds once per number. */
  outRequestNo: string;
  reason: string;
  /** Where the gateway notifies the refund's outcome (WeChat Pay); Alipay answers refunds at once. */
  notifyUrl: string | null;
}

export interface RefundResult {
  /** True when the money has gone back; false while the gateway is still processing, or when it gave up. */
  done: boolean;
  gatewayRefundNo: string | null;
  /** The gateway gave up on the refund (WeChat Pay ABNORMAL: the payer's account cannot take it; CLOSED). */
  failed?: 'ABNORMAL' | 'CLOSED';
}

export interface GatewayClient {
  readonly name: GatewayName;
  /** Where the payer goes to pay: a signed gateway URL or the gateway's H5 cashier link. */
  startPayment(request: StartPaymentRequest): Promise<string>;
  queryTrade(outTradeNo: string): Promise<TradeState>;
  /** Closes an unpaid trade so that it can no longer be paid (alipay.trade.close, WeChat's close order). */
  closeTrade(outTradeNo: string): Promise<TradeCloseResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** A notification whose signature, merchant and fields have been checked. */
export interface PaymentNotice {
  kind: 'payment';
  gateway: GatewayName;
  notifyId: string;
  outTradeNo: string;
  tradeNo: string;
  amountFen: number;
  /** The trade is paid (Alipay TRADE_SUCCESS / TRADE_FINISHED, WeChat TRANSACTION.SUCCESS). */
  paid: boolean;
  paidAt: Date | null;
  /** The gateway's own status word, kept for the record. */
  status: string;
}

/**
 * A refund's outcome, notified by the gateway (WeChat Pay REFUND.SUCCESS / REFUND.ABNORMAL /
 * REFUND.CLOSED), its signature and merchant checked.
 */
export interface RefundNotice {
  kind: 'refund';
  gateway: GatewayName;
  notifyId: string;
  outTradeNo: string;
  /** Our out_refund_no: which refund this is. */
  outRequestNo: string;
  gatewayRefundNo: string;
  refundFen: number;
  /** SUCCESS: the money went back; ABNORMAL (the payer's account cannot take it) and CLOSED need an operator. */
  status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
}

/**
 * A withholding agreement signed or ended at the gateway (Alipay's dut_user_sign and
 * dut_user_unsign), its signature and app checked: how Onecard learns of a parent who agreed on
 * Alipay's page and never came back, or who ended the agreement in the Alipay app.
 */
export interface AgreementNotice {
  kind: 'agreement';
  /** Only Alipay's 商户代扣 is built (WeChat Pay's 委托代扣 is not). */
  gateway: 'alipay';
  notifyId: string;
  /** Onecard's 商户签约号 for the agreement. */
  externalAgreementNo: string;
  agreementNo: string;
  /** signed: in force (status NORMAL); unsigned: ended at the gateway (UNSIGN). */
  event: 'signed' | 'unsigned';
  /** When it was signed or ended, as the gateway says. */
  at: Date | null;
}

export type GatewayNotice = PaymentNotice | RefundNotice | AgreementNotice;

/** The reply a gateway expects: it retries until it gets the success one. */
export interface NotifyReply {
  statusCode: number;
  contentType: string | null;
  body: string | null;
}

export interface NotificationVerifier {
  readonly name: GatewayName;
  /** Throws a DomainError (NOTIFY_*) for anything that is not a genuine notification to us. */
  verify(headers: Record<string, string | string[] | undefined>, rawBody: string, now: Date): GatewayNotice;
  readonly accepted: NotifyReply;
  rejected(reason: string): NotifyReply;
}
