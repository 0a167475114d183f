import type { AppContext } from '../../../platform/context.js';
import { fail } from '../../../platform/errors.js';
import { AlipayClient, AlipayNotificationVerifier, type AlipayMerchant } from './alipay-client.js';
import { AlipayBillClient, WechatBillClient } from './bill-clients.js';
import type { BillClient } from './bill.js';
import type { AbnormalRefundClient, AgreementClient, GatewayClient, GatewayName, NotificationVerifier } from './gateway.js';
import { sandboxKeyring, type SandboxKeyring } from './sandbox-keys.js';
import { WechatNotificationVerifier, WechatPayClient, type WechatMerchant } from './wechat-client.js';

/**
 * Which gateway Onecard talks to, with which keys. Today that is always the sandbox gateway
 * served by this same process (no network to Alipay or WeChat Pay here; see
 * docs/decisions/0004-payments.md): the clients and verifiers are the real protocol code, only
 * the endpoint and the keys are the sandbox's. Production refuses to start a payment until real
 * merchant credentials are wired in, rather than take money through a test gateway.
 */

export const sandboxPrefix = '/api/v1/sandbox';

/** The API endpoint of the sandbox gateway at `origin` (the server's own address). */
export function sandboxEndpoint(origin: string, gateway: GatewayName): string {
  return gateway === 'alipay' ? `${origin}${sandboxPrefix}/alipay/gateway.do` : `${origin}${sandboxPrefix}/wechat`;
}

function assertGatewaysConfigured(ctx: AppContext): void {
  if (ctx.config.env === 'production') throw fail('GATEWAY_NOT_CONFIGURED');
}

/** Both halves of the sandbox's test keys; the sandbox gateway uses its own half (its private keys). */
export function sandboxKeys(ctx: AppContext): Promise<SandboxKeyring> {
  return sandboxKeyring(ctx.db, ctx.config.secrets.sandboxGatewayKey, ctx.clock.now(), ctx.logger);
}

function alipayMerchant(keys: SandboxKeyring): AlipayMerchant {
  const a = keys.alipay;
  return { appId: a.appId, sellerId: a.sellerId, appPrivateKey: a.appPrivateKey, alipayPublicKey: a.platformPublicKey };
}

/** The 委托代扣 template (plan_id) the sandbox's WeChat Pay gives its one merchant: a setting of the merchant account, not a key. */
export const sandboxWechatPlanId = 12535;

function wechatMerchant(keys: SandboxKeyring): WechatMerchant {
  const w = keys.wechat;
  return {
    appId: w.appId, mchid: w.mchid, serialNo: w.merchantSerialNo, privateKey: w.merchantPrivateKey, platformKeys: new Map([[w.platformSerialNo, w.platformPublicKey]]), apiV3Key: w.apiV3Key,
    planId: sandboxWechatPlanId,
  };
}

/** The gateway's client (both protocols' classes speak payments and withholding alike). */
async function clientFor(ctx: AppContext, gateway: GatewayName, endpoint: string): Promise<AlipayClient | WechatPayClient> {
  assertGatewaysConfigured(ctx);
  const keys = await sandboxKeys(ctx);
  return gateway === 'alipay' ? new AlipayClient(alipayMerchant(keys), endpoint, ctx.clock) : new WechatPayClient(wechatMerchant(keys), endpoint, ctx.clock);
}

/** A client for the gateway API at `endpoint` (stored on the payment attempt that used it). */
export function gatewayClient(ctx: AppContext, gateway: GatewayName, endpoint: string): Promise<GatewayClient> {
  return clientFor(ctx, gateway, endpoint);
}

/**
 * The withholding client of `gateway` at `endpoint` (stored on the agreement that used it):
 * Alipay's 商户代扣 or WeChat Pay's 委托代扣, the signing link, queries, charges and the ending.
 */
export function agreementClient(ctx: AppContext, gateway: GatewayName, endpoint: string): Promise<AgreementClient> {
  return clientFor(ctx, gateway, endpoint);
}

/** WeChat Pay's 发起异常退款 at `endpoint` (stored on the payment attempt whose trade is refunded). */
export async function abnormalRefundClient(ctx: AppContext, endpoint: string): Promise<AbnormalRefundClient> {
  return (await clientFor(ctx, 'wechat', endpoint)) as WechatPayClient;
}

/** The client that fetches `gateway`'s daily trade bill (对账单) from the API at `endpoint`. */
export async function billClient(ctx: AppContext, gateway: GatewayName, endpoint: string): Promise<BillClient> {
  assertGatewaysConfigured(ctx);
  const keys = await sandboxKeys(ctx);
  return gateway === 'alipay' ? new AlipayBillClient(alipayMerchant(keys), endpoint, ctx.clock) : new WechatBillClient(wechatMerchant(keys), endpoint, ctx.clock);
}

export async function notificationVerifier(ctx: AppContext, gateway: GatewayName): Promise<NotificationVerifier> {
  const keys = await sandboxKeys(ctx);
  return gateway === 'alipay' ? new AlipayNotificationVerifier(alipayMerchant(keys)) : new WechatNotificationVerifier(wechatMerchant(keys));
}
