import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { zipWithGbkNames } from '../sandbox/sandbox-bills.js';
import { parseAlipayBillZip } from './alipay-bill.js';
import { BillFormatError } from './bill.js';

/** A day's bill laid out as Alipay's 业务明细 is (columns, tabs, rules, 合计 lines), with a trade refunded in part. */
const header = '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';
const detail = (footer = ['#交易合计：2笔，商家实收共150.00元，商家优惠共0.00元', '#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元']) => [
  '#支付宝业务明细查询',
  '#账号：[20880211096256330156]',
  '#起始日期：[2026年11月23日 00:00:00]   终止日期：[2026年11月24日 00:00:00]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  header,
  '2026112322001458860515315453\t,0198a1b2c3d4e5f60718293a4b5c6d7\t,交易\t,北京学生卡充值,2026-11-23 10:55:16,2026-11-23 10:55:23,\t,\t,\t,\t,*津水(602***@qq.com)\t,50.00,50.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,-0.30,0.00,北京学生卡充值',
  '2026112322001458860513822558\t,0198a1b2c3d4e5f60718293a4b5c6d8\t,交易\t,"补卡工本费,北京市中小学生学习卡",2026-11-23 11:07:03,2026-11-23 11:07:09,\t,\t,\t,\t,*津水(602***@qq.com)\t,100.00,100.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,-0.60,0.00,',
  '2026112322001458860513822558\t,0198a1b2c3d4e5f60718293a4b5c6d8\t,退款\t,"补卡工本费,北京市中小学生学习卡",2026-11-23 11:07:03,2026-11-23 11:26:55,\t,\t,\t,\t,*津水(602***@qq.com)\t,-20.00,-20.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,RF0198a1b2c3d4e5f60718293a4b5c6d9\t,0.12,0.00,',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  ...footer,
  '#导出时间：[2026年11月24日 05:46:49]',
].join('\r\n');
const summary = (fee = '-0.78') => [
  '#支付宝业务汇总查询',
  '#账号：[20880211096256330156]',
  '#起始日期：[2026年11月23日 00:00:00]   终止日期：[2026年11月24日 00:00:00]',
  '#-----------------------------------------业务汇总列表----------------------------------------',
  '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
  `\t,\t,2,1,130.00,130.00,0.00,0.00,0.00,${fee},0.00,129.22`,
  `合计,,2,1,130.00,130.00,0.00,0.00,0.00,${fee},0.00,129.22`,
  '#----------------------------------------业务汇总列表结束-------------------------------------',
  '#导出时间：[2026年11月24日 05:46:49]',
].join('\r\n');
const gbk = (text: string) => iconv.encode(text, 'gbk');
const base = '20880211096256330156_20261123';
const zip = (detailText = detail(), summaryText = summary()) => zipWithGbkNames([[`${base}_业务明细.csv`, gbk(detailText)], [`${base}_业务明细(汇总).csv`, gbk(summaryText)]], new Date('2026-11-24T00:00:00Z'));

describe('Alipay 业务明细 bill', () => {
  it('reads the zip of GBK files into payment and refund lines with their fees', () => {
    const bill = parseAlipayBillZip(zip(), '2026-11-23');
    expect(bill.lines).toEqual([
      { kind: 'payment', tradeNo: '2026112322001458860515315453', outTradeNo: '0198a1b2c3d4e5f60718293a4b5c6d7', outRefundNo: null, refundState: null, amountFen: 5000, feeMillifen: 30_000, at: new Date('2026-11-23T02:55:23Z') },
      { kind: 'payment', tradeNo: '2026112322001458860513822558', outTradeNo: '0198a1b2c3d4e5f60718293a4b5c6d8', outRefundNo: null, refundState: null, amountFen: 10_000, feeMillifen: 60_000, at: new Date('2026-11-23T03:07:09Z') },
      { kind: 'refund', tradeNo: '2026112322001458860513822558', outTradeNo: '0198a1b2c3d4e5f60718293a4b5c6d8', outRefundNo: 'RF0198a1b2c3d4e5f60718293a4b5c6d9', refundState: 'success', amountFen: 2000, feeMillifen: -12_000, at: new Date('2026-11-23T03:26:55Z') },
    ]);
    expect(bill.summary).toEqual({ payments: 2, refunds: 1, paidFen: 15_000, refundedFen: 2000, feeMillifen: 78_000 });
  });

  it('holds GBK bytes under GBK entry names without the UTF-8 flag, as Alipay writes them', () => {
    const bytes = Buffer.from(zip());
    expect(bytes.includes(gbk('业务明细列表'))).toBe(false); // deflated
    expect(bytes.includes(gbk(`${base}_业务明细.csv`))).toBe(true);
    expect(bytes.includes(Buffer.from(`${base}_业务明细.csv`, 'utf8'))).toBe(false);
    const flags = bytes.readUInt16LE(6); // the first local header's general-purpose flags
    expect(flags & 0x800).toBe(0);
  });

  it('refuses a bill written in UTF-8 (the title does not read as GBK)', () => {
    const utf8 = zipSync({ 'a.csv': new TextEncoder().encode(detail()), 'b.csv': new TextEncoder().encode(summary()) });
    expect(() => parseAlipayBillZip(utf8, '2026-11-23')).toThrow(BillFormatError);
  });

  it('refuses lines that do not add up to the 合计 lines or the 汇总 file', () => {
    expect(() => parseAlipayBillZip(zip(detail(['#交易合计：2笔，商家实收共150.01元，商家优惠共0.00元', '#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元'])), '2026-11-23')).toThrow(/合计/);
    expect(() => parseAlipayBillZip(zip(detail(['#交易合计：3笔，商家实收共150.00元，商家优惠共0.00元', '#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元'])), '2026-11-23')).toThrow(/合计/);
    expect(() => parseAlipayBillZip(zip(detail(), summary('-0.79')), '2026-11-23')).toThrow(/汇总/);
  });

  it('refuses what is not a whole bill: no zip, no 汇总 file, a line of another business type', () => {
    expect(() => parseAlipayBillZip(new TextEncoder().encode('下载超时,请重新下载'), '2026-11-23')).toThrow(BillFormatError);
    expect(() => parseAlipayBillZip(zipWithGbkNames([[`${base}_业务明细.csv`, gbk(detail())]], new Date()), '2026-11-23')).toThrow(/汇总/);
    expect(() => parseAlipayBillZip(zip(detail().replace('交易\t,北京学生卡充值', '冻结\t,北京学生卡充值')), '2026-11-23')).toThrow(/业务类型/);
  });
});
