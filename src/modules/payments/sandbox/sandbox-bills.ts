import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { addDays, beijingMidnight } from '../../../domain/calendar.js';
import type { AppContext } from '../../../platform/context.js';
import { alipayBillHeader, alipayBillTitles, alipaySummaryHeader } from '../gateways/alipay-bill.js';
import { alipayTime, fenToYuan } from '../gateways/formats.js';
import type { AlipayKeys, WechatKeys } from '../gateways/sandbox-keys.js';
import { wechatBillHeader, wechatSummaryHeader } from '../gateways/wechat-bill.js';
import type { GatewayName } from '../payments.tables.js';
import { sandboxRepository as repo } from './sandbox.repository.js';

/**
 * The sandbox gateway's daily trade bills, made from its own trades and refunds the way Alipay
 * and WeChat Pay make theirs: Alipay's a zip of two GBK CSV files (业务明细 and its 汇总), WeChat
 * Pay's a UTF-8 CSV with backtick-prefixed cells and a summary line. A day's bill exists from
 * 09:00 Beijing the next day. Both charge a 0.6% fee (服务费 / 手续费) and give it back in
 * proportion on a refund.
 */

/** 0.6%, the gateways' usual rate for online payments, in thousandths of a fen per fen. */
const feeMillifenPerFen = 6;
const billReadyHourBeijing = 9;

/** Whether `date`'s bill (yyyy-MM-dd, Beijing) is made by `now`: from 09:00 the next day. */
export function billReady(date: string, now: Date): boolean {
  return now.getTime() >= beijingMidnight(addDays(date, 1)).getTime() + billReadyHourBeijing * 3600_000;
}

/** The day's lines as both gateways keep them: payments by when they were paid, refunds by when they were asked for. */
async function dayOf(ctx: AppContext, gateway: GatewayName, merchantId: string, date: string) {
  const from = beijingMidnight(date);
  const to = beijingMidnight(addDays(date, 1));
  return { payments: await repo.paidBetween(ctx.db, gateway, merchantId, from, to), refunds: await repo.refundsBetween(ctx.db, gateway, merchantId, from, to) };
}
type Day = Awaited<ReturnType<typeof dayOf>>;

const compact = (date: string) => date.replaceAll('-', '');

/** A CSV cell as Alipay writes one: quoted when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Alipay rounds its fee to the fen. */
const alipayFeeFen = (amountFen: number) => Math.round((amountFen * feeMillifenPerFen) / 1000);
const signedYuan = (fen: number) => (fen < 0 ? `-${fenToYuan(-fen)}` : fenToYuan(fen));

function alipayHead(title: string, account: string, date: string): string[] {
  const [y, m, d] = date.split('-');
  const [ny, nm, nd] = addDays(date, 1).split('-');
  return [title, `#账号：[${account}]`, `#起始日期：[${y}年${m}月${d}日 00:00:00]   终止日期：[${ny}年${nm}月${nd}日 00:00:00]`];
}

const alipayRule = (name: string) => `#-----------------------------------------${name}----------------------------------------`;

function alipayDetailCsv(day: Day, account: string, date: string, now: Date): string {
  const row = (cells: Partial<Record<(typeof alipayBillHeader)[number], string>>) => alipayBillHeader.map((h) => csvCell(cells[h] ?? '')).join(',');
  const blank = { 门店编号: '\t', 门店名称: '\t', 操作员: '\t', 终端号: '\t', 对方账户: '159******00\t', '支付宝红包（元）': '0.00', '集分宝（元）': '0.00', '支付宝优惠（元）': '0.00', '商家优惠（元）': '0.00', '券核销金额（元）': '0.00', '商家红包消费金额（元）': '0.00\t', '卡消费金额（元）': '0.00', '分润（元）': '0.00' };
  const payments = day.payments.map((p) => row({
    ...blank, 支付宝交易号: `${p.trade_no}\t`, 商户订单号: `${p.out_trade_no}\t`, 业务类型: '交易\t', 商品名称: p.subject, 创建时间: alipayTime(p.created_at), 完成时间: alipayTime(p.paid_at as Date),
    '订单金额（元）': fenToYuan(p.amount_fen), '商家实收（元）': fenToYuan(p.amount_fen), '退款批次号/请求号': '\t', '服务费（元）': signedYuan(-alipayFeeFen(p.amount_fen)), 备注: p.subject,
  }));
  const refunds = day.refunds.filter((r) => r.succeeded_at).map((r) => row({
    ...blank, 支付宝交易号: `${r.trade_no}\t`, 商户订单号: `${r.out_trade_no}\t`, 业务类型: '退款\t', 商品名称: r.subject, 创建时间: alipayTime(r.trade_created_at), 完成时间: alipayTime(r.succeeded_at as Date),
    '订单金额（元）': signedYuan(-r.amount_fen), '商家实收（元）': signedYuan(-r.amount_fen), '退款批次号/请求号': `${r.out_request_no}\t`, '服务费（元）': fenToYuan(alipayFeeFen(r.amount_fen)), 备注: r.subject,
  }));
  const paid = day.payments.reduce((s, p) => s + p.amount_fen, 0);
  const refunded = day.refunds.filter((r) => r.succeeded_at).reduce((s, r) => s + r.amount_fen, 0);
  return [
    ...alipayHead(alipayBillTitles.detail, account, date), alipayRule('业务明细列表'), alipayBillHeader.join(','), ...payments, ...refunds,
    alipayRule('业务明细列表结束'), `#交易合计：${payments.length}笔，商家实收共${fenToYuan(paid)}元，商家优惠共0.00元`,
    `#退款合计：${refunds.length}笔，商家实收退款共${signedYuan(-refunded)}元，商家优惠退款共0.00元`, `#导出时间：[${exportTime(now)}]`,
  ].join('\r\n') + '\r\n';
}

