import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { BillFormatError, parseBeijingTime, summarise, yuanToFenSigned, type BillLine, type BillSummary, type TradeBill } from './bill.js';

/**
 * Alipay's daily trade bill (bill_type `trade`): the download is a zip of two CSV files in GBK,
 * `<pid>0156_<yyyyMMdd>_业务明细.csv` and `…_业务明细(汇总).csv` (the names in GBK too, without
 * the zip's UTF-8 flag, so the files are told apart by their first line, not their names):
 *
 *   #支付宝业务明细查询
 *   #账号：[20880211096256330156]
 *   #起始日期：[2019年09月16日 00:00:00]   终止日期：[2019年09月17日 00:00:00]
 *   #-----------------------------------------业务明细列表----------------------------------------
 *   支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,
 *     订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,
 *     券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注
 *   2019091622001458860515315453\t,service_1568601259302\t,交易\t,下单测试,2019-09-16 10:55:16,…
 *   #-----------------------------------------业务明细列表结束------------------------------------
 *   #交易合计：6笔，商家实收共0.06元，商家优惠共0.00元
 *   #退款合计：4笔，商家实收退款共-0.04元，商家优惠退款共0.00元
 *   #导出时间：[2019年09月17日 05:46:49]
 *
 * Numbers carry a trailing tab (so that spreadsheets keep them as text); refund lines repeat the
 * trade's numbers with negative amounts and name the refund by 退款批次号/请求号 (our out_request_no).
 * 服务费 is negative where Alipay charged it and positive where a refund gave it back.
 */

export const alipayBillHeader = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号', '对方账户',
  '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
] as const;

export const alipaySummaryHeader = [
  '门店编号', '门店名称', '交易订单总笔数', '退款订单总笔数', '订单金额（元）', '商家实收（元）', '支付宝优惠（元）', '商家优惠（元）', '卡消费金额（元）', '服务费（元）', '分润（元）', '实收净额（元）',
] as const;

export const alipayBillTitles = { detail: '#支付宝业务明细查询', summary: '#支付宝业务汇总查询' } as const;

type Row = Record<string, string>;

