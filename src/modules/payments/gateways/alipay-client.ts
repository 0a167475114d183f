import type { Clock } from '../../../platform/clock.js';
import { fail } from '../../../platform/errors.js';
import { alipayForm, alipaySignType, parseAlipayForm, signAlipayRequest, verifiedAlipayResponse, verifyAlipayNotification, type AlipayParams } from './alipay.js';
import { alipayTime, fenToYuan, parseAlipayTime, yuanToFen } from './formats.js';
import type { AgreementClient, AgreementNotice, AgreementRef, AgreementSignRequest, AgreementState, GatewayClient, GatewayNotice, NotificationVerifier, NotifyReply, RefundRequest, RefundResult, StartPaymentRequest, TradeCloseResult, TradeState, WithholdRequest, WithholdResult } from './gateway.js';
import { callGateway } from './http.js';

/** Onecard's side of Alipay: its app id, its private key, and Alipay's public key. */
export interface AlipayMerchant {
  appId: string;
  sellerId: string;
  appPrivateKey: string;
  alipayPublicKey: string;
}

export type { AgreementSignRequest, AgreementState, WithholdRequest, WithholdResult } from './gateway.js';

/** biz_content: texts, and the few request fields Alipay nests (access_params, agreement_params). */
type BizContent = Record<string, string | Record<string, string>>;

/** Alipay's 商户代扣 product as Onecard signs it up: the personal product, the payment product, the scene. */
const withholding = { personalProductCode: 'GENERAL_WITHHOLDING_P', productCode: 'GENERAL_WITHHOLDING', signScene: 'INDUSTRY|EDU' } as const;
const agreementNotExist = 'USER_AGREEMENT_NOT_EXIST';
const agreementNotifyTypes = new Set(['dut_user_sign', 'dut_user_unsign']);
const agreementStates = new Map<unknown, AgreementState['state']>([['TEMP', 'pending'], ['NORMAL', 'active'], ['STOP', 'stopped']]);
const businessFailed = '40004';
/** 40004 sub-codes that leave the trade's outcome unknown: Alipay says to query the trade. */
const unknownOutcomes = new Set(['ACQ.SYSTEM_ERROR', 'ACQ.TRADE_HAS_SUCCESS']);
const invalidAgreement = new Set(['ACQ.AGREEMENT_NOT_EXIST', 'ACQ.AGREEMENT_STATUS_NOT_NORMAL', 'ACQ.AGREEMENT_INVALID']);

const success = '10000';
const tradeNotExist = 'ACQ.TRADE_NOT_EXIST';
/** alipay.trade.close's answer for a trade that is not waiting for payment: paid, or closed already. */
const tradeStatusError = 'ACQ.TRADE_STATUS_ERROR';

/**
 * The Alipay open-platform client: wap pay links, alipay.trade.query, alipay.trade.close and
 * alipay.trade.refund; and 商户代扣: the agreement page link, alipay.user.agreement.query and
 * .unsign, and withholding with alipay.trade.pay.
 */
export class AlipayClient implements GatewayClient, AgreementClient {
  readonly name = 'alipay' as const;

  constructor(
    private readonly merchant: AlipayMerchant,
    /** `https://openapi.alipay.com/gateway.do`, or the sandbox's. */
    private readonly gatewayUrl: string,
    private readonly clock: Clock,
  ) {}

  /** The mobile cashier link (alipay.trade.wap.pay): a GET on the gateway with signed parameters. */
  async startPayment(request: StartPaymentRequest): Promise<string> {
    const params = this.signed('alipay.trade.wap.pay', {
      out_trade_no: request.outTradeNo,
      total_amount: fenToYuan(request.amountFen),
      subject: request.subject,
      body: request.payee,
      product_code: 'QUICK_WAP_WAY',
      time_expire: alipayTime(request.expiresAt),
    }, { notify_url: request.notifyUrl, return_url: request.returnUrl });
    return `${this.gatewayUrl}?${alipayForm(params)}`;
  }

  async queryTrade(outTradeNo: string): Promise<TradeState> {
    const response = await this.call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (response.sub_code === tradeNotExist) return { state: 'not_found', tradeNo: null, amountFen: null, paidAt: null };
    this.assertSuccess('alipay.trade.query', response);
    const status = String(response.trade_status);
    return {
      state: status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED' ? 'paid' : status === 'TRADE_CLOSED' ? 'closed' : 'pending',
      tradeNo: typeof response.trade_no === 'string' ? response.trade_no : null,
      amountFen: yuanToFen(String(response.total_amount)) ?? null,
      paidAt: parseAlipayTime(typeof response.send_pay_date === 'string' ? response.send_pay_date : undefined) ?? null,
    };
  }

