import { fareTableFor } from '../../domain/fares.js';
import { shanghaiDate, shanghaiMonthRange } from '../../domain/calendar.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { accessibleCard } from '../cards/card-access.js';
import { transitRepository as repo } from './transit.repository.js';

/**
 * A card's trips with the fare breakdown each tap carried (holder, bound parent, school, operator).
 * One row more than asked is read, so `nextBefore` is set only when another page exists: a client
 * that pages until there is no cursor never asks for an empty page.
 */
export async function cardTrips(ctx: AppContext, caller: Caller, cardId: string, page: { limit: number; before: number | null }) {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const fetched = await repo.trips(ctx.db, card.id, { limit: page.limit + 1, before: page.before });
  const rows = fetched.slice(0, page.limit);
  return {
    items: rows.map((t) => ({
      terminalCode: t.terminalCode, kind: t.kind, cardCounter: t.cardCounter, amountFen: t.amountFen, balanceAfterFen: t.balanceAfterFen,
      at: t.at.toISOString(), fare: t.fare, flags: t.flags, operator: t.operator,
    })),
    nextBefore: fetched.length > page.limit ? (rows.at(-1)?.cardCounter ?? null) : null,
  };
}

/** This month's rail spend against the monthly tiers (¥100 → 80%, ¥150 → 50%, ¥400 → full again). */
export async function railMonth(ctx: AppContext, caller: Caller, cardId: string) {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const now = ctx.clock.now();
  const { month, from, to } = shanghaiMonthRange(now);
  const { spentFen, rides } = await repo.railSpend(ctx.db, card.id, from, to);
  const tiers = fareTableFor(shanghaiDate(now)).rail.monthlyTiers;
  const current = [...tiers].reverse().find((t) => spentFen >= t.fromSpentFen) ?? tiers[0]!;
  const next = tiers.find((t) => t.fromSpentFen > spentFen) ?? null;
  return {
    month,
    spentFen,
    rides,
    currentRatePercent: current.ratePercent,
    tiers: tiers.filter((t) => t.fromSpentFen > 0).map((t) => ({ fromSpentFen: t.fromSpentFen, ratePercent: t.ratePercent, reached: spentFen >= t.fromSpentFen })),
    next: next ? { fromSpentFen: next.fromSpentFen, ratePercent: next.ratePercent, remainingFen: next.fromSpentFen - spentFen } : null,
  };
}
