import { createHash } from 'node:crypto';
import { BillFormatError, parseBeijingTime, summarise, yuanToFenSigned, yuanToMillifen, type BillLine, type BillRefundState, type TradeBill } from './bill.js';

/**
 * WeChat Pay's trade bill (APIv3 `GET /v3/bill/tradebill?bill_date=…&bill_type=ALL` answers
 * `{hash_type: "SHA1", hash_value, download_url}`; the download is UTF-8 CSV). Every cell starts
 * with a backtick (so that spreadsheets keep long numbers as text); the detail lines come first,
 * then a summary header and one summary line:
 *
 *   交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,
 *     应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,
 *     商户数据包,手续费,费率,订单金额,申请退款金额,费率备注
 *   `2021-01-28 17:07:11,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000925…,`S2021…,`ofyak5…,`NATIVE,`SUCCESS,…
 *   总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
 *   `1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00
 *
 * 交易状态 SUCCESS is a payment (订单金额; 应结订单金额 is that less merchant coupons, none here),
 * REFUND a refund started that day (退款金额, named by 商户退款单号; its 订单金额 repeats the
 * trade's, so the summary's 订单总金额 counts it again and 应结订单总金额 is what was paid),
 * REVOKED a cancelled card payment (not money). 手续费 has five decimals, negative
 * on a refund that gave it back. Columns are read by name: the SUCCESS and REFUND bill types
 * order them differently. Merchant text fields have their commas escaped, so a plain split is safe.
 */

export const wechatBillHeader = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类',
  '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包',
  '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
] as const;

export const wechatSummaryHeader = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const;

const cells = (line: string) => line.split(',').map((c) => (c.startsWith('`') ? c.slice(1) : c).trim());

/** The download's bytes must hash to what the bill application said (SHA1, hex). */
export function wechatBillHashMatches(bytes: Uint8Array, hashType: unknown, hashValue: unknown): boolean {
  if (hashType !== 'SHA1' || typeof hashValue !== 'string') return false;
  return createHash('sha1').update(bytes).digest('hex') === hashValue.toLowerCase();
}

type Row = Map<string, string>;

function value(row: Row, column: string): string {
  const v = row.get(column);
  if (v === undefined) throw new BillFormatError(`no column ${column}`);
  return v;
}

/** 退款状态: SUCCESS, PROCESSING, or given up (CHANGE: abnormal, the payer's account cannot take it; FAIL; REFUNDCLOSE: closed). */
const refundStates: Record<string, BillRefundState> = { SUCCESS: 'success', PROCESSING: 'processing', CHANGE: 'failed', FAIL: 'failed', REFUNDCLOSE: 'failed', ABNORMAL: 'failed', CLOSED: 'failed' };

function refundState(text: string): BillRefundState {
  const state = refundStates[text];
  if (!state) throw new BillFormatError(`退款状态 ${text || '(empty)'}`);
  return state;
}

function detailLine(row: Row, mchid: string): BillLine | undefined {
  if (value(row, '商户号') !== mchid) throw new BillFormatError(`a line of merchant ${value(row, '商户号')}`);
  const state = value(row, '交易状态');
  if (state === 'REVOKED') return undefined;
  if (state !== 'SUCCESS' && state !== 'REFUND') throw new BillFormatError(`交易状态 ${state}`);
  const refund = state === 'REFUND';
  const line: BillLine = {
    kind: refund ? 'refund' : 'payment',
    tradeNo: value(row, '微信订单号'),
    outTradeNo: value(row, '商户订单号'),
    outRefundNo: refund ? value(row, '商户退款单号') : null,
    refundState: refund ? refundState(value(row, '退款状态')) : null,
    amountFen: yuanToFenSigned(value(row, refund ? '退款金额' : '订单金额'), refund ? '退款金额' : '订单金额'),
    feeMillifen: yuanToMillifen(value(row, '手续费'), '手续费'),
    at: parseBeijingTime(value(row, '交易时间')),
  };
  if (!line.tradeNo || !line.outTradeNo || (refund && !line.outRefundNo) || line.amountFen <= 0) throw new BillFormatError(`a ${state} line lacks its numbers or amount`);
  return line;
}

/**
 * The bill's text → its lines, checked against its own summary line (count, paid, refunded,
 * fees); every line must be of merchant `mchid`.
 */
export function parseWechatBill(text: string, date: string, mchid: string): TradeBill {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = cells(rows[0] ?? '');
  if (!header.includes('交易时间') || !header.includes('交易状态')) throw new BillFormatError('not a WeChat Pay trade bill');
  const summaryAt = rows.findIndex((l) => cells(l)[0] === '总交易单数');
  if (summaryAt < 0 || summaryAt + 2 !== rows.length) throw new BillFormatError('no summary at the end');
  const lines = rows.slice(1, summaryAt).flatMap((l) => {
    const c = cells(l);
    if (c.length !== header.length) throw new BillFormatError(`a line of ${c.length} cells under ${header.length} columns`);
    return detailLine(new Map(header.map((h, i) => [h, c[i] as string])), mchid) ?? [];
  });
  const totals = new Map(cells(rows[summaryAt] as string).map((h, i) => [h, cells(rows[summaryAt + 1] as string)[i] ?? '']));
  const summary = {
    payments: lines.filter((l) => l.kind === 'payment').length,
    refunds: lines.filter((l) => l.kind === 'refund').length,
    paidFen: yuanToFenSigned(value(totals, '应结订单总金额'), '应结订单总金额'),
    refundedFen: yuanToFenSigned(value(totals, '退款总金额'), '退款总金额'),
    feeMillifen: yuanToMillifen(value(totals, '手续费总金额'), '手续费总金额'),
  };
  const counted = summarise(lines);
  const count = Number(value(totals, '总交易单数'));
  if (count !== rows.length - 3 || summary.paidFen !== counted.paidFen || summary.refundedFen !== counted.refundedFen || summary.feeMillifen !== counted.feeMillifen) {
    throw new BillFormatError('the lines do not add up to the summary');
  }
  return { gateway: 'wechat', date, lines, summary };
}
