import type { Clock } from '../../../platform/clock.js';
import { fail } from '../../../platform/errors.js';
import { parseWechatTime, wechatTime } from './formats.js';
import type { GatewayClient, GatewayNotice, NotificationVerifier, NotifyReply, PaymentNotice, RefundNotice, RefundRequest, RefundResult, StartPaymentRequest, TradeCloseResult, TradeState } from './gateway.js';
import { callGateway, type GatewayResponse } from './http.js';
import { checkWechatSignature, decryptWechatResource, wechatAuthorization, type WechatEncryptedResource } from './wechat.js';

/** Onecard's side of WeChat Pay: merchant id and key, the platform's public keys, the APIv3 key. */
export interface WechatMerchant {
  appId: string;
  mchid: string;
  serialNo: string;
  privateKey: string;
  /** Platform public keys by serial number (WeChat rotates them, so more than one may be valid). */
  platformKeys: ReadonlyMap<string, string>;
  apiV3Key: string;
}

/** The transaction object of a query answer and of a decrypted notification. */
export interface WechatTransaction {
  appid?: string;
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  trade_state?: string;
  success_time?: string;
  amount?: { total?: number; currency?: string };
}

/** The resource of a refund notification (original_type `refund`). */
export interface WechatRefund {
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  out_refund_no?: string;
  refund_id?: string;
  refund_status?: string;
  success_time?: string;
  user_received_account?: string;
  amount?: { total?: number; refund?: number; payer_total?: number; payer_refund?: number };
}

const refundOutcomes = new Set<RefundNotice['status']>(['SUCCESS', 'ABNORMAL', 'CLOSED']);

const paidStates = new Set(['SUCCESS', 'REFUND']);
const pendingStates = new Set(['NOTPAY', 'USERPAYING']);

/** The WeChat Pay API v3 client: H5 orders, query and close by out_trade_no, domestic refunds. */
export class WechatPayClient implements GatewayClient {
  readonly name = 'wechat' as const;

  constructor(
    private readonly merchant: WechatMerchant,
    /** `https://api.mch.weixin.qq.com`, or the sandbox's. */
    private readonly baseUrl: string,
    private readonly clock: Clock,
  ) {}

  async startPayment(request: StartPaymentRequest): Promise<string> {
    const answer = await this.call('POST', '/v3/pay/transactions/h5', {
      appid: this.merchant.appId,
      mchid: this.merchant.mchid,
      description: request.subject,
      attach: request.payee,
      out_trade_no: request.outTradeNo,
      time_expire: wechatTime(request.expiresAt),
      notify_url: request.notifyUrl,
      amount: { total: request.amountFen, currency: 'CNY' },
      scene_info: { payer_client_ip: request.payerIp, h5_info: { type: 'Wap' } },
    });
    const h5Url = (answer.json as { h5_url?: unknown }).h5_url;
    if (answer.status !== 200 || typeof h5Url !== 'string') throw rejected('/v3/pay/transactions/h5', answer);
    // H5 payments return the payer to `redirect_url`, which the merchant appends to h5_url itself.
    const cashier = new URL(h5Url);
    cashier.searchParams.set('redirect_url', request.returnUrl);
    return cashier.toString();
  }

