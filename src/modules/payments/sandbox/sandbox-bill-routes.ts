import type { FastifyInstance } from 'fastify';
import { randomInt } from 'node:crypto';
import { requireCaller } from '../../../platform/auth.js';
import type { AppContext } from '../../../platform/context.js';
import { fail } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import { sandboxKeys, sandboxPrefix } from '../gateways/registry.js';
import type { AlipayKeys, WechatKeys } from '../gateways/sandbox-keys.js';
import { alipayBillZip, billReady, billToken, billTokenValid, sha1Hex, wechatBillCsv } from './sandbox-bills.js';
import type { SandboxAnswer } from './sandbox-alipay.js';
import { sandboxRepository } from './sandbox.repository.js';
import { refundTrade } from './sandbox-trades.js';

/**
 * The sandbox gateways' bill downloads, as the real ones serve them: Alipay's
 * alipay.data.dataservice.bill.downloadurl.query answers a link that lives 30 seconds and needs
 * no signature; WeChat Pay's GET /v3/bill/tradebill answers the file's SHA1 and a link that lives
 * five minutes, whose download must be signed by the merchant like any call and comes back
 * unsigned. And the merchant portal's refund (商户平台手工退款), which Onecard never hears of.
 */

export const alipayBillMethod = 'alipay.data.dataservice.bill.downloadurl.query';
const alipayLinkTtlMs = 30_000;
const wechatLinkTtlMs = 5 * 60_000;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalidArguments = (message: string) => ({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: message });

/** alipay.data.dataservice.bill.downloadurl.query: trade bills of a day, from 09:00 the next day. */
export function alipayBillDownloadUrl(ctx: AppContext, keys: AlipayKeys, biz: Record<string, string>, origin: string): Record<string, unknown> {
  if (biz.bill_type !== 'trade') return invalidArguments('bill_type 仅支持 trade');
  const date = biz.bill_date ?? '';
  if (!datePattern.test(date)) return invalidArguments('bill_date 格式应为 yyyy-MM-dd');
  const now = ctx.clock.now();
  if (!billReady(date, now)) return { code: '40004', msg: 'Business Failed', sub_code: 'isp.bill_not_exist', sub_msg: '账单不存在' };
  const issued = now.getTime();
  const query = new URLSearchParams({ bizType: 'trade', userId: `${keys.sellerId}0156`, fileType: 'csv.zip', bizDates: date.replaceAll('-', ''), timestamp: String(issued), token: billToken(keys.platformPrivateKey, `alipay ${date}`, issued) });
  return { code: '10000', msg: 'Success', bill_download_url: `${origin}${sandboxPrefix}/alipay/bill/download?${query.toString()}` };
}

/** GET /v3/bill/tradebill?bill_date=…&bill_type=ALL → {hash_type, hash_value, download_url}, or STATEMENT_CREATING before 09:00 the next day. */
export async function wechatTradeBill(ctx: AppContext, keys: WechatKeys, url: URL, origin: string): Promise<{ status: number; payload: unknown }> {
  const date = url.searchParams.get('bill_date') ?? '';
  const type = url.searchParams.get('bill_type') ?? 'ALL';
  if (!datePattern.test(date) || type !== 'ALL') return { status: 400, payload: { code: 'INVALID_REQUEST', message: 'bill_date 或 bill_type 不正确（沙箱只出 ALL 类型账单）' } };
  const now = ctx.clock.now();
  if (!billReady(date, now)) return { status: 400, payload: { code: 'STATEMENT_CREATING', message: '账单生成中，请次日10点后再获取' } };
  // Made once: the download serves these very bytes, whatever changes in between (a refund completing).
  const bytes = await wechatBillCsv(ctx, keys, date);
  const file = newId();
  await sandboxRepository.insertBillFile(ctx.db, { id: file, gateway: 'wechat', billDate: date, bytes, at: now });
  const issued = now.getTime();
  const query = new URLSearchParams({ bill_date: date, file, issued: String(issued), token: billToken(keys.platformPrivateKey, `wechat ${date} ${file}`, issued) });
  return { status: 200, payload: { hash_type: 'SHA1', hash_value: sha1Hex(bytes), download_url: `${origin}${sandboxPrefix}/wechat/v3/billdownload/file?${query.toString()}` } };
}

