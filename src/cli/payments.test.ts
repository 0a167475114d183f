import { expect, it } from 'vitest';
import { formatReconciliation } from './payments.js';

it('prints per gateway whether the bill or the order queries were used, the fees, and each finding in zh and en', () => {
  const text = formatReconciliation({
    date: '2026-11-23', ranAt: '2026-11-24T02:00:00.000Z', orders: 3, balanced: false,
    totals: {
      alipay: { source: 'query', billUnavailable: 'isp.bill_not_exist', gatewayPaidFen: 5000, ledgerBookedFen: 5000, gatewayRefundedFen: null, feesFen: null },
      wechat: { source: 'bill', billUnavailable: null, gatewayPaidFen: 17_800, ledgerBookedFen: 16_500, gatewayRefundedFen: 2500, feesFen: 92 },
    },
    findings: [
      { kind: 'refund_not_ours', orderNo: '0198a1b2', gateway: 'wechat', detail: 'MP123: 500 fen of 4200', needsAttention: true },
      { kind: 'bill_unavailable', orderNo: null, gateway: 'alipay', detail: 'isp.bill_not_exist', needsAttention: false },
    ],
  });
  expect(text).toContain('alipay  逐笔查询 order queries (isp.bill_not_exist)');
  expect(text).toContain('wechat  对账单 bill file');
  expect(text).toMatch(/手续费 fees ¥0\.92/);
  expect(text).toMatch(/手续费 fees —/);
  // A finding someone must look into is marked (the report's needsAttention); one only waited for is not.
  expect(text).toContain('! [wechat] 渠道退款非本系统发起 refund not made by Onecard (merchant portal)  0198a1b2  MP123: 500 fen of 4200');
  expect(text).toContain('    [alipay] 未取得对账单 no bill file, each order queried  —  isp.bill_not_exist');
  expect(text.split('\n')[0]).toContain('存在差异 differences need attention');
});
