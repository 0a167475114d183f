import { randomBytes, randomInt } from 'node:crypto';
import type { AppContext } from '../../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../../platform/db/database.js';
import { newId } from '../../../platform/ids.js';
import { alipayForm, signAlipayNotification, type AlipayParams } from '../gateways/alipay.js';
import { alipayTime, fenToYuan, yuanToFen } from '../gateways/formats.js';
import { sandboxKeys, sandboxPrefix } from '../gateways/registry.js';
import type { AlipayKeys, SandboxKeyring } from '../gateways/sandbox-keys.js';
import type { GatewayName } from '../payments.tables.js';
import { newContractId, notifyContract } from './sandbox-papay.js';
import type { SandboxAnswer } from './sandbox-alipay.js';
import { noSwitches, queueAgreementNotification } from './sandbox-notifications.js';
import { openTrade, payPendingTrade } from './sandbox-trades.js';
import { sandboxRepository as repo, type AgreementKey, type SandboxAgreementRow } from './sandbox.repository.js';

/**
 * The sandbox's Alipay 商户代扣 (withholding agreements): the merchant sends the user to the
 * agreement page with a signed alipay.user.agreement.page.sign link; the user agrees there, and
 * the agreement gets its agreement_no; the merchant then queries it
 * (alipay.user.agreement.query), takes money under it without the user's password
 * (alipay.trade.pay, product GENERAL_WITHHOLDING) and ends it (alipay.user.agreement.unsign).
 * Signing and unsigning (by the merchant, or by the user in the Alipay app) are notified to the
 * signing link's notify_url.
 * The caller has checked the app id and the RSA2 signature; answers use Alipay's codes.
 */

/** What the sandbox's Alipay holds about its one merchant's withholding service, as the agreement page shows it. */
export const withholdingService = {
  merchantName: '北京市政交通一卡通有限公司',
  serviceName: '北京学生卡 自动充值',
  /** The single limit the merchant signed the product with: alipay.trade.pay refuses more. */
  singleLimitFen: 50_000,
} as const;

const personalProductCode = 'GENERAL_WITHHOLDING_P';
const productCode = 'GENERAL_WITHHOLDING';
const accessChannels = ['ALIPAYAPP', 'QRCODE', 'QRCODEORSMS'];
/** The sandbox's one Alipay user: who signs every agreement and pays every withholding. */
const sandboxUser = { userId: '2088102177846880', logonId: '159******00' };
/** Alipay's agreements run until the user or the merchant ends them; it reports this far-off date. */
const invalidTime = '2115-02-01 00:00:00';

type Response = Record<string, unknown>;
const success = { code: '10000', msg: 'Success' };
const invalid = (subCode: string, subMsg: string): Response => ({ code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg });
const failed = (subCode: string, subMsg: string): Response => ({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });
const agreementNotExist = failed('USER_AGREEMENT_NOT_EXIST', '用户协议不存在');

/** Alipay's agreement numbers: '20' and 18 digits. */
function newAgreementNo(): string {
  return `20${Array.from({ length: 18 }, () => String(randomInt(10))).join('')}`;
}

export function isWebUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The signed agreement link opened in the browser: a TEMP agreement for the merchant's signing
 * number (the same number again reuses it, with the latest details), then the agreement page.
 */
export async function agreementSignRequest(ctx: AppContext, keys: AlipayKeys, request: { params: AlipayParams; biz: Record<string, string>; accessParams: Record<string, string> | undefined; origin: string }): Promise<SandboxAnswer> {
  const { params, biz } = request;
  const refused = (message: string): SandboxAnswer => ({ kind: 'error_page', title: '无法签约', message });
  if (biz.personal_product_code !== personalProductCode || !biz.sign_scene || !biz.external_agreement_no) {
    return refused(`缺少或错误的参数（personal_product_code 须为 ${personalProductCode}，sign_scene、external_agreement_no 必填）`);
  }
  if (biz.product_code !== undefined && biz.product_code !== productCode) return refused(`不支持的销售产品码 ${biz.product_code}`);
  if (!accessChannels.includes(request.accessParams?.channel ?? '')) return refused('access_params.channel 有误');
  if (params.return_url !== undefined && !isWebUrl(params.return_url)) return refused('return_url 须为 http(s) 地址');
  if (params.notify_url !== undefined && !isWebUrl(params.notify_url)) return refused('notify_url 须为 http(s) 地址');
  const key = { appId: keys.appId, externalAgreementNo: biz.external_agreement_no, personalProductCode: biz.personal_product_code, signScene: biz.sign_scene };
  const agreement = await openAgreement(ctx, 'alipay', key, { externalLogonId: biz.external_logon_id ?? null, returnUrl: params.return_url ?? null, notifyUrl: params.notify_url ?? null });
  if (!agreement) return refused('该商户签约号已签约，请勿重复签约');
  return { kind: 'redirect', location: `${request.origin}${sandboxPrefix}/alipay/agreement/${agreement.id}` };
}

