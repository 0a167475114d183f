import { randomInt, randomUUID } from 'node:crypto';
import type { AppContext } from '../../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../../platform/db/database.js';
import { enqueueJob } from '../../../platform/jobs.js';
import { wechatTime } from '../gateways/formats.js';
import { sandboxKeys, sandboxPrefix, sandboxWechatPlanId } from '../gateways/registry.js';
import type { SandboxKeyring, WechatKeys } from '../gateways/sandbox-keys.js';
import { encryptWechatResource } from '../gateways/wechat.js';
import type { WechatContract } from '../gateways/wechat-client.js';
import { paymentsRepository } from '../payments.repository.js';
import { isWebUrl, openAgreement, withholdingService } from './sandbox-agreements.js';
import { noSwitches, queueAgreementNotification } from './sandbox-notifications.js';
import { openTrade, payPendingTrade } from './sandbox-trades.js';
import { sandboxRepository as repo, type AgreementKey, type SandboxAgreementRow } from './sandbox.repository.js';

/**
 * The sandbox's WeChat Pay 委托代扣 (papay, API v3), for its one merchant and template
 * (plan_id): the merchant pre-signs (代扣预签约) and gets the link to the signing page; the user
 * agrees there and the contract gets its contract_id, notified as ENTRUST.SIGN to the
 * contract_notify_url; the merchant queries the contract by plan_id and out_contract_code,
 * charges under it (受理扣款: accepted at once, charged afterwards by a job, the outcome notified
 * as TRANSACTION.SUCCESS or, when the payer's account cannot pay, left as PAYERROR for the query),
 * and terminates it (ENTRUST.TERMINATE, notified as when the user ends it in WeChat; WeChat sends
 * termination notices to the template's termination URL, which the sandbox takes to be the
 * contract's notify URL). Contracts live in sandbox_agreements (gateway `wechat`, app_id the
 * mchid, personal_product_code the plan_id). The caller (sandbox-wechat.ts) has checked the
 * merchant's signature and signs the answers.
 */

/** A WeChat Pay answer before it is signed: status and JSON (undefined: 204). */
export interface PapayAnswer {
  status: number;
  payload?: unknown;
}

/** How the sandbox keeps WeChat contracts among its agreements (the signing scene is not part of the contract's name at WeChat). */
const contractScene = 'papay';
const signScenes = new Set(['SIGN_SCENE_APP', 'SIGN_SCENE_QRCODE']);
/** The sandbox's one WeChat user: who signs every contract and pays every charge. */
const sandboxOpenId = 'oSandbox0000000000000000000';

/** Setting `payments.sandbox_wechat_papay_charge_ms`: how long after 受理扣款 the sandbox makes the charge (default 0: at the next job run). */
export const papayChargeDelaySetting = 'payments.sandbox_wechat_papay_charge_ms';
export const papayChargeJob = 'payments.sandbox.papay-charge';

/** WeChat's contract ids as the sandbox makes them: 'Wx' and 26 digits. */
export function newContractId(): string {
  return `Wx${Array.from({ length: 26 }, () => String(randomInt(10))).join('')}`;
}

const error = (status: number, code: string, message: string): PapayAnswer => ({ status, payload: { code, message } });
const notFound = error(404, 'RESOURCE_NOT_EXISTS', '签约协议不存在');

const contractKey = (keys: WechatKeys, outContractCode: string): AgreementKey => ({ appId: keys.mchid, externalAgreementNo: outContractCode, personalProductCode: String(sandboxWechatPlanId), signScene: contractScene });

/** Who ended a contract, as WeChat says: the merchant (terminate API) or the user (in WeChat). */
type TerminationMode = 'MCH_TERMINATE' | 'USER_TERMINATE';

/** The contract as WeChat reports it: SIGNED (in force) or TERMINATED. */
function contractOf(keys: WechatKeys, agreement: SandboxAgreementRow, mode: TerminationMode = 'USER_TERMINATE'): WechatContract {
  const terminated = agreement.status === 'UNSIGN';
  return {
    mchid: keys.mchid, appid: keys.appId, contract_id: agreement.agreement_no ?? '', plan_id: Number(agreement.personal_product_code), out_contract_code: agreement.external_agreement_no,
    contract_display_account: agreement.external_logon_id ?? '', contract_state: terminated ? 'TERMINATED' : 'SIGNED', openid: sandboxOpenId, out_user_code: agreement.external_logon_id ?? '',
    ...(agreement.signed_at ? { contract_signed_time: wechatTime(agreement.signed_at) } : {}),
    ...(terminated ? { contract_terminate_info: { contract_termination_mode: mode, contract_terminated_time: wechatTime(agreement.unsigned_at ?? agreement.signed_at ?? new Date(0)) } } : {}),
  };
}

