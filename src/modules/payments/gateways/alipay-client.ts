import type { Clock } from '../../../platform/clock.js';
import { fail } from '../../../platform/errors.js';
import { alipayForm, alipaySignType, parseAlipayForm, signAlipayRequest, verifiedAlipayResponse, verifyAlipayNotification, type AlipayParams } from './alipay.js';
import { alipayTime, fenToYuan, parseAlipayTime, yuanToFen } from './formats.js';
import type { GatewayClient, NotificationVerifier, NotifyReply, PaymentNotice, RefundRequest, RefundResult, StartPaymentRequest, TradeCloseResult, TradeState } from './gateway.js';
import { callGateway } from './http.js';

/** Onecard's side of Alipay: its app id, its private key, and Alipay's public key. */
export interface AlipayMerchant {
  appId: string;
  sellerId: string;
  appPrivateKey: string;
  alipayPublicKey: string;
}

const success = '10000';
const tradeNotExist = 'ACQ.TRADE_NOT_EXIST';
/** alipay.trade.close's answer for a trade that is not waiting for payment: paid, or closed already. */
const tradeStatusError = 'ACQ.TRADE_STATUS_ERROR';

/** The Alipay open-platform client: wap pay links, alipay.trade.query, alipay.trade.close and alipay.trade.refund. */
export class AlipayClient implements GatewayClient {
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
    return { done: true, gatewayRefundNo: typeof response.trade_no === 'string' ? `${response.trade_no}:${request.outRequestNo}` : null };
  }

  private signed(method: string, bizContent: Record<string, string>, extra: AlipayParams = {}): AlipayParams {
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

  private async call(method: string, bizContent: Record<string, string>): Promise<Record<string, unknown>> {
    const response = await callGateway(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: alipayForm(this.signed(method, bizContent)),
    });
    if (response.status !== 200) throw fail('GATEWAY_REJECTED', { gateway: 'alipay', httpStatus: response.status });
    const verified = verifiedAlipayResponse(response.body, method, this.merchant.alipayPublicKey);
    if (!verified) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'alipay', method });
    return verified;
  }

  private assertSuccess(method: string, response: Record<string, unknown>): void {
    if (response.code !== success) {
      throw fail('GATEWAY_REJECTED', { gateway: 'alipay', method, code: response.code, subCode: response.sub_code, message: response.sub_msg ?? response.msg });
    }
  }
}

/** Alipay trade notifications: form-encoded, RSA2-signed, answered with the text `success`. */
export class AlipayNotificationVerifier implements NotificationVerifier {
  readonly name = 'alipay' as const;
  readonly accepted: NotifyReply = { statusCode: 200, contentType: 'text/plain', body: 'success' };

  constructor(private readonly merchant: AlipayMerchant) {}

  rejected(): NotifyReply {
    return { statusCode: 400, contentType: 'text/plain', body: 'fail' };
  }

  verify(_headers: Record<string, string | string[] | undefined>, rawBody: string): PaymentNotice {
    const params = parseAlipayForm(rawBody);
    if (!params) throw fail('NOTIFY_MALFORMED', { reason: 'not a form' });
    if (!verifyAlipayNotification(params, this.merchant.alipayPublicKey)) throw fail('NOTIFY_SIGNATURE_INVALID');
    if (params.app_id !== this.merchant.appId || params.seller_id !== this.merchant.sellerId) {
      throw fail('NOTIFY_MERCHANT_MISMATCH', { appId: params.app_id, sellerId: params.seller_id });
    }
    const amountFen = yuanToFen(params.total_amount);
    const { notify_id: notifyId, out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: status } = params;
    if (!notifyId || !outTradeNo || !tradeNo || !status || amountFen === undefined) throw fail('NOTIFY_MALFORMED', { reason: 'missing fields' });
    const paid = status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED';
    return { kind: 'payment', gateway: 'alipay', notifyId, outTradeNo, tradeNo, amountFen, paid, paidAt: parseAlipayTime(params.gmt_payment) ?? null, status };
  }
}
