import type { AppContext } from '../../../platform/context.js';
import { parseWechatTime, wechatTime } from '../gateways/formats.js';
import { sandboxKeys, sandboxPrefix } from '../gateways/registry.js';
import type { WechatKeys } from '../gateways/sandbox-keys.js';
import { parseWechatAuthorization, signWechatMessage, verifyWechatRequest } from '../gateways/wechat.js';
import type { SandboxAnswer } from './sandbox-alipay.js';
import { abnormalRefundBankCodes, abnormalRefundBanks, normaliseBankAccount } from '../../../domain/wechat-banks.js';
import { rsaOaepDecrypt } from '../gateways/crypto.js';
import { applyAbnormalRefund, closeTrade, openTrade, refundTrade } from './sandbox-trades.js';
import { paymentsRepository } from '../payments.repository.js';
import { receivedAccountOf } from './sandbox-notifications.js';
import { sandboxRepository as repo, type SandboxPaymentRow, type SandboxRefundRow } from './sandbox.repository.js';
import { wechatBillDownload, wechatTradeBill } from './sandbox-bill-routes.js';
import { applyCharge, preEntrustSign, queryContract, terminateContract, type PapayAnswer } from './sandbox-papay.js';

/**
 * The sandbox's WeChat Pay API v3: every request must carry a valid merchant Authorization
 * (checked with the merchant public key named by serial_no, timestamp within five minutes),
 * and every answer is signed by the platform key in the Wechatpay-* headers. Errors use WeChat
 * Pay's shape `{ code, message }` and codes (SIGN_ERROR, PARAM_ERROR, ORDER_NOT_EXIST, ORDERPAID…).
 */

export interface WechatApiRequest {
  method: string;
  /** The path and query exactly as received: the merchant signed them. */
  url: string;
  authorization: string | undefined;
  /** Which platform key the request's sensitive fields are encrypted with (Wechatpay-Serial). */
  wechatpaySerial?: string | undefined;
  body: string;
  origin: string;
}

/** A signed answer; `undefined` is 204 No Content, whose empty body is signed as such. */
function answer(keys: WechatKeys, status: number, payload: unknown, now: Date): SandboxAnswer {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  return { kind: 'json', status, body, headers: { ...signWechatMessage(body, { serialNo: keys.platformSerialNo, privateKeyPem: keys.platformPrivateKey }, now) } };
}