/** ENTRUST.SIGN or ENTRUST.TERMINATE to the contract's notify URL, the contract encrypted with the APIv3 key (original_type `entrust`). */
export async function notifyContract(tx: DbOrTx, ctx: AppContext, keys: SandboxKeyring, agreement: SandboxAgreementRow, mode: TerminationMode = 'USER_TERMINATE'): Promise<void> {
  if (!agreement.notify_url || !agreement.agreement_no) return;
  const terminated = agreement.status === 'UNSIGN';
  const body = JSON.stringify({
    id: randomUUID(), create_time: wechatTime(ctx.clock.now()), resource_type: 'encrypt-resource', event_type: terminated ? 'ENTRUST.TERMINATE' : 'ENTRUST.SIGN', summary: terminated ? '委托代扣解约通知' : '委托代扣签约通知',
    resource: encryptWechatResource(JSON.stringify(contractOf(keys.wechat, agreement, mode)), keys.wechat.apiV3Key, 'entrust', 'entrust'),
  });
  await queueAgreementNotification(tx, ctx.clock, 'wechat', agreement.id, agreement.notify_url, body);
}

/** 代扣预签约: the signing details kept under out_contract_code (a draft, as Alipay's TEMP), answered with the signing page's link. */
export async function preEntrustSign(ctx: AppContext, keys: WechatKeys, body: Record<string, unknown> | undefined, origin: string): Promise<PapayAnswer> {
  const text = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string) : undefined);
  const outContractCode = text('out_contract_code');
  const notifyUrl = text('contract_notify_url');
  const returnUrl = text('return_url');
  if (text('appid') !== keys.appId || body?.plan_id !== sandboxWechatPlanId || !signScenes.has(text('sign_scene') ?? '')) return error(400, 'PARAM_ERROR', 'appid、plan_id 或 sign_scene 有误');
  if (!outContractCode || outContractCode.length > 32 || !text('contract_display_account') || !notifyUrl || !isWebUrl(notifyUrl) || (returnUrl !== undefined && !isWebUrl(returnUrl))) {
    return error(400, 'PARAM_ERROR', '缺少或错误的参数（out_contract_code、contract_display_account、contract_notify_url、return_url）');
  }
  const agreement = await openAgreement(ctx, 'wechat', contractKey(keys, outContractCode), { externalLogonId: text('out_user_code') ?? text('contract_display_account') ?? null, returnUrl: returnUrl ?? null, notifyUrl });
  if (!agreement) return error(400, 'INVALID_REQUEST', '商户签约协议号已使用，请更换后重新签约');
  return { status: 200, payload: { redirect_url: `${origin}${sandboxPrefix}/wechat/agreement/${agreement.id}` } };
}

/** The contract a path names, if the template is ours; undefined for another template. */
async function contractAt(ctx: AppContext, keys: WechatKeys, planId: string, outContractCode: string): Promise<SandboxAgreementRow | undefined | 'other_plan'> {
  if (planId !== String(sandboxWechatPlanId)) return 'other_plan';
  return repo.findAgreementByExternalNo(ctx.db, contractKey(keys, outContractCode));
}

/** 通过商户协议号查询签约: a draft nobody agreed to is not a contract yet. */
export async function queryContract(ctx: AppContext, keys: WechatKeys, planId: string, outContractCode: string): Promise<PapayAnswer> {
  const agreement = await contractAt(ctx, keys, planId, outContractCode);
  if (agreement === 'other_plan') return error(400, 'PARAM_ERROR', 'plan_id 不存在');
  if (!agreement?.agreement_no) return notFound;
  return { status: 200, payload: contractOf(keys, agreement) };
}

