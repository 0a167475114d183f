import type { AppContext } from '../../../platform/context.js';
import { signedAlipayResponse, verifyAlipayRequest, type AlipayParams } from '../gateways/alipay.js';
import { alipayTime, fenToYuan, yuanToFen } from '../gateways/formats.js';
import { sandboxKeys, sandboxPrefix } from '../gateways/registry.js';
import type { AlipayKeys } from '../gateways/sandbox-keys.js';
import { alipayBillDownloadUrl, alipayBillMethod } from './sandbox-bill-routes.js';
import { agreementSignRequest, queryAgreement, unsignAgreement, withhold } from './sandbox-agreements.js';
import { closeTrade, openTrade, refundTrade } from './sandbox-trades.js';
import { sandboxRepository as repo, type SandboxPaymentRow } from './sandbox.repository.js';

/**
 * The sandbox's Alipay gateway (`gateway.do`): it checks the merchant's RSA2 signature with the
 * app public key and the app id, as Alipay does, and answers API calls with bodies signed by
 * the platform key. Errors use Alipay's codes (40002 invalid arguments, 40004 business failed).
 */

export type SandboxAnswer =
  | { kind: 'json'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string }
  | { kind: 'error_page'; message: string; title?: string }
  /** A file as it is downloaded (a bill): not signed. */
  | { kind: 'file'; status: number; contentType: string; body: Uint8Array };

