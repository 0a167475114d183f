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
  /** When the gateway took the refund, by its answer (Alipay gmt_refund_pay, WeChat Pay create_time): the day whose bill lists it. */
  billedAt?: Date | null;
  /** Where the gateway says the money went (WeChat Pay user_received_account); null when it does not say. */
  receivedAccount?: string | null;
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

/**
 * WeChat Pay's 发起异常退款 for a refund answered ABNORMAL: to the payer's bank card (the bank,
 * the card number and the holder's name, sent encrypted), or to the merchant's bank account, the
 * merchant then paying the payer offline.
 */
export type AbnormalRefundRequest = {
  /** The gateway's refund number (refund_id), which names the refund in the path. */
  gatewayRefundNo: string;
  outRequestNo: string;
} & (
  | { route: 'user_bank_card'; bankType: string; bankAccount: string; realName: string }
  | { route: 'merchant_bank_card' }
);

export interface AbnormalRefundClient {
  /**
   * The gateway took it (its refund is PROCESSING again, or already SUCCESS); the outcome is
   * notified as for any refund. A refusal (a 4xx business code) throws GATEWAY_REJECTED; an
   * answer that says nothing of the outcome (5xx, 429, no answer) throws anything else.
   */
  applyAbnormalRefund(request: AbnormalRefundRequest): Promise<{ status: string }>;
  /** The refund as the gateway holds it now (查询单笔退款 by out_refund_no): what a stale or redelivered outcome is checked against. */
  queryRefund(outRequestNo: string): Promise<RefundResult>;
}

/** Asking a user to sign Onecard's withholding agreement on the gateway's page (Alipay's 商户代扣, WeChat Pay's 委托代扣). */
export interface AgreementSignRequest {
  /** Onecard's own number for the agreement (Alipay's external_agreement_no, WeChat's out_contract_code). */
  externalAgreementNo: string;
  /** The user's account at Onecard, shown (masked) on the gateway's page. */
  externalLogonId: string;
  /** Where the gateway's page sends the browser after the user agreed or cancelled. */
  returnUrl: string;
  /** Where the gateway reports the agreement signed and, later, ended. */
  notifyUrl: string;
}

/**
 * An agreement as the gateway's query reports it: pending (Alipay TEMP: opened, not agreed),
 * active (NORMAL / SIGNED), stopped (paused by the user at Alipay), ended (WeChat TERMINATED;
 * Alipay reports an ended one as not existing), or not found.
 */
export interface AgreementState {
  state: 'not_found' | 'pending' | 'active' | 'stopped' | 'ended';
  /** The gateway's number (Alipay's agreement_no, WeChat's contract_id). */
  agreementNo: string | null;
  signedAt: Date | null;
}

/** Both numbers of an agreement: each gateway names it by one of them when ending it. */
export interface AgreementRef {
  externalAgreementNo: string;
  agreementNo: string;
}

export interface WithholdRequest {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  agreementNo: string;
  notifyUrl: string;
}

/**
 * A withholding's outcome as far as the answer says: paid (Alipay answers alipay.trade.pay at
 * once), accepted and being charged (WeChat Pay's 受理扣款 charges afterwards and notifies the
 * outcome: 扣款中), or definitely refused (no money moved). Anything whose outcome is not known
 * (no answer, a system error, a bad signature) is thrown instead, so that the caller leaves the
 * order open for the query and expiry jobs.
 */
export type WithholdResult =
  | { ok: true; tradeNo: string; amountFen: number; paidAt: Date }
  | { ok: 'pending' }
  | { ok: false; reason: 'balance_not_enough' | 'agreement_invalid' | 'refused'; subCode: string; message: string };

/**
 * What 自动充值 needs from a gateway's withholding product: the signing link, the agreement's
 * state, a charge under it, and its end. Alipay's 商户代扣 and WeChat Pay's 委托代扣 both implement it.
 */
export interface AgreementClient {
  readonly name: GatewayName;
  /** Where the user goes to sign (Alipay: a signed gateway link; WeChat: the pre-sign answer's link). */
  agreementSignUrl(request: AgreementSignRequest): Promise<string>;
  queryAgreement(externalAgreementNo: string): Promise<AgreementState>;
  withhold(request: WithholdRequest): Promise<WithholdResult>;
  /** Ends the agreement at the gateway; one the gateway no longer has counts as ended. */
  unsignAgreement(ref: AgreementRef): Promise<void>;
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
  /** Where the money went (WeChat Pay user_received_account: 支付用户零钱, a bank card, 商户结算银行账户…); null when not said. */
  receivedAccount: string | null;
}

/**
 * A withholding agreement signed or ended at the gateway (Alipay's dut_user_sign and
 * dut_user_unsign; WeChat Pay's ENTRUST.SIGN and ENTRUST.TERMINATE), its signature and merchant
 * checked: how Onecard learns of a parent who agreed on the gateway's page and never came back,
 * or who ended the agreement in the gateway's app.
 */
export interface AgreementNotice {
  kind: 'agreement';
  gateway: GatewayName;
  notifyId: string;
  /** Onecard's 商户签约号 for the agreement (WeChat's out_contract_code). */
  externalAgreementNo: string;
  /** The gateway's number (WeChat's contract_id). */
  agreementNo: string;
  /** signed: in force (Alipay NORMAL, WeChat SIGNED); unsigned: ended at the gateway (UNSIGN, TERMINATED). */
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
