import { z } from 'zod';

/** Server-only transit schemas (console and app); the terminal wire format is protocol.ts. */

const reasons = z.enum(['BALANCE_DIFFERS', 'COUNTER_GAPS', 'TAPS_STOPPED']);

export const reconciliationQuerySchema = z.object({
  staleDays: z.coerce.number().int().min(1).max(365).default(7),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const reconciliationSchema = z.object({
  generatedAt: z.string(),
  items: z.array(z.object({
    cardId: z.string(),
    cardNo: z.string(),
    status: z.string(),
    shadowBalanceFen: z.number().int(),
    reportedBalanceFen: z.number().int(),
    unappliedTopUpFen: z.number().int(),
    differenceFen: z.number().int(),
    suspenseFen: z.number().int(),
    tapCount: z.number().int(),
    missingCounters: z.number().int(),
    lastTapAt: z.string(),
    reasons: z.array(reasons),
  })),
});

export const adminTerminalsSchema = z.object({
  denyListVersion: z.number().int(),
  items: z.array(z.object({
    id: z.string(),
    code: z.string(),
    kind: z.string(),
    operator: z.string(),
    location: z.string().nullable(),
    disabled: z.boolean(),
    lastSeenAt: z.string().nullable(),
    lastUploadAt: z.string().nullable(),
    ackSeq: z.number().int(),
    settledTaps: z.number().int(),
    denyListVersion: z.number().int().nullable(),
    denyListBehind: z.number().int().nullable(),
    denyListPolledAt: z.string().nullable(),
  })),
});

export const tripsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Card counter to page before (from the previous page's nextBefore). */
  before: z.coerce.number().int().min(1).optional(),
});

export const tripsSchema = z.object({
  items: z.array(z.object({
    terminalCode: z.string(),
    kind: z.enum(['bus', 'rail_entry', 'rail_exit', 'pos']),
    cardCounter: z.number().int(),
    amountFen: z.number().int(),
    balanceAfterFen: z.number().int(),
    at: z.string(),
    /** The fare breakdown the terminal priced the ride with (protocol.ts tapFareSchema), null for entries and POS. */
    fare: z.record(z.string(), z.unknown()).nullable(),
    flags: z.array(z.string()),
    operator: z.string(),
  })),
  nextBefore: z.number().int().nullable(),
});

export const railMonthSchema = z.object({
  month: z.string(),
  spentFen: z.number().int(),
  rides: z.number().int(),
  currentRatePercent: z.number(),
  tiers: z.array(z.object({ fromSpentFen: z.number().int(), ratePercent: z.number(), reached: z.boolean() })),
  next: z.object({ fromSpentFen: z.number().int(), ratePercent: z.number(), remainingFen: z.number().int() }).nullable(),
});
