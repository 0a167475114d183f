import type { Clock } from '../../../platform/clock.js';
import { fail } from '../../../platform/errors.js';
import { parseWechatTime, wechatTime } from './formats.js';
import { rsaOaepEncrypt } from './crypto.js';
import type {
  AbnormalRefundClient, AbnormalRefundRequest, AgreementClient, AgreementNotice, AgreementRef, AgreementSignRequest, AgreementState, GatewayClient, GatewayNotice, NotificationVerifier, NotifyReply, PaymentNotice, RefundNotice, RefundRequest,
  RefundResult, StartPaymentRequest, TradeCloseResult, TradeState, WithholdRequest, WithholdResult,
} from './gateway.js';
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
  /** 委托代扣模板ID: the withholding template WeChat Pay gave the merchant for 委托代扣 (papay); its contracts are named by it and our out_contract_code. */
  planId: number;
}

/** A 委托代扣 contract, as the contract query, the terminate answer and the ENTRUST.* notifications carry it. */
export interface WechatContract {
  mchid?: string;
  appid?: string;
  contract_id?: string;
  plan_id?: number;
  out_contract_code?: string;
  contract_display_account?: string;
  /** SIGNED (in force) or TERMINATED. */
  contract_state?: string;
  contract_signed_time?: string;
  contract_expired_time?: string;
  openid?: string;
  out_user_code?: string;
  contract_terminate_info?: { contract_termination_mode?: string; contract_terminated_time?: string; contract_termination_remark?: string };
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
/**
 * Trades WeChat will not pay any more. Any other state (NOTPAY, USERPAYING, ACCEPT: a 委托代扣
 * charge accepted and not yet made, or one this code does not know) is pending: closing on a state
 * not understood would cancel a charge WeChat may still make.
 */
const closedStates = new Set(['CLOSED', 'REVOKED', 'PAYERROR']);

/**
 * 委托代扣 (papay) as Onecard uses it: signing from the parent's phone browser through the
 * pre-sign API (its answer is the link to WeChat's signing page), the contract named by our
 * template (plan_id) and out_contract_code.
 */
const papay = {
  preSignPath: '/v3/papay/entrust-sign/contracts/pre-entrust-sign',
  signScene: 'SIGN_SCENE_QRCODE',
  contractPath: (planId: number, outContractCode: string) => `/v3/papay/sign/contracts/plan-id/${planId}/out-contract-code/${encodeURIComponent(outContractCode)}`,
  applyPath: '/v3/papay/pay/transactions/apply',
} as const;
/** A contract we sign (ENTRUST.SIGN, ENTRUST.TERMINATE), its resource `entrust`. */
const contractEvents = new Map<string, AgreementNotice['event']>([['ENTRUST.SIGN', 'signed'], ['ENTRUST.TERMINATE', 'unsigned']]);
const contractStates = new Map<string, AgreementState['state']>([['SIGNED', 'active'], ['TERMINATED', 'ended']]);
/** 受理扣款 refusals that mean the contract cannot be charged on (gone, terminated, not ours). */
const contractRefusals = new Set(['CONTRACT_ERROR', 'CONTRACT_NOT_EXIST']);
/**
 * 受理扣款 answers that definitely refuse the charge (no money moves): no balance, a contract
 * not in force, a rule or parameter the charge breaks, a closed order. Anything else (ORDERPAID:
 * it may have been made; SIGN_ERROR: our keys; 5xx, SYSTEM_ERROR) leaves the outcome to the query.
 */
const applyRefusals = new Set(['NOT_ENOUGH', ...contractRefusals, 'RULE_LIMIT', 'ORDER_CLOSED', 'INVALID_REQUEST', 'PARAM_ERROR']);

/** The WeChat Pay API v3 client: H5 orders, query and close by out_trade_no, domestic refunds; and 委托代扣 (papay): pre-sign, contract query, 受理扣款, terminate. */
export class WechatPayClient implements GatewayClient, AgreementClient, AbnormalRefundClient {
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
      state: paidStates.has(state) ? 'paid' : closedStates.has(state) ? 'closed' : 'pending',
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
    if (answer.status !== 200) throw rejected('refund', answer);
    return refundResult('refund', answer);
  }