/** GET /v3/billdownload/file (the merchant's signature checked before): the file itself, not signed. */
export async function wechatBillDownload(ctx: AppContext, keys: WechatKeys, url: URL): Promise<SandboxAnswer | { status: number; payload: unknown }> {
  const date = url.searchParams.get('bill_date') ?? '';
  const file = url.searchParams.get('file') ?? '';
  const valid = datePattern.test(date) && uuidPattern.test(file) && billTokenValid(keys.platformPrivateKey, `wechat ${date} ${file}`, url.searchParams.get('issued') ?? undefined, url.searchParams.get('token') ?? undefined, ctx.clock.now(), wechatLinkTtlMs);
  const bytes = valid ? await sandboxRepository.findBillFile(ctx.db, file, 'wechat', date) : undefined;
  if (!bytes) return { status: 400, payload: { code: 'INVALID_REQUEST', message: '下载链接无效或已过期，请重新申请账单' } };
  return { kind: 'file', status: 200, contentType: 'application/octet-stream', body: bytes };
}

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export function sandboxBillRoutes(ctx: AppContext, app: FastifyInstance): void {
  // The link Alipay's answer gave: valid 30 seconds, for the day it names; no signature needed.
  app.get('/sandbox/alipay/bill/download', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const keys = (await sandboxKeys(ctx)).alipay;
    const compact = query.bizDates ?? '';
    const date = /^\d{8}$/.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6)}` : '';
    if (!date || !billTokenValid(keys.platformPrivateKey, `alipay ${date}`, query.timestamp, query.token, ctx.clock.now(), alipayLinkTtlMs)) {
      return reply.code(400).type('text/plain; charset=utf-8').send('下载超时，请重新下载');
    }
    const { fileName, zip } = await alipayBillZip(ctx, keys, date);
    return reply.code(200).type('application/oct-stream').header('content-disposition', `attachment; filename="${fileName}"`).send(Buffer.from(zip));
  });

  /**
   * The merchant portal's refund (商户平台/商家中心手工退款): the gateway refunds the trade and
   * tells the merchant's API nothing; only the next day's bill shows it. Operators only, as the
   * sandbox's settings are. Body `{outTradeNo, amountFen}`.
   */
  app.post('/sandbox/:gateway/portal/refunds', { schema: { hide: true } }, async (request, reply) => {
    requireCaller(request, 'operator');
    const { gateway } = request.params as { gateway: string };
    const body = (typeof request.body === 'string' ? safeJson(request.body) : request.body) as { outTradeNo?: unknown; amountFen?: unknown } | undefined;
    if ((gateway !== 'alipay' && gateway !== 'wechat') || typeof body?.outTradeNo !== 'string' || !Number.isSafeInteger(body.amountFen) || (body.amountFen as number) <= 0) {
      throw fail('VALIDATION_FAILED', { issues: [{ path: '/body', message: 'gateway alipay|wechat, outTradeNo and a positive amountFen' }] });
    }
    const keys = await sandboxKeys(ctx);
    const outRequestNo = `${gateway === 'alipay' ? 'HZ' : 'MP'}${digits(24)}`;
    const result = await refundTrade(ctx, {
      gateway, merchantId: gateway === 'alipay' ? keys.alipay.sellerId : keys.wechat.mchid, outTradeNo: body.outTradeNo, outRequestNo, amountFen: body.amountFen as number,
      notifyUrl: null, processingMs: 0, failWith: null,
    });
    if (!result.ok) throw fail('VALIDATION_FAILED', { issues: [{ path: '/body/outTradeNo', message: `the gateway refuses: ${result.reason}` }] });
    return reply.code(201).send({ outRequestNo, refundNo: result.refund.refund_no, amountFen: result.refund.amount_fen });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