/**
 * A TEMP agreement for the key, or undefined when one is in force (NORMAL, STOP). An ended one
 * (UNSIGN) is signed afresh under the same number at Alipay (it gets a new agreement_no when
 * agreed); WeChat Pay never takes an out_contract_code again once a contract was signed under it.
 */
export async function openAgreement(ctx: AppContext, gateway: GatewayName, key: AgreementKey, details: { externalLogonId: string | null; returnUrl: string | null; notifyUrl: string | null }): Promise<SandboxAgreementRow | undefined> {
  return inTransaction(ctx.db, async (tx) => {
    await repo.insertAgreementIfAbsent(tx, {
      id: newId(), gateway, app_id: key.appId, agreement_no: null, external_agreement_no: key.externalAgreementNo, personal_product_code: key.personalProductCode, sign_scene: key.signScene,
      external_logon_id: details.externalLogonId, status: 'TEMP', return_url: details.returnUrl, notify_url: details.notifyUrl, created_at: ctx.clock.now(), signed_at: null, unsigned_at: null,
    });
    const agreement = await repo.lockAgreementByExternalNo(tx, key);
    if (!agreement) throw new Error('sandbox agreement vanished');
    if (agreement.status === 'NORMAL' || agreement.status === 'STOP' || (gateway === 'wechat' && agreement.status === 'UNSIGN')) return undefined;
    const change = {
      status: 'TEMP' as const, agreement_no: null, signed_at: null, unsigned_at: null, external_logon_id: details.externalLogonId, return_url: details.returnUrl, notify_url: details.notifyUrl,
    };
    await repo.updateAgreement(tx, agreement.id, change);
    return { ...agreement, ...change };
  });
}

/**
 * 同意并签约 on the agreement page: the agreement is in force, with its number (and the page's
 * test switch); Alipay notifies dut_user_sign, WeChat Pay ENTRUST.SIGN.
 */
export async function agreeAtPage(ctx: AppContext, agreementId: string, switches: { withholdingFails: boolean }): Promise<SandboxAgreementRow | undefined> {
  const keys = await sandboxKeys(ctx);
  return inTransaction(ctx.db, async (tx) => {
    const agreement = await repo.lockAgreement(tx, agreementId);
    if (!agreement || agreement.status !== 'TEMP') return agreement;
    const agreementNo = agreement.gateway === 'wechat' ? newContractId() : newAgreementNo();
    const change = { status: 'NORMAL' as const, agreement_no: agreementNo, signed_at: ctx.clock.now(), withholding_fails: switches.withholdingFails };
    await repo.updateAgreement(tx, agreement.id, change);
    const signed = { ...agreement, ...change };
    await notifyAgreement(tx, ctx, keys, signed);
    return signed;
  });
}

/** The notification of an agreement's new state, in the gateway's own protocol. */
export async function notifyAgreement(tx: DbOrTx, ctx: AppContext, keys: SandboxKeyring, agreement: SandboxAgreementRow): Promise<void> {
  if (agreement.gateway === 'wechat') await notifyContract(tx, ctx, keys, agreement);
  else await notifyMerchant(tx, ctx, keys.alipay, agreement);
}

/**
 * 关闭服务 in the Alipay app (我的 → 设置 → 支付设置 → 免密支付/自动扣款), or in WeChat (我 → 服务
 * → 钱包 → 支付设置 → 自动续费/免密支付), which the sandbox shows as a page of its own: the user
 * ends an agreement in force, and the gateway notifies it (dut_user_unsign, ENTRUST.TERMINATE).
 */
export async function unsignInGatewayApp(ctx: AppContext, agreementId: string): Promise<SandboxAgreementRow | undefined> {
  const keys = await sandboxKeys(ctx);
  return inTransaction(ctx.db, async (tx) => {
    const agreement = await repo.lockAgreement(tx, agreementId);
    if (agreement?.status !== 'NORMAL' && agreement?.status !== 'STOP') return agreement;
    const change = { status: 'UNSIGN' as const, unsigned_at: ctx.clock.now() };
    await repo.updateAgreement(tx, agreement.id, change);
    const unsigned = { ...agreement, ...change };
    await notifyAgreement(tx, ctx, keys, unsigned);
    return unsigned;
  });
}

