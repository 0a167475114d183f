import type { AppContext } from '../../platform/context.js';
import { transitRepository as repo } from './transit.repository.js';

/**
 * Per-card reconciliation of card-based stored value: the shadow purse should equal the balance
 * the card reported at its highest counter plus the top-ups paid online but not yet written to
 * the card. Exceptions: a balance difference, missing counters (taps never uploaded, or a card
 * that skipped), and active cards whose taps stopped arriving (silent for `staleDays`).
 */
export type ReconciliationReason = 'BALANCE_DIFFERS' | 'COUNTER_GAPS' | 'TAPS_STOPPED';

export interface ReconciliationItem {
  cardId: string;
  cardNo: string;
  status: string;
  shadowBalanceFen: number;
  reportedBalanceFen: number;
  unappliedTopUpFen: number;
  differenceFen: number;
  suspenseFen: number;
  tapCount: number;
  missingCounters: number;
  lastTapAt: string;
  reasons: ReconciliationReason[];
}

export async function reconcileCards(ctx: AppContext, options: { staleDays: number; limit: number }): Promise<{ generatedAt: string; items: ReconciliationItem[] }> {
  const now = ctx.clock.now();
  const staleBefore = new Date(now.getTime() - options.staleDays * 86_400_000);
  const rows = await repo.cardReconciliation(ctx.db, { staleBefore, limit: options.limit });
  return {
    generatedAt: now.toISOString(),
    items: rows.map((r) => {
      const differenceFen = r.shadowBalanceFen - (r.reportedBalanceFen + r.unappliedTopUpFen);
      const missingCounters = r.maxCounter - r.minCounter + 1 - r.tapCount;
      const reasons: ReconciliationReason[] = [];
      if (differenceFen !== 0) reasons.push('BALANCE_DIFFERS');
      if (missingCounters > 0) reasons.push('COUNTER_GAPS');
      if (r.lastTapAt < staleBefore && r.status === 'active') reasons.push('TAPS_STOPPED');
      return {
        cardId: r.cardId, cardNo: r.cardNo, status: r.status, shadowBalanceFen: r.shadowBalanceFen, reportedBalanceFen: r.reportedBalanceFen,
        unappliedTopUpFen: r.unappliedTopUpFen, differenceFen, suspenseFen: r.suspenseFen, tapCount: r.tapCount, missingCounters,
        lastTapAt: r.lastTapAt.toISOString(), reasons,
      };
    }),
  };
}

/** Terminals with their last upload, acknowledged seq and deny-list version (console). */
export async function listTerminals(ctx: AppContext) {
  const [rows, head] = await Promise.all([repo.terminals(ctx.db), repo.denyListHead(ctx.db)]);
  return {
    denyListVersion: head,
    items: rows.map((t) => ({
      id: t.id, code: t.code, kind: t.kind, operator: t.operator, location: t.location, disabled: t.disabledAt !== null,
      lastSeenAt: t.lastSeenAt?.toISOString() ?? null, lastUploadAt: t.lastUploadAt?.toISOString() ?? null, ackSeq: t.ackSeq ?? 0,
      settledTaps: t.settledTaps, denyListVersion: t.denyListVersion, denyListBehind: t.denyListVersion === null ? null : head - t.denyListVersion,
      denyListPolledAt: t.denyListPolledAt?.toISOString() ?? null,
    })),
  };
}
