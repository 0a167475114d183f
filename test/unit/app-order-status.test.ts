import { describe, expect, it } from 'vitest';
import { isClosed, statusLabel, statusTone } from '../../web/app/src/payments/format.js';
import { paymentMessages } from '../../web/app/src/payments/messages.js';
import type { Order } from '../../web/app/src/payments/queries.js';

/** How the app labels an order (web/app/src/payments/format.ts): an auto top-up still being charged is neither expired nor closed. */
const t = paymentMessages['zh-CN'];
const order = (over: Partial<Order>): Order => ({
  id: 'o', orderNo: '1', kind: 'top_up', autoTopUp: false, studentId: 's', cardId: 'c', studentName: '张**', status: 'paying', pending: true, charging: false,
  lateRefundFen: 0, amountFen: 5_000, refundedFen: 0, item: { name: '充值', payee: 'x' }, gateway: 'alipay', gatewayTradeNo: null,
  createdAt: '2026-12-07T02:00:00Z', expiresAt: '2026-12-07T02:30:00Z', paidAt: null, closedAt: null, ...over,
} as Order);

describe('an order’s status in the app', () => {
  it('says 扣款中 for an auto top-up Alipay has not answered yet, and does not take it as closed', () => {
    const charging = order({ autoTopUp: true, pending: false, charging: true });
    expect([statusLabel(t, charging), statusTone(charging), isClosed(charging)]).toEqual(['扣款中', 'warning', false]);
  });

  it('says 已超时关闭 for an open order past its time limit, and 等待支付 within it', () => {
    expect([statusLabel(t, order({ pending: false })), isClosed(order({ pending: false }))]).toEqual(['已超时关闭', true]);
    expect([statusLabel(t, order({})), statusTone(order({})), isClosed(order({}))]).toEqual(['等待支付', 'warning', false]);
  });
});
