import { describe, expect, it } from 'vitest';
import { billMissedNeedsAttention, dayNotOver, noEndpoint } from './reconcile-bills.js';

describe('a day without its bill', () => {
  const at = (iso: string) => new Date(iso);

  it('is waited for while the gateway says it is not made yet, until the day after the day is over', () => {
    for (const notYet of ['isp.bill_not_exist', 'STATEMENT_CREATING', dayNotOver]) {
      expect(billMissedNeedsAttention(notYet, '2026-11-23', at('2026-11-24T15:59:59Z'))).toBe(false); // 23:59:59 on the 24th
      expect(billMissedNeedsAttention(notYet, '2026-11-23', at('2026-11-24T16:00:00Z'))).toBe(true); // 00:00 on the 25th: overdue
    }
  });

  it('needs attention at once when the bill failed, and never for a gateway nobody paid through', () => {
    expect(billMissedNeedsAttention('GATEWAY_UNAVAILABLE: terminated', '2026-11-23', at('2026-11-24T02:00:00Z'))).toBe(true);
    expect(billMissedNeedsAttention('GATEWAY_RESPONSE_INVALID: hash mismatch', '2026-11-23', at('2026-11-24T02:00:00Z'))).toBe(true);
    expect(billMissedNeedsAttention(noEndpoint, '2026-11-23', at('2026-12-24T02:00:00Z'))).toBe(false);
  });
});