/** 通过商户协议号解约: a contract in force ends and ENTRUST.TERMINATE is notified; one ended already answers as it is. */
export async function terminateContract(ctx: AppContext, keys: SandboxKeyring, planId: string, outContractCode: string): Promise<PapayAnswer> {
  const found = await contractAt(ctx, keys.wechat, planId, outContractCode);
  if (found === 'other_plan') return error(400, 'PARAM_ERROR', 'plan_id 不存在');
  if (!found?.agreement_no) return notFound;
  return inTransaction(ctx.db, async (tx) => {
    const agreement = await repo.lockAgreement(tx, found.id);
    if (!agreement?.agreement_no) return notFound;
    if (agreement.status === 'UNSIGN') return { status: 200, payload: contractOf(keys.wechat, agreement) };
    const change = { status: 'UNSIGN' as const, unsigned_at: ctx.clock.now() };
    await repo.updateAgreement(tx, agreement.id, change);
    const terminated = { ...agreement, ...change };
    await notifyContract(tx, ctx, keys, terminated, 'MCH_TERMINATE');
    return { status: 200, payload: contractOf(keys.wechat, terminated, 'MCH_TERMINATE') };
  });
}

/**
 * 受理扣款: the charge is accepted (a trade opened under the out_trade_no) and made by a job
 * shortly after; the answer says only that it was accepted. A contract not in force is refused
 * (CONTRACT_ERROR), a trade paid already too (ORDERPAID).
 */
export async function applyCharge(ctx: AppContext, keys: WechatKeys, body: Record<string, unknown> | undefined): Promise<PapayAnswer> {
  const amount = body?.amount as { total?: unknown; currency?: unknown } | undefined;
  const total = amount?.total;
  const valid = body && body.appid === keys.appId && typeof body.out_trade_no === 'string' && body.out_trade_no.length <= 32 && typeof body.description === 'string'
    && typeof body.transaction_notify_url === 'string' && isWebUrl(body.transaction_notify_url) && typeof body.contract_id === 'string' && Number.isSafeInteger(total)
    && (amount?.currency === undefined || amount.currency === 'CNY');
  if (!valid) return error(400, 'PARAM_ERROR', '参数错误');
  if ((total as number) < 1 || (total as number) > withholdingService.singleLimitFen) return error(400, 'PARAM_ERROR', `扣款金额须在 1 至 ${withholdingService.singleLimitFen} 分之间`);
  const agreement = await repo.findAgreementByNo(ctx.db, keys.mchid, body.contract_id as string);
  if (agreement?.gateway !== 'wechat' || agreement.status !== 'NORMAL') return error(403, 'CONTRACT_ERROR', '委托代扣协议不存在或已解约');
  const opened = await openTrade(ctx, {
    gateway: 'wechat', appId: keys.appId, merchantId: keys.mchid, outTradeNo: body.out_trade_no as string, amountFen: total as number,
    subject: body.description as string, payee: withholdingService.merchantName, notifyUrl: body.transaction_notify_url as string, returnUrl: null,
  });
  if (!opened.ok) {
    const failures = { already_paid: error(400, 'ORDERPAID', '该订单已支付'), closed: error(400, 'ORDER_CLOSED', '订单已关闭'), inconsistent: error(400, 'INVALID_REQUEST', '参数与首次请求时不一致') };
    return failures[opened.reason];
  }
  const delayMs = await paymentsRepository.getSetting<number>(ctx.db, papayChargeDelaySetting);
  const runAt = new Date(ctx.clock.now().getTime() + (typeof delayMs === 'number' && delayMs > 0 ? delayMs : 0));
  await enqueueJob(ctx.db, ctx.clock, papayChargeJob, { paymentId: opened.payment.id, contractId: agreement.agreement_no }, { runAt, uniqueKey: `${papayChargeJob}:${opened.payment.id}`, maxAttempts: 3 });
  return { status: 200, payload: { out_trade_no: opened.payment.out_trade_no, amount: { total: opened.payment.amount_fen, currency: 'CNY' } } };
}

/**
 * The job: the accepted charge is made. Paid, its TRANSACTION.SUCCESS is notified as after the
 * cashier; with the signing page's test switch (or the contract ended meanwhile) the payer's
 * account cannot pay: the trade is PAYERROR, and nothing is notified (WeChat notifies payments).
 */
export async function makePapayCharge(ctx: AppContext, payload: { paymentId: string; contractId: string }): Promise<void> {
  const keys = (await sandboxKeys(ctx)).wechat;
  const agreement = await repo.findAgreementByNo(ctx.db, keys.mchid, payload.contractId);
  if (agreement?.status === 'NORMAL' && !agreement.withholding_fails) {
    await payPendingTrade(ctx, payload.paymentId, noSwitches);
    return;
  }
  await inTransaction(ctx.db, async (tx) => {
    const payment = await repo.lockPayment(tx, payload.paymentId);
    if (payment?.status === 'pending') await repo.updatePayment(tx, payment.id, { status: 'failed' });
  });
}