  /** 查询单笔退款 (by out_refund_no): the refund as WeChat holds it now, in the refund call's shape. */
  async queryRefund(outRequestNo: string): Promise<RefundResult> {
    const answer = await this.call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRequestNo)}`);
    if (answer.status !== 200) throw rejected('refund query', answer);
    const result = refundResult('refund query', answer);
    if ((answer.json as { out_refund_no?: unknown }).out_refund_no !== outRequestNo) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'refund query', outRefundNo: outRequestNo });
    return result;
  }

  /**
   * 发起异常退款 for a refund WeChat answered ABNORMAL. To the payer's bank card, the card number
   * and the holder's name go encrypted with the platform's public key (RSAES-OAEP), the key named
   * in Wechatpay-Serial; to the merchant's bank account, nothing more (Wechatpay-Serial is
   * required all the same). The answer is the refund, PROCESSING again; its outcome is notified to
   * the refund's notify_url as usual. Only a 4xx business code is a refusal: a 5xx (SYSTEM_ERROR)
   * or 429 (FREQUENCY_LIMITED) says nothing of the outcome and is thrown as GATEWAY_UNAVAILABLE.
   */
  async applyAbnormalRefund(request: AbnormalRefundRequest): Promise<{ status: string }> {
    const path = `/v3/refund/domestic/refunds/${encodeURIComponent(request.gatewayRefundNo)}/apply-abnormal-refund`;
    const [serial, publicKey] = this.encryptionKey();
    let payload: Record<string, string> = { out_refund_no: request.outRequestNo, type: request.route === 'user_bank_card' ? 'USER_BANK_CARD' : 'MERCHANT_BANK_CARD' };
    if (request.route === 'user_bank_card') {
      payload = { ...payload, bank_type: request.bankType, bank_account: rsaOaepEncrypt(request.bankAccount, publicKey), real_name: rsaOaepEncrypt(request.realName, publicKey) };
    }
    const answer = await this.call('POST', path, payload, { 'wechatpay-serial': serial });
    const refund = answer.json as { out_refund_no?: unknown; status?: unknown };
    if (outcomeUnknown(answer.status)) throw fail('GATEWAY_UNAVAILABLE', { gateway: 'wechat', operation: 'apply-abnormal-refund', httpStatus: answer.status, code: (answer.json as { code?: unknown }).code });
    if (answer.status !== 200 || typeof refund.status !== 'string') throw rejected('apply-abnormal-refund', answer);
    if (refund.out_refund_no !== request.outRequestNo) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'apply-abnormal-refund', outRefundNo: request.outRequestNo });
    return { status: refund.status };
  }

  /** The platform key sensitive fields are encrypted with: the first one configured (the current one), and its serial. */
  private encryptionKey(): [string, string] {
    const first = this.merchant.platformKeys.entries().next();
    if (first.done) throw fail('GATEWAY_NOT_CONFIGURED', { gateway: 'wechat', missing: 'platform public key' });
    return first.value;
  }

  /**
   * 代扣预签约: WeChat keeps the signing details under our out_contract_code and answers with the
   * link that opens its signing page; signed or not, it sends the browser back to return_url.
   * The contract exists at WeChat only once the user has agreed.
   */
  async agreementSignUrl(request: AgreementSignRequest): Promise<string> {
    // Both fields take at most 32 characters: our UUIDs without their hyphens.
    const account = request.externalLogonId.replaceAll('-', '').slice(0, 32);
    const answer = await this.call('POST', papay.preSignPath, {
      sign_scene: papay.signScene,
      appid: this.merchant.appId,
      plan_id: this.merchant.planId,
      out_contract_code: request.externalAgreementNo,
      contract_display_account: account,
      contract_notify_url: request.notifyUrl,
      out_user_code: account,
      return_url: request.returnUrl,
    });
    const link = (answer.json as { redirect_url?: unknown }).redirect_url;
    if (answer.status !== 200 || typeof link !== 'string') throw rejected('pre-entrust-sign', answer);
    return link;
  }

  /** 通过商户协议号查询签约: not found until the user agreed; SIGNED is active, TERMINATED ended. */
  async queryAgreement(externalAgreementNo: string): Promise<AgreementState> {
    const answer = await this.call('GET', papay.contractPath(this.merchant.planId, externalAgreementNo));
    if (answer.status === 404 && (answer.json as { code?: unknown }).code === 'RESOURCE_NOT_EXISTS') return { state: 'not_found', agreementNo: null, signedAt: null };
    if (answer.status !== 200) throw rejected('contract query', answer);
    const contract = this.ourContract(answer.json as WechatContract, externalAgreementNo, 'contract query');
    return { state: contractStates.get(contract.contract_state ?? '') as AgreementState['state'], agreementNo: contract.contract_id ?? null, signedAt: parseWechatTime(contract.contract_signed_time) ?? null };
  }

  /**
   * 通过商户协议号解约; a contract WeChat does not have (never agreed) counts as ended, and one
   * terminated before answers with its terminated state.
   */
  async unsignAgreement(ref: AgreementRef): Promise<void> {
    const path = `${papay.contractPath(this.merchant.planId, ref.externalAgreementNo)}/terminate`;
    const answer = await this.call('POST', path, { contract_termination_remark: '用户在北京学生卡关闭自动充值' });
    if (answer.status === 404 && (answer.json as { code?: unknown }).code === 'RESOURCE_NOT_EXISTS') return;
    if (answer.status !== 200) throw rejected('contract terminate', answer);
    const contract = this.ourContract(answer.json as WechatContract, ref.externalAgreementNo, 'contract terminate');
    if (contract.contract_state !== 'TERMINATED') throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'contract terminate', state: contract.contract_state });
  }

  /**
   * 受理扣款: WeChat accepts the charge and makes it afterwards, notifying TRANSACTION.SUCCESS to
   * transaction_notify_url (a failed one is only seen by querying the order: PAYERROR). So an
   * accepted charge is pending (扣款中), never paid, in this answer.
   */
  async withhold(request: WithholdRequest): Promise<WithholdResult> {
    const answer = await this.call('POST', papay.applyPath, {
      appid: this.merchant.appId,
      out_trade_no: request.outTradeNo,
      description: request.subject,
      transaction_notify_url: request.notifyUrl,
      contract_id: request.agreementNo,
      amount: { total: request.amountFen, currency: 'CNY' },
    });
    const { code, message } = (answer.json ?? {}) as { code?: unknown; message?: unknown };
    if (answer.status === 200 || answer.status === 204) {
      const accepted = answer.json as { out_trade_no?: unknown; amount?: { total?: unknown } };
      if (answer.status === 200 && (accepted.out_trade_no !== request.outTradeNo || accepted.amount?.total !== request.amountFen)) {
        throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'papay apply', outTradeNo: request.outTradeNo });
      }
      return { ok: 'pending' };
    }
    const subCode = typeof code === 'string' ? code : '';
    if (answer.status >= 500 || !applyRefusals.has(subCode)) throw rejected('papay apply', answer);
    const reason = subCode === 'NOT_ENOUGH' ? 'balance_not_enough' : contractRefusals.has(subCode) ? 'agreement_invalid' : 'refused';
    return { ok: false, reason, subCode, message: typeof message === 'string' ? message : '' };
  }

  /** A contract answer must be ours: our merchant, app, template and out_contract_code, in a state we know. */
  private ourContract(contract: WechatContract, outContractCode: string, operation: string): WechatContract {
    const ours = contract.mchid === this.merchant.mchid && contract.appid === this.merchant.appId && contract.plan_id === this.merchant.planId && contract.out_contract_code === outContractCode;
    if (!ours || !contractStates.has(contract.contract_state ?? '') || typeof contract.contract_id !== 'string' || contract.contract_id === '') {
      throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation, state: contract.contract_state });
    }
    return contract;
  }

  /** A signed call; every answer must carry a valid platform signature, error answers included. */
  private async call(method: 'GET' | 'POST', pathWithQuery: string, payload?: unknown, extraHeaders: Record<string, string> = {}): Promise<GatewayResponse & { json: unknown }> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const url = new URL(this.baseUrl + pathWithQuery);
    const authorization = wechatAuthorization({ method, pathWithQuery: url.pathname + url.search, body }, { mchid: this.merchant.mchid, serialNo: this.merchant.serialNo, privateKeyPem: this.merchant.privateKey }, this.clock.now());
    const response = await callGateway(url.toString(), {
      method,
      headers: { authorization, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
      ...(payload === undefined ? {} : { body }),
    });
    const check = checkWechatSignature(Object.fromEntries(response.headers), response.body, this.merchant.platformKeys, this.clock.now());
    if (check !== 'ok') throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', check, httpStatus: response.status });
    return { ...response, json: parseJson(response.body) };
  }
}

/** WeChat Pay's answers that say nothing of the outcome: retry with the same parameters (5xx SYSTEM_ERROR, 429 FREQUENCY_LIMITED). */
const outcomeUnknown = (httpStatus: number): boolean => httpStatus >= 500 || httpStatus === 429;

/** A refund object (the refund call's answer, the query's): its status, number, billing day and where the money went. */
function refundResult(operation: string, answer: { status: number; json: unknown }): RefundResult {
  const refund = answer.json as { refund_id?: unknown; status?: unknown; create_time?: unknown; user_received_account?: unknown };
  if (typeof refund.refund_id !== 'string') throw rejected(operation, answer);
  // The refund's creation at WeChat Pay: its bill lists the refund on that day.
  const billedAt = typeof refund.create_time === 'string' ? parseWechatTime(refund.create_time) ?? null : null;
  const receivedAccount = typeof refund.user_received_account === 'string' && refund.user_received_account !== '' ? refund.user_received_account : null;
  if (refund.status === 'CLOSED' || refund.status === 'ABNORMAL') return { done: false, gatewayRefundNo: refund.refund_id, failed: refund.status, billedAt, receivedAccount };
  return { done: refund.status === 'SUCCESS', gatewayRefundNo: refund.refund_id, billedAt, receivedAccount };
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
    // Refund outcomes and 委托代扣 contract events come to the same URL, told apart by the event and the resource's type.
    if (body.event_type.startsWith('REFUND.') && body.resource.original_type === 'refund') return this.refundNotice(body.id, body.resource);
    const contractEvent = contractEvents.get(body.event_type);
    if (contractEvent && body.resource.original_type === 'entrust') return this.contractNotice(body.id, contractEvent, body.resource);
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
    const receivedAccount = typeof refund.user_received_account === 'string' && refund.user_received_account !== '' ? refund.user_received_account : null;
    return { kind: 'refund', gateway: 'wechat', notifyId, outTradeNo, outRequestNo, gatewayRefundNo, refundFen: refundFen as number, status: status as RefundNotice['status'], receivedAccount };
  }

  /**
   * ENTRUST.SIGN (contract_state SIGNED) or ENTRUST.TERMINATE (TERMINATED) for a contract under
   * our template: merchant, app and plan_id checked, the state fitting the event.
   */
  private contractNotice(notifyId: string, event: AgreementNotice['event'], resource: WechatEncryptedResource): AgreementNotice {
    const contract = this.decrypt<WechatContract>(resource);
    if (contract.mchid !== this.merchant.mchid || contract.appid !== this.merchant.appId) throw fail('NOTIFY_MERCHANT_MISMATCH', { mchid: contract.mchid, appid: contract.appid });
    const { out_contract_code: externalAgreementNo, contract_id: agreementNo, contract_state: state } = contract;
    if (!externalAgreementNo || !agreementNo) throw fail('NOTIFY_MALFORMED', { reason: 'missing contract fields' });
    if (contract.plan_id !== this.merchant.planId) throw fail('NOTIFY_MALFORMED', { reason: 'not the withholding template Onecard signs', planId: contract.plan_id });
    if (state !== (event === 'signed' ? 'SIGNED' : 'TERMINATED')) throw fail('NOTIFY_MALFORMED', { reason: 'state does not fit the event', event, state });
    const at = event === 'signed' ? contract.contract_signed_time : contract.contract_terminate_info?.contract_terminated_time;
    return { kind: 'agreement', gateway: 'wechat', notifyId, externalAgreementNo, agreementNo, event, at: parseWechatTime(at) ?? null };
  }

  private decrypt<T>(resource: WechatEncryptedResource): T {
    try {
      return JSON.parse(decryptWechatResource(resource, this.merchant.apiV3Key)) as T;
    } catch {
      throw fail('NOTIFY_MALFORMED', { reason: 'resource does not decrypt' });
    }
  }
}