function exportTime(now: Date): string {
  const t = alipayTime(now);
  return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11)}`;
}

function alipaySummaryCsv(day: Day, account: string, date: string, now: Date): string {
  const refunds = day.refunds.filter((r) => r.succeeded_at);
  const net = day.payments.reduce((s, p) => s + p.amount_fen, 0) - refunds.reduce((s, r) => s + r.amount_fen, 0);
  const fee = day.payments.reduce((s, p) => s + alipayFeeFen(p.amount_fen), 0) - refunds.reduce((s, r) => s + alipayFeeFen(r.amount_fen), 0);
  const line = (store: string) => [store, store === '合计' ? '' : '\t', String(day.payments.length), String(refunds.length), signedYuan(net), signedYuan(net), '0.00', '0.00', '0.00', signedYuan(-fee), '0.00', signedYuan(net - fee)].join(',');
  return [
    ...alipayHead(alipayBillTitles.summary, account, date), alipayRule('业务汇总列表'), alipaySummaryHeader.join(','), line('\t'), line('合计'),
    alipayRule('业务汇总列表结束'), `#导出时间：[${exportTime(now)}]`,
  ].join('\r\n') + '\r\n';
}

/**
 * A zip whose entry names are GBK bytes without the UTF-8 flag, as Alipay's are. fflate writes
 * names as UTF-8 (flagging non-ASCII ones), so each entry is zipped under an ASCII stand-in of
 * the same byte length, which is then overwritten in place by the GBK name (in the local header
 * and the central directory; the CRCs cover the contents only).
 */
export function zipWithGbkNames(files: ReadonlyArray<readonly [name: string, contents: Uint8Array]>, mtime: Date): Uint8Array {
  const names = files.map(([name]) => iconv.encode(name, 'gbk'));
  const standIns = names.map((gbk, i) => Buffer.from(`${String(i).padStart(4, '0')}`.padEnd(gbk.length, '~').slice(0, gbk.length), 'ascii'));
  const zip = Buffer.from(zipSync(Object.fromEntries(files.map(([, contents], i) => [standIns[i]?.toString('ascii') as string, [contents, { mtime }]]))));
  standIns.forEach((standIn, i) => {
    for (let at = zip.indexOf(standIn); at >= 0; at = zip.indexOf(standIn, at + 1)) (names[i] as Buffer).copy(zip, at);
  });
  return new Uint8Array(zip);
}

/** Alipay's bill for `date`: `<pid>0156_<yyyyMMdd>.csv.zip` holding the 业务明细 and its 汇总, both GBK. */
export async function alipayBillZip(ctx: AppContext, keys: AlipayKeys, date: string): Promise<{ fileName: string; zip: Uint8Array }> {
  const day = await dayOf(ctx, 'alipay', keys.sellerId, date);
  const account = `${keys.sellerId}0156`;
  const base = `${account}_${compact(date)}`;
  const now = ctx.clock.now();
  const zip = zipWithGbkNames([
    [`${base}_业务明细.csv`, iconv.encode(alipayDetailCsv(day, account, date, now), 'gbk')],
    [`${base}_业务明细(汇总).csv`, iconv.encode(alipaySummaryCsv(day, account, date, now), 'gbk')],
  ], now);
  return { fileName: `${base}.csv.zip`, zip };
}