function authorised(keys: WechatKeys, request: WechatApiRequest, now: Date): boolean {
  const auth = parseWechatAuthorization(request.authorization);
  return auth !== undefined && auth.mchid === keys.mchid && auth.serialNo === keys.merchantSerialNo
    && verifyWechatRequest({ method: request.method, pathWithQuery: request.url, body: request.body }, auth, keys.merchantPublicKey, now);
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `path`: the request's path below the sandbox's WeChat prefix. */
type Route = (ctx: AppContext, keys: WechatKeys, request: WechatApiRequest, now: Date, path: string) => Promise<SandboxAnswer>;

const apiPrefix = `${sandboxPrefix}/wechat`;
const closePath = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/;
/** 发起异常退款 for a refund by its refund_id. */
const abnormalRefundPath = /^\/v3\/refund\/domestic\/refunds\/([^/]+)\/apply-abnormal-refund$/;
/** 查询单笔退款 by out_refund_no. */
const refundQueryPath = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/;
/** 委托代扣 contracts by template and out_contract_code, and their termination. */
const contractPath = /^\/v3\/papay\/sign\/contracts\/plan-id\/([^/]+)\/out-contract-code\/([^/]+)(\/terminate)?$/;

/** A papay answer, signed like every other. */
const papay = (keys: WechatKeys, result: PapayAnswer, now: Date) => answer(keys, result.status, result.payload, now);

const tradeBill: Route = async (ctx, keys, request, now) => papay(keys, await wechatTradeBill(ctx, keys, new URL(request.url, 'http://sandbox'), request.origin), now);
/** The bill file: answered as it is, without the platform's signature (WeChat Pay does not sign downloads). */
const billFile: Route = async (ctx, keys, request, now) => {
  const result = await wechatBillDownload(ctx, keys, new URL(request.url, 'http://sandbox'));
  return 'kind' in result ? result : papay(keys, result, now);
};

const preSign: Route = async (ctx, keys, request, now) => papay(keys, await preEntrustSign(ctx, keys, parseBody(request.body), request.origin), now);
const papayApply: Route = async (ctx, keys, request, now) => papay(keys, await applyCharge(ctx, keys, parseBody(request.body)), now);
const contract: Route = async (ctx, keys, request, now, path) => {
  const [, planId = '', code = '', terminate] = contractPath.exec(path) ?? [];
  const outContractCode = decodeURIComponent(code);
  if (!terminate) return papay(keys, await queryContract(ctx, keys, planId, outContractCode), now);
  if (!parseBody(request.body)) return answer(keys, 400, { code: 'PARAM_ERROR', message: '参数错误' }, now);
  return papay(keys, await terminateContract(ctx, await sandboxKeys(ctx), planId, outContractCode), now);
};

/** Dispatches one API call after checking the merchant's signature. */
export async function wechatApiRequest(ctx: AppContext, request: WechatApiRequest): Promise<SandboxAnswer> {
  const keys = (await sandboxKeys(ctx)).wechat;
  const now = ctx.clock.now();
  if (!authorised(keys, request, now)) return answer(keys, 401, { code: 'SIGN_ERROR', message: '签名错误' }, now);
  const path = new URL(request.url, 'http://sandbox').pathname.slice(apiPrefix.length);
  const route: Route | undefined =
    request.method === 'GET' && path === '/v3/bill/tradebill' ? tradeBill
      : request.method === 'GET' && path === '/v3/billdownload/file' ? billFile
      : request.method === 'POST' && path === '/v3/pay/transactions/h5' ? createH5
      : request.method === 'POST' && closePath.test(path) ? closeByOutTradeNo
      : request.method === 'GET' && path.startsWith('/v3/pay/transactions/out-trade-no/') ? queryByOutTradeNo
        : request.method === 'POST' && path === '/v3/refund/domestic/refunds' ? refund
        : request.method === 'POST' && abnormalRefundPath.test(path) ? abnormalRefund
        : request.method === 'GET' && refundQueryPath.test(path) ? queryRefund
          : request.method === 'POST' && path === '/v3/papay/entrust-sign/contracts/pre-entrust-sign' ? preSign
            : request.method === 'POST' && path === '/v3/papay/pay/transactions/apply' ? papayApply
              : (request.method === 'GET' && contractPath.test(path) && !path.endsWith('/terminate')) || (request.method === 'POST' && path.endsWith('/terminate') && contractPath.test(path)) ? contract
                : undefined;
  return route ? route(ctx, keys, request, now, path) : answer(keys, 404, { code: 'NOT_FOUND', message: '接口不存在' }, now);
}

const createH5: Route = async (ctx, keys, request, now) => {
  const body = parseBody(request.body);
  const amount = body?.amount as { total?: unknown } | undefined;
  const total = amount?.total;
  const valid = body && body.mchid === keys.mchid && body.appid === keys.appId && typeof body.out_trade_no === 'string' && typeof body.description === 'string'
    && typeof body.notify_url === 'string' && Number.isSafeInteger(total) && (total as number) > 0;
  if (!valid) return answer(keys, 400, { code: 'PARAM_ERROR', message: '参数错误' }, now);
  if (typeof body.time_expire === 'string' && (parseWechatTime(body.time_expire)?.getTime() ?? 0) <= now.getTime()) return answer(keys, 400, { code: 'PARAM_ERROR', message: '订单已过期' }, now);
  const opened = await openTrade(ctx, {
    gateway: 'wechat', appId: keys.appId, merchantId: keys.mchid, outTradeNo: body.out_trade_no as string, amountFen: total as number,
    subject: body.description as string, payee: typeof body.attach === 'string' ? body.attach : keys.mchid, notifyUrl: body.notify_url as string, returnUrl: null,
  });
  if (!opened.ok) {
    const failures = { already_paid: { code: 'ORDERPAID', message: '该订单已支付' }, closed: { code: 'ORDER_CLOSED', message: '订单已关闭' }, inconsistent: { code: 'INVALID_REQUEST', message: '参数与首次请求时不一致' } };
    return answer(keys, 400, failures[opened.reason], now);
  }
  return answer(keys, 200, { h5_url: `${request.origin}${apiPrefix}/cashier/${opened.payment.id}` }, now);
};

function tradeState(payment: SandboxPaymentRow): string {
  if (payment.status === 'pending') return 'NOTPAY';
  if (payment.status === 'failed') return 'PAYERROR';
  if (payment.status === 'cancelled' || payment.status === 'closed') return 'CLOSED';
  return payment.refunded_fen > 0 ? 'REFUND' : 'SUCCESS';
}

const queryByOutTradeNo: Route = async (ctx, keys, request, now) => {
  const url = new URL(request.url, 'http://sandbox');
  if (url.searchParams.get('mchid') !== keys.mchid) return answer(keys, 400, { code: 'PARAM_ERROR', message: 'mchid 不正确' }, now);
  const outTradeNo = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const payment = await repo.findByOutTradeNo(ctx.db, 'wechat', keys.mchid, outTradeNo);
  if (!payment) return answer(keys, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, now);
  const paid = payment.status === 'paid';
  return answer(keys, 200, {
    appid: payment.app_id, mchid: payment.merchant_id, out_trade_no: payment.out_trade_no, trade_state: tradeState(payment), trade_state_desc: paid ? '支付成功' : payment.status === 'failed' ? '扣款失败：余额不足' : '未支付',
    attach: payment.payee, ...(paid ? { transaction_id: payment.trade_no, trade_type: 'MWEB', bank_type: 'OTHERS', success_time: wechatTime(payment.paid_at ?? now) } : {}),
    amount: { total: payment.amount_fen, payer_total: paid ? payment.amount_fen : 0, currency: 'CNY', payer_currency: 'CNY' },
  }, now);
};

/** 关闭订单: 204 with no body, for a closed order too; a paid order is refused (ORDERPAID). */
const closeByOutTradeNo: Route = async (ctx, keys, request, now, path) => {
  const body = parseBody(request.body);
  if (body?.mchid !== keys.mchid) return answer(keys, 400, { code: 'PARAM_ERROR', message: 'mchid 不正确' }, now);
  const outTradeNo = decodeURIComponent(closePath.exec(path)?.[1] ?? '');
  const result = await closeTrade(ctx, { gateway: 'wechat', merchantId: keys.mchid, outTradeNo });
  if (!result.ok && result.reason === 'not_found') return answer(keys, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, now);
  if (!result.ok && result.reason === 'paid') return answer(keys, 400, { code: 'ORDERPAID', message: '该订单已支付' }, now);
  return answer(keys, 204, undefined, now);
};

/**
 * How long a WeChat Pay refund stays PROCESSING before it succeeds and is notified (setting
 * `payments.sandbox_wechat_refund_processing_ms`): by default 0, answered SUCCESS at once, as
 * WeChat Pay may answer a refund to the payer's balance; the tests of the notified path set it.
 */
export const refundProcessingSetting = 'payments.sandbox_wechat_refund_processing_ms';

async function refundProcessingMs(ctx: AppContext): Promise<number> {
  const value = await paymentsRepository.getSetting<number>(ctx.db, refundProcessingSetting);
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Setting `payments.sandbox_wechat_refund_fails_with` ('ABNORMAL' or 'CLOSED'): new refunds fail so, for the tests of that path. */
export const refundFailureSetting = 'payments.sandbox_wechat_refund_fails_with';

async function refundFailure(ctx: AppContext): Promise<'ABNORMAL' | 'CLOSED' | null> {
  const value = await paymentsRepository.getSetting<string>(ctx.db, refundFailureSetting);
  return value === 'ABNORMAL' || value === 'CLOSED' ? value : null;
}

const refund: Route = async (ctx, keys, request, now) => {
  const body = parseBody(request.body);
  const amount = body?.amount as { refund?: unknown; total?: unknown; currency?: unknown } | undefined;
  if (!body || typeof body.out_trade_no !== 'string' || typeof body.out_refund_no !== 'string' || !Number.isSafeInteger(amount?.refund) || !Number.isSafeInteger(amount?.total)) {
    return answer(keys, 400, { code: 'PARAM_ERROR', message: '参数错误' }, now);
  }
  const existing = await repo.findByOutTradeNo(ctx.db, 'wechat', keys.mchid, body.out_trade_no);
  if (existing && existing.amount_fen !== amount?.total) return answer(keys, 400, { code: 'PARAM_ERROR', message: '订单金额与原订单不一致' }, now);
  const result = await refundTrade(ctx, {
    gateway: 'wechat', merchantId: keys.mchid, outTradeNo: body.out_trade_no, outRequestNo: body.out_refund_no, amountFen: amount?.refund as number,
    notifyUrl: typeof body.notify_url === 'string' ? body.notify_url : null, processingMs: await refundProcessingMs(ctx), failWith: await refundFailure(ctx),
  });
  if (!result.ok) {
    const failures = {
      not_found: [404, 'RESOURCE_NOT_EXISTS', '订单不存在'], not_paid: [400, 'INVALID_REQUEST', '订单未支付'],
      exceeds: [400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额'], inconsistent: [400, 'INVALID_REQUEST', '同一退款单号的参数不一致'],
    } as const;
    const [status, code, message] = failures[result.reason];
    return answer(keys, status, { code, message }, now);
  }
  return answer(keys, 200, refundResource(result.payment, result.refund), now);
};

/**
 * A refund as the refund calls and the query answer it; after a 异常退款, to another bank card
 * (OTHER_BANKCARD), user_received_account naming where the money went as WeChat does.
 */
function refundResource(payment: SandboxPaymentRow, refund: SandboxRefundRow) {
  const succeededAt = refund.succeeded_at;
  return {
    refund_id: refund.refund_no, out_refund_no: refund.out_request_no, transaction_id: payment.trade_no, out_trade_no: payment.out_trade_no,
    channel: refund.abnormal_type ? 'OTHER_BANKCARD' : 'ORIGINAL', user_received_account: receivedAccountOf(refund),
    status: refund.failed_status ?? (succeededAt ? 'SUCCESS' : 'PROCESSING'), create_time: wechatTime(refund.created_at),
    ...(succeededAt ? { success_time: wechatTime(succeededAt) } : {}),
    amount: { total: payment.amount_fen, refund: refund.amount_fen, payer_total: payment.amount_fen, payer_refund: refund.amount_fen, currency: 'CNY' },
  };
}

const banks = new Set<string>(abnormalRefundBankCodes);

/**
 * To the payer's card, WeChat needs a bank it supports, and the card number and name encrypted
 * with its platform key (the one Wechatpay-Serial names): the sandbox decrypts them with its
 * private key and checks them. Undefined when they are good; otherwise the refusal.
 */
function bankCardProblem(keys: WechatKeys, body: Record<string, unknown>): string | undefined {
  if (typeof body.bank_type !== 'string' || !banks.has(body.bank_type)) return '不支持的开户银行';
  const account = typeof body.bank_account === 'string' ? rsaOaepDecrypt(body.bank_account, keys.platformPrivateKey) : undefined;
  const name = typeof body.real_name === 'string' ? rsaOaepDecrypt(body.real_name, keys.platformPrivateKey) : undefined;
  if (account === undefined || name === undefined) return '平台私钥解密失败';
  if (normaliseBankAccount(account) !== account || name.trim() === '') return '收款银行卡号或收款用户姓名不正确';
  return undefined;
}

/** user_received_account as WeChat writes it: {银行名称}{卡类型}{卡尾号} for the payer's card, 商户结算银行账户 for the merchant's. */
function receivedAccount(keys: WechatKeys, body: Record<string, unknown>): string {
  if (body.type !== 'USER_BANK_CARD') return '商户结算银行账户';
  const bank = abnormalRefundBanks.find((b) => b.code === body.bank_type)?.zh ?? '';
  return `${bank}借记卡${(rsaOaepDecrypt(body.bank_account as string, keys.platformPrivateKey) ?? '').slice(-4)}`;
}

/**
 * Setting `payments.sandbox_wechat_abnormal_refund_answers` ('SYSTEM_ERROR' or 'FREQUENCY_LIMITED'):
 * 发起异常退款 answers 500 or 429 without applying anything, for the tests of an unknown outcome.
 */
export const abnormalRefundBusySetting = 'payments.sandbox_wechat_abnormal_refund_answers';

async function abnormalRefundBusy(ctx: AppContext): Promise<[number, string] | null> {
  const value = await paymentsRepository.getSetting<string>(ctx.db, abnormalRefundBusySetting);
  return value === 'SYSTEM_ERROR' ? [500, value] : value === 'FREQUENCY_LIMITED' ? [429, value] : null;
}

/**
 * 发起异常退款: only a refund WeChat answered ABNORMAL can be sent to a bank card (USER_BANK_CARD,
 * the payer's, details encrypted) or to the merchant's account (MERCHANT_BANK_CARD). It becomes
 * PROCESSING (or SUCCESS at once, as a refund may) and its success is notified like any refund's.
 */
const abnormalRefund: Route = async (ctx, keys, request, now, path) => {
  const body = parseBody(request.body);
  const type = body?.type;
  const busy = await abnormalRefundBusy(ctx);
  if (busy) return answer(keys, busy[0], { code: busy[1], message: busy[0] === 500 ? '系统错误' : '频率超限' }, now);
  if (!body || typeof body.out_refund_no !== 'string' || (type !== 'USER_BANK_CARD' && type !== 'MERCHANT_BANK_CARD')) return answer(keys, 400, { code: 'PARAM_ERROR', message: '参数错误' }, now);
  // Required for either type (WeChat's API marks it so), not only when fields are encrypted.
  if (request.wechatpaySerial !== keys.platformSerialNo) return answer(keys, 400, { code: 'PARAM_ERROR', message: 'Wechatpay-Serial 与平台证书序列号不符' }, now);
  const problem = type === 'USER_BANK_CARD' ? bankCardProblem(keys, body) : undefined;
  if (problem) return answer(keys, 400, { code: 'PARAM_ERROR', message: problem }, now);
  const refundNo = decodeURIComponent(abnormalRefundPath.exec(path)?.[1] ?? '');
  const result = await applyAbnormalRefund(ctx, { merchantId: keys.mchid, refundNo, outRequestNo: body.out_refund_no, type, receivedAccount: receivedAccount(keys, body), processingMs: await refundProcessingMs(ctx) });
  if (!result.ok) {
    const failures = {
      not_found: [404, 'RESOURCE_NOT_EXISTS', '退款单不存在'], not_abnormal: [400, 'INVALID_REQUEST', '退款单状态不是退款异常，不能发起异常退款'],
      other_type: [400, 'INVALID_REQUEST', '该退款单已按另一种方式发起异常退款'],
    } as const;
    const [status, code, message] = failures[result.reason];
    return answer(keys, status, { code, message }, now);
  }
  return answer(keys, 200, refundResource(result.payment, result.refund), now);
};

/** 查询单笔退款: the refund as the sandbox holds it now, by out_refund_no (RESOURCE_NOT_EXISTS when it has none). */
const queryRefund: Route = async (ctx, keys, _request, now, path) => {
  const outRequestNo = decodeURIComponent(refundQueryPath.exec(path)?.[1] ?? '');
  const refund = await repo.findRefundByOutRequestNo(ctx.db, keys.mchid, outRequestNo);
  const payment = refund && (await repo.findPayment(ctx.db, refund.sandbox_payment_id));
  if (!refund || !payment) return answer(keys, 404, { code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' }, now);
  return answer(keys, 200, refundResource(payment, refund), now);
};
