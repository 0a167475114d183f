import { describe, expect, it } from 'vitest';
import { findingNeedsAttention, type FindingKind } from './reconcile.js';

describe('which findings need someone to look (the one rule; a day is balanced when none does)', () => {
  const at = (iso: string) => new Date(iso);
  const on23rd = (kind: FindingKind, detail = '', ranAt = '2026-11-24T02:00:00Z') => findingNeedsAttention({ kind, detail }, '2026-11-23', at(ranAt));

  it('a difference does; what reconciliation settled or a refused notification does not', () => {
    for (const kind of ['credited_without_gateway_payment', 'amount_mismatch', 'gateway_unreachable', 'refund_pending', 'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'refund_state_mismatch'] as const) {
      expect([kind, on23rd(kind)]).toEqual([kind, true]);
    }
    expect(on23rd('settled_by_reconciliation')).toBe(false);
    expect(on23rd('notification_rejected')).toBe(false);
  });

  it('a bill not made yet does once it is overdue; a failed one at once', () => {
    expect(on23rd('bill_unavailable', 'isp.bill_not_exist', '2026-11-24T15:59:59Z')).toBe(false);
    expect(on23rd('bill_unavailable', 'isp.bill_not_exist', '2026-11-24T16:00:00Z')).toBe(true);
    expect(on23rd('bill_unavailable', 'GATEWAY_UNAVAILABLE: terminated')).toBe(true);
  });
});