  async closeTrade(outTradeNo: string): Promise<TradeCloseResult> {
    const response = await this.call('alipay.trade.close', { out_trade_no: outTradeNo });
    if (response.sub_code === tradeNotExist) return 'not_found';
    if (response.sub_code === tradeStatusError) {
      // Paid, or closed before (by us, or by Alipay at time_expire): the trade's state says which.
      const { state } = await this.queryTrade(outTradeNo);
      if (state === 'paid' || state === 'closed') return state;
    }
    this.assertSuccess('alipay.trade.close', response);
    return 'closed';
  }

  /** Alipay refunds once per out_request_no: asking again returns the same refund (fund_change N). */
  async refund(request: RefundRequest): Promise<RefundResult> {
    const response = await this.call('alipay.trade.refund', {
      out_trade_no: request.outTradeNo,
      refund_amount: fenToYuan(request.refundFen),
      out_request_no: request.outRequestNo,
      refund_reason: request.reason,
    });
    this.assertSuccess('alipay.trade.refund', response);
    return {
      done: true, gatewayRefundNo: typeof response.trade_no === 'string' ? `${response.trade_no}:${request.outRequestNo}` : null,
      billedAt: typeof response.gmt_refund_pay === 'string' ? parseAlipayTime(response.gmt_refund_pay) ?? null : null,
    };
  }

  /** The agreement page link (alipay.user.agreement.page.sign), opened in the user's browser: a GET on the gateway with signed parameters. */
  async agreementSignUrl(request: AgreementSignRequest): Promise<string> {
    const params = this.signed('alipay.user.agreement.page.sign', {
      personal_product_code: withholding.personalProductCode,
      product_code: withholding.productCode,
      sign_scene: withholding.signScene,
      external_agreement_no: request.externalAgreementNo,
      external_logon_id: request.externalLogonId,
      access_params: { channel: 'ALIPAYAPP' },
    }, { return_url: request.returnUrl, notify_url: request.notifyUrl });
    return `${this.gatewayUrl}?${alipayForm(params)}`;
  }

  async queryAgreement(externalAgreementNo: string): Promise<AgreementState> {
    const method = 'alipay.user.agreement.query';
    const response = await this.call(method, {
      external_agreement_no: externalAgreementNo, personal_product_code: withholding.personalProductCode, sign_scene: withholding.signScene,
    });
    if (response.sub_code === agreementNotExist) return { state: 'not_found', agreementNo: null, signedAt: null };
    this.assertSuccess(method, response);
    const state = agreementStates.get(response.status);
    const agreementNo = typeof response.agreement_no === 'string' && response.agreement_no !== '' ? response.agreement_no : null;
    // An agreement in force without its number could never be withheld on: not an answer to trust.
    if (!state || (state !== 'pending' && !agreementNo)) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'alipay', method, status: response.status });
    return { state, agreementNo, signedAt: parseAlipayTime(typeof response.sign_time === 'string' ? response.sign_time : undefined) ?? null };
  }

  /** Ends the agreement by Alipay's number; one Alipay no longer has (unsigned before, by us or by the user) counts as ended. */
  async unsignAgreement(ref: AgreementRef): Promise<void> {
    const method = 'alipay.user.agreement.unsign';
    const response = await this.call(method, { agreement_no: ref.agreementNo, personal_product_code: withholding.personalProductCode, sign_scene: withholding.signScene });
    if (response.sub_code === agreementNotExist) return;
    this.assertSuccess(method, response);
  }

  /** Takes the amount from the user's Alipay account under the agreement (alipay.trade.pay, no password). */
  async withhold(request: WithholdRequest): Promise<WithholdResult> {
    const method = 'alipay.trade.pay';
    const response = await this.call(method, {
      out_trade_no: request.outTradeNo,
      total_amount: fenToYuan(request.amountFen),
      subject: request.subject,
      product_code: withholding.productCode,
      agreement_params: { agreement_no: request.agreementNo },
    }, { notify_url: request.notifyUrl });
    if (response.code === success) return this.withheld(request.outTradeNo, response);
    const refusal = withholdRefusal(response);
    if (refusal) return refusal;
    throw rejection(method, response);
  }

  /** A 10000 answer to alipay.trade.pay: the trade is paid. One that does not say which trade, or how much, is not trusted. */
  private withheld(outTradeNo: string, response: Record<string, unknown>): WithholdResult {
    const amountFen = yuanToFen(typeof response.total_amount === 'string' ? response.total_amount : undefined);
    if (typeof response.trade_no !== 'string' || response.out_trade_no !== outTradeNo || amountFen === undefined) {
      throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'alipay', method: 'alipay.trade.pay', outTradeNo });
    }
    // gmt_payment is in every success answer; the clock only stands in if Alipay ever leaves it out.
    const paidAt = parseAlipayTime(typeof response.gmt_payment === 'string' ? response.gmt_payment : undefined) ?? this.clock.now();
    return { ok: true, tradeNo: response.trade_no, amountFen, paidAt };
  }

  private signed(method: string, bizContent: BizContent, extra: AlipayParams = {}): AlipayParams {
    return signAlipayRequest({
      app_id: this.merchant.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: alipaySignType,
      timestamp: alipayTime(this.clock.now()),
      version: '1.0',
      ...extra,
      biz_content: JSON.stringify(bizContent),
    }, this.merchant.appPrivateKey);
  }

  private async call(method: string, bizContent: BizContent, extra: AlipayParams = {}): Promise<Record<string, unknown>> {
    const response = await callGateway(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: alipayForm(this.signed(method, bizContent, extra)),
    });
    if (response.status !== 200) throw fail('GATEWAY_REJECTED', { gateway: 'alipay', httpStatus: response.status });
    const verified = verifiedAlipayResponse(response.body, method, this.merchant.alipayPublicKey);
    if (!verified) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'alipay', method });
    return verified;
  }

  private assertSuccess(method: string, response: Record<string, unknown>): void {
    if (response.code !== success) throw rejection(method, response);
  }
}