/** dut_user_sign (NORMAL) or dut_user_unsign (UNSIGN) to the notify_url the signing link gave, signed with Alipay's key; none without one. */
async function notifyMerchant(tx: DbOrTx, ctx: AppContext, keys: AlipayKeys, agreement: SandboxAgreementRow): Promise<void> {
  if (!agreement.notify_url || !agreement.agreement_no) return;
  const now = ctx.clock.now();
  const when: AlipayParams = agreement.status === 'UNSIGN'
    ? { notify_type: 'dut_user_unsign', unsign_time: alipayTime(agreement.unsigned_at ?? now) }
    : { notify_type: 'dut_user_sign', sign_time: alipayTime(agreement.signed_at ?? now), valid_time: alipayTime(agreement.signed_at ?? now), invalid_time: invalidTime };
  const body = alipayForm(signAlipayNotification({
    notify_time: alipayTime(now), notify_id: randomBytes(17).toString('hex'), charset: 'utf-8', version: '1.0', app_id: agreement.app_id, auth_app_id: agreement.app_id,
    agreement_no: agreement.agreement_no, external_agreement_no: agreement.external_agreement_no, personal_product_code: agreement.personal_product_code, sign_scene: agreement.sign_scene,
    status: agreement.status, alipay_user_id: sandboxUser.userId, alipay_logon_id: sandboxUser.logonId, ...(agreement.external_logon_id ? { external_logon_id: agreement.external_logon_id } : {}), ...when,
  }, keys.platformPrivateKey));
  await queueAgreementNotification(tx, ctx.clock, 'alipay', agreement.id, agreement.notify_url, body);
}

/** The agreement a query or unsign names: by agreement_no, else by the merchant's signing number, product and scene. */
function agreementOf(db: DbOrTx, keys: AlipayKeys, biz: Record<string, string>): Promise<SandboxAgreementRow | undefined> | 'missing' {
  if (biz.agreement_no) return repo.findAgreementByNo(db, keys.appId, biz.agreement_no);
  if (!biz.external_agreement_no || !biz.personal_product_code || !biz.sign_scene) return 'missing';
  return repo.findAgreementByExternalNo(db, { appId: keys.appId, externalAgreementNo: biz.external_agreement_no, personalProductCode: biz.personal_product_code, signScene: biz.sign_scene });
}

const missingAgreement = invalid('isv.missing-parameter', '缺少 agreement_no，或 external_agreement_no、personal_product_code、sign_scene');

/** alipay.user.agreement.query: an ended agreement is reported as not existing, as Alipay does. */
export async function queryAgreement(ctx: AppContext, keys: AlipayKeys, biz: Record<string, string>): Promise<Response> {
  const lookup = agreementOf(ctx.db, keys, biz);
  if (lookup === 'missing') return missingAgreement;
  const agreement = await lookup;
  if (!agreement || agreement.status === 'UNSIGN') return agreementNotExist;
  const signed = agreement.signed_at ? { sign_time: alipayTime(agreement.signed_at), valid_time: alipayTime(agreement.signed_at) } : {};
  return {
    ...success, ...(agreement.agreement_no ? { agreement_no: agreement.agreement_no } : {}), external_agreement_no: agreement.external_agreement_no, status: agreement.status,
    ...signed, invalid_time: invalidTime, personal_product_code: agreement.personal_product_code, sign_scene: agreement.sign_scene,
    ...(agreement.external_logon_id ? { external_logon_id: agreement.external_logon_id } : {}), alipay_logon_id: sandboxUser.logonId, principal_id: sandboxUser.userId,
  };
}

/** alipay.user.agreement.unsign: an agreement in force ends; one never agreed (TEMP) or ended already does not exist. */
export async function unsignAgreement(ctx: AppContext, keys: AlipayKeys, biz: Record<string, string>): Promise<Response> {
  const lookup = agreementOf(ctx.db, keys, biz);
  if (lookup === 'missing') return missingAgreement;
  const found = await lookup;
  if (!found?.agreement_no) return agreementNotExist;
  const agreementNo = found.agreement_no;
  return inTransaction(ctx.db, async (tx) => {
    const agreement = await repo.lockAgreementByNo(tx, keys.appId, agreementNo);
    if (!agreement || agreement.status === 'UNSIGN') return agreementNotExist;
    const change = { status: 'UNSIGN' as const, unsigned_at: ctx.clock.now() };
    await repo.updateAgreement(tx, agreement.id, change);
    // Alipay notifies an unsign the merchant asked for as well.
    await notifyMerchant(tx, ctx, keys, { ...agreement, ...change });
    return success;
  });
}