/** Merchant text in a WeChat bill: commas and line breaks escaped, so that a plain split is safe. */
const wechatText = (text: string) => text.replaceAll('\\', '\\\\').replaceAll(',', '\\ ').replaceAll('\r', '').replaceAll('\n', '\\n');
const fee5 = (millifen: number) => `${millifen < 0 ? '-' : ''}${Math.floor(Math.abs(millifen) / 100_000)}.${String(Math.abs(millifen) % 100_000).padStart(5, '0')}`;
const wechatRefundStates = { ABNORMAL: 'CHANGE', CLOSED: 'FAIL' } as const;

/** WeChat Pay's trade bill (bill_type ALL) for `date`, as the file's bytes (UTF-8). */
export async function wechatBillCsv(ctx: AppContext, keys: WechatKeys, date: string): Promise<Uint8Array> {
  const day = await dayOf(ctx, 'wechat', keys.mchid, date);
  const row = (cells: Partial<Record<(typeof wechatBillHeader)[number], string>>) => wechatBillHeader.map((h) => `\`${cells[h] ?? ''}`).join(',');
  const common = { 商户号: keys.mchid, 特约商户号: '0', 用户标识: 'oSandboxPayer0000000000000000', 交易类型: 'MWEB', 付款银行: 'OTHERS', 货币种类: 'CNY', 代金券金额: '0.00', 充值券退款金额: '0.00', 费率: '0.60%' };
  const payments = day.payments.map((p) => row({
    ...common, 交易时间: alipayTime(p.paid_at as Date), 公众账号ID: p.app_id, 微信订单号: p.trade_no, 商户订单号: p.out_trade_no, 交易状态: 'SUCCESS', 应结订单金额: fenToYuan(p.amount_fen),
    微信退款单号: '0', 商户退款单号: '0', 退款金额: '0.00', 商品名称: wechatText(p.subject), 商户数据包: wechatText(p.payee), 手续费: fee5(p.amount_fen * feeMillifenPerFen),
    订单金额: fenToYuan(p.amount_fen), 申请退款金额: '0.00',
  }));
  const refunds = day.refunds.map((r) => row({
    ...common, 交易时间: alipayTime(r.created_at), 公众账号ID: r.app_id, 微信订单号: r.trade_no, 商户订单号: r.out_trade_no, 交易状态: 'REFUND', 应结订单金额: '0.00',
    微信退款单号: r.refund_no, 商户退款单号: r.out_request_no, 退款金额: fenToYuan(r.amount_fen), 退款类型: 'ORIGINAL',
    退款状态: r.failed_status ? wechatRefundStates[r.failed_status] : r.succeeded_at ? 'SUCCESS' : 'PROCESSING', 商品名称: wechatText(r.subject), 商户数据包: wechatText(r.payee),
    手续费: fee5(-r.amount_fen * feeMillifenPerFen), 订单金额: fenToYuan(r.trade_amount_fen), 申请退款金额: fenToYuan(r.amount_fen),
  }));
  const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
  const paid = sum(day.payments.map((p) => p.amount_fen));
  const refunded = sum(day.refunds.map((r) => r.amount_fen));
  const summary = [
    String(payments.length + refunds.length), fenToYuan(paid), fenToYuan(refunded), '0.00', fee5((paid - refunded) * feeMillifenPerFen),
    fenToYuan(paid + sum(day.refunds.map((r) => r.trade_amount_fen))), fenToYuan(refunded),
  ];
  const text = [wechatBillHeader.join(','), ...payments, ...refunds, wechatSummaryHeader.join(','), summary.map((c) => `\`${c}`).join(',')].join('\r\n') + '\r\n';
  return new TextEncoder().encode(text);
}

export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * The download links' tokens: an HMAC over what the link is for and when it was made, under a
 * key derived from the gateway's own private key, so that a link cannot be made up or reused
 * for another day; the link lives `ttlMs` (Alipay 30 s, WeChat Pay 5 min).
 */
export function billToken(platformPrivateKey: string, subject: string, issuedAtMs: number): string {
  const key = createHash('sha256').update(`sandbox bill links\n${platformPrivateKey}`).digest();
  return createHmac('sha256', key).update(`${subject}\n${issuedAtMs}`).digest('hex');
}

export function billTokenValid(platformPrivateKey: string, subject: string, issuedAt: string | undefined, token: string | undefined, now: Date, ttlMs: number): boolean {
  const issuedAtMs = Number(issuedAt);
  if (!token || !/^\d{1,15}$/.test(issuedAt ?? '') || now.getTime() - issuedAtMs > ttlMs || issuedAtMs > now.getTime() + ttlMs) return false;
  const expected = Buffer.from(billToken(platformPrivateKey, subject, issuedAtMs), 'hex');
  const given = Buffer.from(token, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
