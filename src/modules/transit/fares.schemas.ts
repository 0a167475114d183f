import { z } from 'zod';
import { busLineTypeSchema, fareModeSchema, fareRuleSchema, riderCategorySchema } from './protocol.js';

/** The public fare calculator: `GET /api/v1/fares/quote` (no login; shared with the web apps). */

/** A query-string number: '' is missing, not 0. */
const queryNumber = z.string().trim().min(1).pipe(z.coerce.number());

export const fareQuoteQuerySchema = z.object({
  mode: fareModeSchema,
  /** More than 0 (FARE_DISTANCE_ZERO), at most 500 km by the fare rules (FARE_DISTANCE_INVALID). */
  distanceKm: queryNumber,
  category: riderCategorySchema,
  /** Bus only; defaults to 'ordinary'. */
  lineType: busLineTypeSchema.optional(),
  /** Rail only: the card's rail spend this calendar month before the ride; defaults to 0. */
  monthSpentFen: z.string().trim().regex(/^\d{1,12}$/, 'a whole number of fen').transform(Number).optional(),
  /** Ride date (Asia/Shanghai) choosing the fare table; defaults to today. */
  date: z.string().optional(),
});
export type FareQuoteQuery = z.infer<typeof fareQuoteQuerySchema>;

export const explanationSchema = z.object({ zh: z.string(), en: z.string() });

export const fareQuoteSchema = z.object({
  fareFen: z.number().int(),
  fullFareFen: z.number().int(),
  ratePercent: z.number().int(),
  rule: fareRuleSchema,
  explanation: explanationSchema,
  /** The fare table used (its first day). */
  fareTableFrom: z.string(),
  /** Rail by card: where this month's spend stands against the 100 / 150 / 400 yuan tiers. */
  monthly: z
    .object({ monthSpentFen: z.number().int(), tier: z.number().int(), tierFromSpentFen: z.number().int(), nextTierFromSpentFen: z.number().int().nullable() })
    .nullable(),
});
export type FareQuoteResponse = z.infer<typeof fareQuoteSchema>;