/** A JSON object parsed from text; undefined for anything else (an array, a number, bad JSON). */
export function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text ?? '') as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The text members of an object (biz_content, or an object nested in it); anything else is left out. */
function texts(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function parseBiz(params: AlipayParams): Record<string, string> | undefined {
  return texts(jsonObject(params.biz_content));
}

/** An object nested in biz_content (access_params, agreement_params), with its text members. */
function nestedBiz(params: AlipayParams, key: string): Record<string, string> | undefined {
  return texts(jsonObject(params.biz_content)?.[key]);
}

/** Why a request is refused before its method runs: wrong app or signature (Alipay's isv.* sub-codes). */
function refusal(keys: AlipayKeys, params: AlipayParams): string | undefined {
  if (params.app_id !== keys.appId) return 'isv.invalid-app-id';
  if (!verifyAlipayRequest(params, keys.appPublicKey)) return 'isv.invalid-signature';
  return undefined;
}

const agreementPageSign = 'alipay.user.agreement.page.sign';

/** A link opened in the browser: a wap/page pay link (the cashier) or an agreement link (the agreement page). */
export async function alipayPageRequest(ctx: AppContext, params: AlipayParams, origin: string): Promise<SandboxAnswer> {
  const keys = (await sandboxKeys(ctx)).alipay;
  const refused = refusal(keys, params);
  const title = params.method === agreementPageSign ? '无法签约' : undefined;
  if (refused) return { kind: 'error_page', title, message: `错误代码 ${refused}：验签出错或应用不存在` };
  if (params.method === agreementPageSign) {
    return agreementSignRequest(ctx, keys, { params, biz: parseBiz(params) ?? {}, accessParams: nestedBiz(params, 'access_params'), origin });
  }
  if (params.method !== 'alipay.trade.wap.pay' && params.method !== 'alipay.trade.page.pay') return { kind: 'error_page', message: `不支持的接口 ${params.method ?? ''}` };
  return cashierRequest(ctx, keys, params, origin);
}

/** A pay link: open the trade, then show the cashier. */
async function cashierRequest(ctx: AppContext, keys: AlipayKeys, params: AlipayParams, origin: string): Promise<SandboxAnswer> {
  const biz = parseBiz(params);
  const amountFen = yuanToFen(biz?.total_amount);
  if (!biz?.out_trade_no || !biz.subject || amountFen === undefined || amountFen <= 0 || !params.notify_url) return { kind: 'error_page', message: '缺少必要参数（out_trade_no、subject、total_amount、notify_url）' };
  const opened = await openTrade(ctx, {
    gateway: 'alipay', appId: keys.appId, merchantId: keys.sellerId, outTradeNo: biz.out_trade_no, amountFen, subject: biz.subject, payee: biz.body ?? keys.sellerId, notifyUrl: params.notify_url, returnUrl: params.return_url ?? null,
  });
  if (!opened.ok) {
    const messages = { already_paid: '该订单已支付，请勿重复付款', closed: '交易已关闭（ACQ.TRADE_HAS_CLOSE）', inconsistent: '交易信息被篡改（ACQ.CONTEXT_INCONSISTENT）' };
    return { kind: 'error_page', message: messages[opened.reason] };
  }
  return { kind: 'redirect', location: `${origin}${sandboxPrefix}/alipay/cashier/${opened.payment.id}` };
}

type ApiMethod = (ctx: AppContext, keys: AlipayKeys, params: AlipayParams, biz: Record<string, string>) => Promise<Record<string, unknown>>;

const missingTradeNo = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.missing-parameter', sub_msg: '缺少 out_trade_no' };

/** A method on one trade, named by out_trade_no. */
function onTrade(method: (ctx: AppContext, keys: AlipayKeys, outTradeNo: string, biz: Record<string, string>) => Promise<Record<string, unknown>>): ApiMethod {
  return async (ctx, keys, _params, biz) => (biz.out_trade_no ? method(ctx, keys, biz.out_trade_no, biz) : missingTradeNo);
}

/** The API methods by name (a Map: a method name from the request must never reach Object.prototype). */
const apiMethods = new Map<string, ApiMethod>([
  ['alipay.trade.query', onTrade((ctx, keys, outTradeNo) => query(ctx, keys, outTradeNo))],
  ['alipay.trade.close', onTrade((ctx, keys, outTradeNo) => close(ctx, keys, outTradeNo))],
  ['alipay.trade.refund', onTrade((ctx, keys, _outTradeNo, biz) => refund(ctx, keys, biz))],
  ['alipay.trade.pay', (ctx, keys, params, biz) => withhold(ctx, keys, { params, biz, agreementParams: nestedBiz(params, 'agreement_params') })],
  ['alipay.user.agreement.query', (ctx, keys, _params, biz) => queryAgreement(ctx, keys, biz)],
  ['alipay.user.agreement.unsign', (ctx, keys, _params, biz) => unsignAgreement(ctx, keys, biz)],
]);

/** An API call posted form-encoded by the merchant's server: trades (query, close, refund, pay under an agreement) and agreements. */
export async function alipayApiRequest(ctx: AppContext, params: AlipayParams, origin = ''): Promise<SandboxAnswer> {
  const keys = (await sandboxKeys(ctx)).alipay;
  const method = params.method ?? 'alipay.unknown';
  const answer = (response: Record<string, unknown>): SandboxAnswer => ({ kind: 'json', status: 200, body: signedAlipayResponse(method, response, keys.platformPrivateKey) });
  const refused = refusal(keys, params);
  if (refused) return answer({ code: '40002', msg: 'Invalid Arguments', sub_code: refused, sub_msg: '验签出错或应用不存在' });
  const biz = parseBiz(params);
  if (!biz) return answer({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: 'biz_content 不是 JSON 对象' });
  if (method === alipayBillMethod) return answer(alipayBillDownloadUrl(ctx, keys, biz, origin));
  const run = apiMethods.get(method);
  if (!run) return answer({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' });
  return answer(await run(ctx, keys, params, biz));
}

function tradeStatus(payment: SandboxPaymentRow): string {
  if (payment.status === 'pending') return 'WAIT_BUYER_PAY';
  if (payment.status === 'cancelled' || payment.status === 'closed' || payment.refunded_fen === payment.amount_fen) return 'TRADE_CLOSED';
  return 'TRADE_SUCCESS';
}

const notExist = { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在' };

async function query(ctx: AppContext, keys: AlipayKeys, outTradeNo: string): Promise<Record<string, unknown>> {
  const payment = await repo.findByOutTradeNo(ctx.db, 'alipay', keys.sellerId, outTradeNo);
  if (!payment) return notExist;
  return {
    code: '10000', msg: 'Success', trade_no: payment.trade_no, out_trade_no: payment.out_trade_no, buyer_logon_id: '159******00', trade_status: tradeStatus(payment),
    total_amount: fenToYuan(payment.amount_fen), buyer_pay_amount: payment.status === 'paid' ? fenToYuan(payment.amount_fen) : '0.00',
    ...(payment.paid_at ? { send_pay_date: alipayTime(payment.paid_at) } : {}),
  };
}

/** alipay.trade.close: a trade waiting for payment is closed; a paid or already closed one is refused (ACQ.TRADE_STATUS_ERROR). */
async function close(ctx: AppContext, keys: AlipayKeys, outTradeNo: string): Promise<Record<string, unknown>> {
  const result = await closeTrade(ctx, { gateway: 'alipay', merchantId: keys.sellerId, outTradeNo });
  if (!result.ok) return result.reason === 'not_found' ? notExist : { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_STATUS_ERROR', sub_msg: '交易状态不合法' };
  return { code: '10000', msg: 'Success', trade_no: result.payment.trade_no, out_trade_no: result.payment.out_trade_no };
}

async function refund(ctx: AppContext, keys: AlipayKeys, biz: Record<string, string>): Promise<Record<string, unknown>> {
  const amountFen = yuanToFen(biz.refund_amount);
  if (amountFen === undefined || !biz.out_request_no) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: 'refund_amount 或 out_request_no 有误' };
  const result = await refundTrade(ctx, { gateway: 'alipay', merchantId: keys.sellerId, outTradeNo: biz.out_trade_no ?? '', outRequestNo: biz.out_request_no, amountFen, notifyUrl: null, processingMs: 0, failWith: null });
  if (!result.ok) {
    const failures = { not_found: notExist, not_paid: { sub_code: 'ACQ.TRADE_STATUS_ERROR', sub_msg: '交易状态不合法' }, exceeds: { sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', sub_msg: '退款金额超限' }, inconsistent: { sub_code: 'ACQ.REQUEST_AMOUNT_EXCEED', sub_msg: '同一退款请求号的金额不一致' } };
    return { code: '40004', msg: 'Business Failed', ...failures[result.reason] };
  }
  return {
    code: '10000', msg: 'Success', trade_no: result.payment.trade_no, out_trade_no: result.payment.out_trade_no, buyer_logon_id: '159******00',
    fund_change: result.fundChange ? 'Y' : 'N', refund_fee: fenToYuan(result.payment.refunded_fen), gmt_refund_pay: alipayTime(result.refund.created_at),
  };
}