function rejection(method: string, response: Record<string, unknown>): Error {
  return fail('GATEWAY_REJECTED', { gateway: 'alipay', method, code: response.code, subCode: response.sub_code, message: response.sub_msg ?? response.msg });
}

/**
 * A definite refusal of a withholding (40004 with an ACQ.* sub-code: no money moved), or
 * undefined when the answer leaves the outcome unknown or is not a business failure at all.
 */
function withholdRefusal(response: Record<string, unknown>): WithholdResult | undefined {
  const subCode = typeof response.sub_code === 'string' ? response.sub_code : '';
  if (response.code !== businessFailed || !subCode.startsWith('ACQ.') || unknownOutcomes.has(subCode)) return undefined;
  const reason = subCode === 'ACQ.BUYER_BALANCE_NOT_ENOUGH' ? 'balance_not_enough' : invalidAgreement.has(subCode) ? 'agreement_invalid' : 'refused';
  return { ok: false, reason, subCode, message: String(response.sub_msg ?? response.msg ?? '') };
}

/** Alipay trade notifications: form-encoded, RSA2-signed, answered with the text `success`. */
export class AlipayNotificationVerifier implements NotificationVerifier {
  readonly name = 'alipay' as const;
  readonly accepted: NotifyReply = { statusCode: 200, contentType: 'text/plain', body: 'success' };

  constructor(private readonly merchant: AlipayMerchant) {}

  rejected(): NotifyReply {
    return { statusCode: 400, contentType: 'text/plain', body: 'fail' };
  }

  verify(_headers: Record<string, string | string[] | undefined>, rawBody: string): GatewayNotice {
    const params = parseAlipayForm(rawBody);
    if (!params) throw fail('NOTIFY_MALFORMED', { reason: 'not a form' });
    if (!verifyAlipayNotification(params, this.merchant.alipayPublicKey)) throw fail('NOTIFY_SIGNATURE_INVALID');
    if (agreementNotifyTypes.has(params.notify_type ?? '')) return this.agreementNotice(params);
    if (params.app_id !== this.merchant.appId || params.seller_id !== this.merchant.sellerId) {
      throw fail('NOTIFY_MERCHANT_MISMATCH', { appId: params.app_id, sellerId: params.seller_id });
    }
    const amountFen = yuanToFen(params.total_amount);
    const { notify_id: notifyId, out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: status } = params;
    if (!notifyId || !outTradeNo || !tradeNo || !status || amountFen === undefined) throw fail('NOTIFY_MALFORMED', { reason: 'missing fields' });
    const paid = status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED';
    return { kind: 'payment', gateway: 'alipay', notifyId, outTradeNo, tradeNo, amountFen, paid, paidAt: parseAlipayTime(params.gmt_payment) ?? null, status };
  }

  /** dut_user_sign (status NORMAL) or dut_user_unsign (UNSIGN) for Onecard's 商户代扣 product; they carry no seller_id. */
  private agreementNotice(params: AlipayParams): AgreementNotice {
    if (params.app_id !== this.merchant.appId) throw fail('NOTIFY_MERCHANT_MISMATCH', { appId: params.app_id });
    const { notify_id: notifyId, external_agreement_no: externalAgreementNo, agreement_no: agreementNo, notify_type: type, status } = params;
    if (!notifyId || !externalAgreementNo || !agreementNo) throw fail('NOTIFY_MALFORMED', { reason: 'missing fields' });
    if (params.personal_product_code !== withholding.personalProductCode || params.sign_scene !== withholding.signScene) {
      throw fail('NOTIFY_MALFORMED', { reason: 'not the withholding product Onecard signs', personalProductCode: params.personal_product_code, signScene: params.sign_scene });
    }
    const event = type === 'dut_user_sign' ? 'signed' : 'unsigned';
    if (status !== (event === 'signed' ? 'NORMAL' : 'UNSIGN')) throw fail('NOTIFY_MALFORMED', { reason: 'status does not fit the notification', notifyType: type, status });
    return { kind: 'agreement', gateway: 'alipay', notifyId, externalAgreementNo, agreementNo, event, at: parseAlipayTime(event === 'signed' ? params.sign_time : params.unsign_time) ?? null };
  }

}