  async queryTrade(outTradeNo: string): Promise<TradeState> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.merchant.mchid)}`;
    const answer = await this.call('GET', path);
    if (answer.status === 404 && (answer.json as { code?: unknown }).code === 'ORDER_NOT_EXIST') return { state: 'not_found', tradeNo: null, amountFen: null, paidAt: null };
    if (answer.status !== 200) throw rejected('query', answer);
    const trade = answer.json as WechatTransaction;
    const state = trade.trade_state ?? '';
    return {
      state: paidStates.has(state) ? 'paid' : pendingStates.has(state) ? 'pending' : 'closed',
      tradeNo: trade.transaction_id ?? null,
      amountFen: trade.amount?.total ?? null,
      paidAt: parseWechatTime(trade.success_time) ?? null,
    };
  }

  /** 关闭订单: 204 when closed (or already closed); ORDERPAID when the payer has paid. */
  async closeTrade(outTradeNo: string): Promise<TradeCloseResult> {
    const answer = await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.merchant.mchid });
    const code = (answer.json as { code?: unknown }).code;
    if (answer.status === 204) return 'closed';
    if (answer.status === 404 && code === 'ORDER_NOT_EXIST') return 'not_found';
    if (code === 'ORDERPAID') return 'paid';
    throw rejected('close', answer);
  }

  /**
   * WeChat refunds once per out_refund_no; asking again returns the refund's current status. The
   * answer is often PROCESSING: the outcome then comes to notify_url (and to the next ask).
   */
  async refund(request: RefundRequest): Promise<RefundResult> {
    const answer = await this.call('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: request.outTradeNo,
      out_refund_no: request.outRequestNo,
      reason: request.reason,
      ...(request.notifyUrl ? { notify_url: request.notifyUrl } : {}),
      amount: { refund: request.refundFen, total: request.totalFen, currency: 'CNY' },
    });
    const refund = answer.json as { refund_id?: unknown; status?: unknown };
    if (answer.status !== 200 || typeof refund.refund_id !== 'string') throw rejected('refund', answer);
    if (refund.status === 'CLOSED' || refund.status === 'ABNORMAL') return { done: false, gatewayRefundNo: refund.refund_id, failed: refund.status };
    return { done: refund.status === 'SUCCESS', gatewayRefundNo: refund.refund_id };
  }

  /** A signed call; every answer must carry a valid platform signature, error answers included. */
  private async call(method: 'GET' | 'POST', pathWithQuery: string, payload?: unknown): Promise<GatewayResponse & { json: unknown }> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const url = new URL(this.baseUrl + pathWithQuery);
    const authorization = wechatAuthorization({ method, pathWithQuery: url.pathname + url.search, body }, { mchid: this.merchant.mchid, serialNo: this.merchant.serialNo, privateKeyPem: this.merchant.privateKey }, this.clock.now());
    const response = await callGateway(url.toString(), {
      method,
      headers: { authorization, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body }),
    });
    const check = checkWechatSignature(Object.fromEntries(response.headers), response.body, this.merchant.platformKeys, this.clock.now());
    if (check !== 'ok') throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', check, httpStatus: response.status });
    return { ...response, json: parseJson(response.body) };
  }
}

function rejected(operation: string, answer: { status: number; json: unknown }) {
  const { code, message } = (answer.json ?? {}) as { code?: unknown; message?: unknown };
  return fail('GATEWAY_REJECTED', { gateway: 'wechat', operation, httpStatus: answer.status, code, message });
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

interface WechatNotificationBody {
  id?: unknown;
  event_type?: unknown;
  resource_type?: unknown;
  resource?: WechatEncryptedResource;
}

/** WeChat Pay notifications: platform-signed JSON with an encrypted resource, answered with 204. */
export class WechatNotificationVerifier implements NotificationVerifier {
  readonly name = 'wechat' as const;
  readonly accepted: NotifyReply = { statusCode: 204, contentType: null, body: null };

  constructor(private readonly merchant: WechatMerchant) {}

  rejected(reason: string): NotifyReply {
    return { statusCode: 400, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: reason }) };
  }

  verify(headers: Record<string, string | string[] | undefined>, rawBody: string, now: Date): GatewayNotice {
    const check = checkWechatSignature(headers, rawBody, this.merchant.platformKeys, now);
    if (check !== 'ok') throw fail('NOTIFY_SIGNATURE_INVALID', { check });
    const body = parseJson(rawBody) as WechatNotificationBody;
    if (typeof body.id !== 'string' || typeof body.event_type !== 'string' || !body.resource) throw fail('NOTIFY_MALFORMED', { reason: 'missing fields' });
    // Refund outcomes come to the same URL, told apart by the event and the resource's type.
    if (body.event_type.startsWith('REFUND.') && body.resource.original_type === 'refund') return this.refundNotice(body.id, body.resource);
    return this.paymentNotice(body.id, body.event_type, body.resource);
  }

  private paymentNotice(notifyId: string, eventType: string, resource: WechatEncryptedResource): PaymentNotice {
    const trade = this.decrypt<WechatTransaction>(resource);
    if (trade.mchid !== this.merchant.mchid || trade.appid !== this.merchant.appId) throw fail('NOTIFY_MERCHANT_MISMATCH', { mchid: trade.mchid, appid: trade.appid });
    const { out_trade_no: outTradeNo, transaction_id: tradeNo, trade_state: state } = trade;
    const amountFen = trade.amount?.total;
    if (!outTradeNo || !tradeNo || !state || !Number.isSafeInteger(amountFen)) throw fail('NOTIFY_MALFORMED', { reason: 'missing transaction fields' });
    const paid = eventType === 'TRANSACTION.SUCCESS' && state === 'SUCCESS';
    return { kind: 'payment', gateway: 'wechat', notifyId, outTradeNo, tradeNo, amountFen: amountFen as number, paid, paidAt: parseWechatTime(trade.success_time) ?? null, status: `${eventType}/${state}` };
  }

  /** A refund resource names the merchant only (no appid). */
  private refundNotice(notifyId: string, resource: WechatEncryptedResource): RefundNotice {
    const refund = this.decrypt<WechatRefund>(resource);
    if (refund.mchid !== this.merchant.mchid) throw fail('NOTIFY_MERCHANT_MISMATCH', { mchid: refund.mchid });
    const { out_trade_no: outTradeNo, out_refund_no: outRequestNo, refund_id: gatewayRefundNo, refund_status: status } = refund;
    const refundFen = refund.amount?.refund;
    if (!outTradeNo || !outRequestNo || !gatewayRefundNo || !refundOutcomes.has(status as RefundNotice['status']) || !Number.isSafeInteger(refundFen)) {
      throw fail('NOTIFY_MALFORMED', { reason: 'missing refund fields' });
    }
    return { kind: 'refund', gateway: 'wechat', notifyId, outTradeNo, outRequestNo, gatewayRefundNo, refundFen: refundFen as number, status: status as RefundNotice['status'] };
  }

  private decrypt<T>(resource: WechatEncryptedResource): T {
    try {
      return JSON.parse(decryptWechatResource(resource, this.merchant.apiV3Key)) as T;
    } catch {
      throw fail('NOTIFY_MALFORMED', { reason: 'resource does not decrypt' });
    }
  }
}