/** The rows of the CSV between `#---…<name>---…` and `#---…<name>结束---…`, by column name, cells trimmed of their tab. */
function section(lines: readonly string[], name: string): Row[] {
  const start = lines.findIndex((l) => l.startsWith('#-') && l.replaceAll('-', '') === `#${name}`);
  const end = lines.findIndex((l) => l.startsWith('#-') && l.replaceAll('-', '') === `#${name}结束`);
  if (start < 0 || end < start) throw new BillFormatError(`no ${name} section`);
  const text = lines.slice(start + 1, end).join('\n');
  try {
    const records = parse(text, { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, relax_column_count: false }) as Row[];
    return records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.replace(/\t+$/, '').trim()])));
  } catch (error) {
    throw new BillFormatError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function cell(row: Row, column: string): string {
  const value = row[column];
  if (value === undefined) throw new BillFormatError(`no column ${column}`);
  return value;
}

function detailLine(row: Row): BillLine {
  const type = cell(row, '业务类型');
  if (type !== '交易' && type !== '退款') throw new BillFormatError(`业务类型 ${type} is neither 交易 nor 退款`);
  const tradeNo = cell(row, '支付宝交易号');
  const outTradeNo = cell(row, '商户订单号');
  const refundNo = cell(row, '退款批次号/请求号');
  if (!tradeNo || !outTradeNo || (type === '退款' && !refundNo)) throw new BillFormatError(`line of ${tradeNo || '?'} lacks its numbers`);
  const amountFen = yuanToFenSigned(cell(row, '订单金额（元）'), '订单金额（元）');
  if (type === '交易' ? amountFen <= 0 : amountFen >= 0) throw new BillFormatError(`${type} ${tradeNo} has amount ${amountFen}`);
  return {
    kind: type === '交易' ? 'payment' : 'refund',
    tradeNo,
    outTradeNo,
    outRefundNo: type === '退款' ? refundNo : null,
    // The 业务明细 lists a refund once it is done.
    refundState: type === '退款' ? 'success' : null,
    amountFen: Math.abs(amountFen),
    // Alipay prints what it takes as negative: a fee charged is positive here.
    feeMillifen: -yuanToFenSigned(cell(row, '服务费（元）') || '0.00', '服务费（元）') * 1000,
    at: parseBeijingTime(cell(row, '完成时间')),
  };
}

/** `#交易合计：6笔，商家实收共0.06元，…` → [6, 6 fen]. */
function footerTotal(lines: readonly string[], label: '交易' | '退款'): [number, number] {
  const line = lines.find((l) => l.startsWith(`#${label}合计：`));
  const match = line && new RegExp(`^#${label}合计：(\\d+)笔，商家实收(?:退款)?共(-?[\\d.]+)元`).exec(line);
  if (!match) throw new BillFormatError(`no ${label}合计 line`);
  return [Number(match[1]), Math.abs(yuanToFenSigned(match[2] as string, `${label}合计`))];
}

/** The detail file's text → its lines, checked against its own 合计 lines. */
export function parseAlipayDetail(text: string): { lines: BillLine[]; paid: [number, number]; refunded: [number, number] } {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (rows[0]?.trim() !== alipayBillTitles.detail) throw new BillFormatError('not an Alipay 业务明细 file');
  const records = section(rows, '业务明细列表');
  const lines = records.map(detailLine);
  const received = (kind: BillLine['kind']) => records.filter((_, i) => lines[i]?.kind === kind).reduce((s, r) => s + Math.abs(yuanToFenSigned(cell(r, '商家实收（元）'), '商家实收（元）')), 0);
  const paid = footerTotal(rows, '交易');
  const refunded = footerTotal(rows, '退款');
  const counted = summarise(lines);
  if (paid[0] !== counted.payments || paid[1] !== received('payment') || refunded[0] !== counted.refunds || refunded[1] !== received('refund')) {
    throw new BillFormatError('业务明细 lines do not add up to its 合计 lines');
  }
  return { lines, paid, refunded };
}

/** The summary file's text → its 合计 (the row of that name, or every store's rows added up). */
export function parseAlipaySummary(text: string): { payments: number; refunds: number; feeMillifen: number } {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (rows[0]?.trim() !== alipayBillTitles.summary) throw new BillFormatError('not an Alipay 业务汇总 file');
  const records = section(rows, '业务汇总列表');
  const total = records.filter((r) => cell(r, '门店编号') === '合计');
  const counted = total.length === 1 ? total : records;
  const int = (r: Row, c: string) => {
    const v = cell(r, c);
    if (!/^\d+$/.test(v)) throw new BillFormatError(`${c}: not a count`);
    return Number(v);
  };
  return {
    payments: counted.reduce((s, r) => s + int(r, '交易订单总笔数'), 0),
    refunds: counted.reduce((s, r) => s + int(r, '退款订单总笔数'), 0),
    feeMillifen: -counted.reduce((s, r) => s + yuanToFenSigned(cell(r, '服务费（元）'), '服务费（元）'), 0) * 1000,
  };
}

/** The downloaded zip → the day's bill; throws BillFormatError unless both files are there and agree. */
export function parseAlipayBillZip(zip: Uint8Array, date: string): TradeBill {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    throw new BillFormatError(`not a zip: ${error instanceof Error ? error.message : String(error)}`);
  }
  const texts = Object.values(files).map((bytes) => iconv.decode(Buffer.from(bytes), 'gbk'));
  const detailText = texts.find((t) => t.replace(/^\uFEFF/, '').startsWith(alipayBillTitles.detail));
  const summaryText = texts.find((t) => t.replace(/^\uFEFF/, '').startsWith(alipayBillTitles.summary));
  if (!detailText || !summaryText) throw new BillFormatError('the zip lacks the 业务明细 or the 汇总 file');
  const detail = parseAlipayDetail(detailText);
  const totals = parseAlipaySummary(summaryText);
  const summary: BillSummary = { payments: totals.payments, refunds: totals.refunds, paidFen: detail.paid[1], refundedFen: detail.refunded[1], feeMillifen: totals.feeMillifen };
  const counted = summarise(detail.lines);
  if (summary.payments !== counted.payments || summary.refunds !== counted.refunds || summary.feeMillifen !== counted.feeMillifen) {
    throw new BillFormatError('the 汇总 file does not agree with the 业务明细');
  }
  return { gateway: 'alipay', date, lines: detail.lines, summary };
}
