import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BillFormatError, millifenToFen } from './bill.js';
import { parseWechatBill, wechatBillHashMatches } from './wechat-bill.js';

/** A day's bill laid out as WeChat Pay's (bill_type ALL): backtick cells, a payment, a refund of part of another, a REVOKED line, the summary. */
const header = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const lines = [
  '`2026-11-23 10:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000925202611234997714292,`0198a1b2c3d4e5f60718293a4b5c6d7,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`MWEB,`SUCCESS,`OTHERS,`CNY,`99.00,`0.00,`0,`0,`0.00,`0.00,`,`,`北京学生卡充值\\ ¥99,`北京市学生卡中心,`0.59400,`0.60%,`99.00,`0.00,`',
  '`2026-11-23 11:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000910202611232955148400,`0198a1b2c3d4e5f60718293a4b5c6d8,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`MWEB,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000000000000000000001,`RF0198a1b2c3d4e5f60718293a4b5c6d9,`20.00,`0.00,`ORIGINAL,`SUCCESS,`补卡工本费,`,`-0.12000,`0.60%,`100.00,`20.00,`',
  '`2026-11-23 12:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000910202611232955148401,`0198a1b2c3d4e5f60718293a4b5c6da,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`MICROPAY,`REVOKED,`OTHERS,`CNY,`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`撤销,`,`0.00000,`0.60%,`5.00,`0.00,`',
];
const summaryHeader = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const bill = (summary = '`3,`99.00,`20.00,`0.00,`0.47400,`204.00,`20.00', detail = lines) => `\uFEFF${[header, ...detail, summaryHeader, summary].join('\r\n')}\r\n`;

describe('WeChat Pay trade bill', () => {
  it('reads the backtick cells by column name, payments and refunds, fees to the thousandth of a fen', () => {
    const parsed = parseWechatBill(bill(), '2026-11-23', '1900000109');
    expect(parsed.lines).toEqual([
      { kind: 'payment', tradeNo: '4200000925202611234997714292', outTradeNo: '0198a1b2c3d4e5f60718293a4b5c6d7', outRefundNo: null, refundState: null, amountFen: 9900, feeMillifen: 59_400, at: new Date('2026-11-23T02:00:00Z') },
      { kind: 'refund', tradeNo: '4200000910202611232955148400', outTradeNo: '0198a1b2c3d4e5f60718293a4b5c6d8', outRefundNo: 'RF0198a1b2c3d4e5f60718293a4b5c6d9', refundState: 'success', amountFen: 2000, feeMillifen: -12_000, at: new Date('2026-11-23T03:00:00Z') },
    ]);
    expect(parsed.summary).toEqual({ payments: 1, refunds: 1, paidFen: 9900, refundedFen: 2000, feeMillifen: 47_400 });
    expect(millifenToFen(parsed.summary.feeMillifen)).toBe(47);
  });

  it('finds columns by name, whatever their order', () => {
    const order = header.split(',').map((_, i) => i).reverse();
    const reorder = (line: string) => order.map((i) => line.split(',')[i]).join(',');
    const text = [reorder(header), ...lines.map(reorder), summaryHeader, '`3,`99.00,`20.00,`0.00,`0.47400,`204.00,`20.00'].join('\n');
    expect(parseWechatBill(text, '2026-11-23', '1900000109').lines.map((l) => [l.kind, l.amountFen])).toEqual([['payment', 9900], ['refund', 2000]]);
  });

  it('refuses a bill whose lines do not add up to its summary, or without one', () => {
    expect(() => parseWechatBill(bill('`3,`99.00,`20.00,`0.00,`0.47500,`204.00,`20.00'), '2026-11-23', '1900000109')).toThrow(/summary/);
    expect(() => parseWechatBill(bill('`2,`99.00,`20.00,`0.00,`0.47400,`204.00,`20.00'), '2026-11-23', '1900000109')).toThrow(/summary/);
    expect(() => parseWechatBill([header, ...lines].join('\n'), '2026-11-23', '1900000109')).toThrow(/summary/);
  });

  it('refuses another merchant’s lines and lines that lost a cell', () => {
    expect(() => parseWechatBill(bill(), '2026-11-23', '1900000110')).toThrow(/merchant/);
    expect(() => parseWechatBill(bill(undefined, [lines[0]?.replace('`0.60%,', '') as string]), '2026-11-23', '1900000109')).toThrow(BillFormatError);
  });

  it('reads each refund’s 退款状态: SUCCESS, PROCESSING, CHANGE and FAIL; refuses one it does not know', () => {
    const withState = (state: string) => bill(undefined, [lines[0] as string, (lines[1] as string).replace('`ORIGINAL,`SUCCESS,', `\`ORIGINAL,\`${state},`)]).replace('`3,', '`2,');
    const states = ['SUCCESS', 'PROCESSING', 'CHANGE', 'FAIL', 'REFUNDCLOSE'].map((state) => parseWechatBill(withState(state), '2026-11-23', '1900000109').lines.find((l) => l.kind === 'refund')?.refundState);
    expect(states).toEqual(['success', 'processing', 'failed', 'failed', 'failed']);
    expect(parseWechatBill(withState('SUCCESS'), '2026-11-23', '1900000109').lines[0]?.refundState).toBeNull();
    expect(() => parseWechatBill(withState('MAYBE'), '2026-11-23', '1900000109')).toThrow(/退款状态/);
  });

  it('checks the download against the SHA1 the bill application gave', () => {
    const bytes = new TextEncoder().encode(bill());
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    expect(wechatBillHashMatches(bytes, 'SHA1', sha1)).toBe(true);
    expect(wechatBillHashMatches(bytes, 'SHA1', sha1.toUpperCase())).toBe(true);
    expect(wechatBillHashMatches(bytes.subarray(1), 'SHA1', sha1)).toBe(false);
    expect(wechatBillHashMatches(bytes, 'SM3', sha1)).toBe(false);
  });
});