export interface WithholdingCall {
  params: AlipayParams;
  biz: Record<string, string>;
  agreementParams: Record<string, string> | undefined;
}

interface Withholding {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  payee: string;
  agreementNo: string;
  notifyUrl: string;
}

/** The withholding asked for, or Alipay's 40002/40006 answer when it cannot even start. */
function parseWithholding(call: WithholdingCall): { ok: true; withholding: Withholding } | { ok: false; response: Response } {
  const { biz, params } = call;
  if (biz.product_code !== productCode) {
    return { ok: false, response: { code: '40006', msg: 'Insufficient Permissions', sub_code: 'isv.insufficient-isv-permissions', sub_msg: `沙箱应用只开通了商户代扣（${productCode}）` } };
  }
  const { out_trade_no: outTradeNo, subject } = biz;
  const agreementNo = call.agreementParams?.agreement_no;
  const notifyUrl = params.notify_url;
  if (!outTradeNo || !subject || !agreementNo || !notifyUrl) {
    return { ok: false, response: invalid('isv.missing-parameter', '缺少必要参数（out_trade_no、subject、agreement_params.agreement_no、notify_url）') };
  }
  const amountFen = yuanToFen(biz.total_amount);
  if (amountFen === undefined || amountFen < 1 || amountFen > withholdingService.singleLimitFen) {
    return { ok: false, response: invalid('isv.invalid-parameter', `total_amount 须在 0.01 至 ${fenToYuan(withholdingService.singleLimitFen)} 之间`) };
  }
  return { ok: true, withholding: { outTradeNo, amountFen, subject, payee: biz.body ?? withholdingService.merchantName, agreementNo, notifyUrl } };
}

const tradeHasSuccess = failed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');

/** Why the agreement cannot be withheld on: unknown (or ended), or not in force. */
function agreementRefusal(agreement: SandboxAgreementRow | undefined): Response | undefined {
  if (!agreement || agreement.status === 'UNSIGN') return failed('ACQ.AGREEMENT_NOT_EXIST', '用户协议不存在');
  if (agreement.status !== 'NORMAL') return failed('ACQ.AGREEMENT_STATUS_NOT_NORMAL', '用户协议状态非NORMAL');
  return undefined;
}

/**
 * alipay.trade.pay under an agreement: the trade is opened and paid at once, and its
 * trade_status_sync notification queued to notify_url, as after the cashier. A refused
 * withholding (no balance, no agreement) opens no trade, so the same out_trade_no may be retried.
 */
export async function withhold(ctx: AppContext, keys: AlipayKeys, call: WithholdingCall): Promise<Response> {
  const parsed = parseWithholding(call);
  if (!parsed.ok) return parsed.response;
  const w = parsed.withholding;
  const agreement = await repo.findAgreementByNo(ctx.db, keys.appId, w.agreementNo);
  const refused = agreementRefusal(agreement);
  if (refused) return refused;
  if ((await repo.findByOutTradeNo(ctx.db, 'alipay', keys.sellerId, w.outTradeNo))?.status === 'paid') return tradeHasSuccess;
  if (agreement?.withholding_fails) return failed('ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足');
  const opened = await openTrade(ctx, {
    gateway: 'alipay', appId: keys.appId, merchantId: keys.sellerId, outTradeNo: w.outTradeNo, amountFen: w.amountFen, subject: w.subject, payee: w.payee, notifyUrl: w.notifyUrl, returnUrl: null,
  });
  if (!opened.ok) {
    const failures = { already_paid: tradeHasSuccess, closed: failed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭'), inconsistent: failed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改') };
    return failures[opened.reason];
  }
  // Another call may have paid (or the merchant closed) the trade between opening and paying it.
  const { paid, payment } = await payPendingTrade(ctx, opened.payment.id, noSwitches);
  if (!paid || !payment?.paid_at) return payment?.status === 'paid' ? tradeHasSuccess : failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
  const amount = fenToYuan(payment.amount_fen);
  return {
    ...success, trade_no: payment.trade_no, out_trade_no: payment.out_trade_no, buyer_logon_id: sandboxUser.logonId, buyer_user_id: sandboxUser.userId,
    total_amount: amount, receipt_amount: amount, buyer_pay_amount: amount, gmt_payment: alipayTime(payment.paid_at), fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount }],
  };
}

/** For tests and demos: the agreement page's switch, set afterwards (every withholding on it fails for want of balance). */
export async function setWithholdingFails(db: DbOrTx, agreementNo: string, fails: boolean): Promise<void> {
  if (!(await repo.setWithholdingFails(db, agreementNo, fails))) throw new Error(`no sandbox agreement ${agreementNo}`);
}
