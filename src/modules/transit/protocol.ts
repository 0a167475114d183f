import { z } from 'zod';
import { controlCharacter } from '../../platform/text.js';

/**
 * The terminal protocol's wire format (docs: /tmp/briefs/transit-protocol.md, summarised here),
 * imported by the terminal side (terminal/) and the server routes (src/modules/transit).
 *
 * Card-based stored value: the balance lives on the card; the server keeps a shadow ledger.
 * Every tap is a TapRecord, signed by the card with a TAC (src/domain/transit-crypto.ts) and
 * numbered by the terminal with a contiguous `seq` (1, 2, 3, ...). Terminals upload records in
 * batches and drop them only once `ackSeq` covers them; a re-upload is harmless (idempotent per
 * terminal and seq).
 */

export const MAX_BATCH_RECORDS = 5000;

export const tapKindSchema = z.enum(['bus', 'rail_entry', 'rail_exit', 'pos']);
export type TapKind = z.infer<typeof tapKindSchema>;

export const fareModeSchema = z.enum(['bus', 'rail']);
export const riderCategorySchema = z.enum(['student', 'ordinary', 'cash']);
export const busLineTypeSchema = z.enum(['ordinary', 'tourist', 'express', 'customised']);
export const fareRuleSchema = z.enum(['BUS_STUDENT', 'BUS_ORDINARY_CARD', 'BUS_STUDENT_LINE_EXCLUDED', 'BUS_CASH', 'RAIL_CARD', 'RAIL_CASH']);

/** Identifiers and names on the wire are printable text: no control characters (settlement stores them delimited). */
const printableText = (max: number) => z.string().min(1).max(max).refine((s) => !controlCharacter.test(s), 'printable text, no control characters');

/** How the terminal priced the ride (null for a rail entry and for POS sales). */
export const tapFareSchema = z.object({
  mode: fareModeSchema,
  category: riderCategorySchema,
  lineType: busLineTypeSchema.optional(),
  distanceKm: z.number().nonnegative().optional(),
  fullFareFen: z.number().int().nonnegative(),
  fareFen: z.number().int().nonnegative(),
  rule: fareRuleSchema,
  /** Rail: the card's rail spend this Asia/Shanghai calendar month before this ride. */
  monthSpentBeforeFen: z.number().int().nonnegative().optional(),
  entryStation: printableText(64).optional(),
  exitStation: printableText(64).optional(),
});
export type TapFare = z.infer<typeof tapFareSchema>;

export const tacPattern = /^[0-9a-f]{16}$/;
export const tacSchema = z.string().regex(tacPattern, '16 lowercase hex characters');
export const cardNoSchema = printableText(32);

export const tapRecordSchema = z.object({
  /** Per terminal, contiguous from 1. */
  seq: z.number().int().min(1),
  cardNo: cardNoSchema,
  /** The card's counter after this tap; strictly increasing per card. */
  cardCounter: z.number().int().min(1),
  kind: tapKindSchema,
  amountFen: z.number().int().nonnegative(),
  balanceAfterFen: z.number().int(),
  /** ISO-8601 UTC, exactly the string the TAC covers. */
  at: z.iso.datetime(),
  fare: tapFareSchema.nullable(),
  /** Action-list entries (online top-ups, extensions) written to the card at this tap. */
  appliedActionIds: z.array(printableText(64)).max(32),
  tac: tacSchema,
});
export type TapRecord = z.infer<typeof tapRecordSchema>;

export const terminalParamsSchema = z.object({ terminalId: z.uuid() });

export const batchRequestSchema = z.object({
  batchId: z.uuid(),
  records: z.array(tapRecordSchema).min(1).max(MAX_BATCH_RECORDS),
});
export type BatchRequest = z.infer<typeof batchRequestSchema>;

/** Rejected records are not settled (the terminal may drop them once acknowledged). */
export const rejectCodeSchema = z.enum(['TAC_INVALID', 'CARD_UNKNOWN', 'COUNTER_REPLAY']);
/** Flagged records are settled (the money was taken offline) but need a look. */
export const flagCodeSchema = z.enum(['COUNTER_GAP', 'AFTER_DENY', 'BALANCE_MISMATCH']);

export const batchResponseSchema = z.object({
  /** Highest contiguous seq settled or rejected so far for this terminal. */
  ackSeq: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.array(z.object({ seq: z.number().int().min(1), code: rejectCodeSchema })),
  flagged: z.array(z.object({ seq: z.number().int().min(1), code: flagCodeSchema })),
});
export type BatchResponse = z.infer<typeof batchResponseSchema>;

export const denyListQuerySchema = z.object({ since: z.coerce.number().int().nonnegative().default(0) });

/**
 * A deny-list delta from `fromVersion` to `version`; `full: true` means `added` is the whole
 * list (sent when since=0 or the terminal is too far behind). `signature` is Ed25519 over the
 * canonical JSON of the other fields (src/domain/transit-crypto.ts signDenyList / verifyDenyList).
 */
export const denyListDeltaSchema = z.object({
  version: z.number().int().nonnegative(),
  fromVersion: z.number().int().nonnegative(),
  full: z.boolean(),
  added: z.array(cardNoSchema),
  removed: z.array(cardNoSchema),
  issuedAt: z.string(),
  signature: z.string(),
});
export type DenyListDelta = z.infer<typeof denyListDeltaSchema>;

export const actionsQuerySchema = z.object({ since: z.string().max(128).optional() });

export const cardActionSchema = z.object({
  id: z.string().min(1).max(64),
  cardNo: cardNoSchema,
  kind: z.enum(['top_up', 'extend']),
  /** top_up: the amount to add to the card. */
  amountFen: z.number().int().positive().optional(),
  /** extend: the new validity end, 'YYYY-MM-DD' (Asia/Shanghai, inclusive). */
  validUntil: z.string().optional(),
});
export type CardAction = z.infer<typeof cardActionSchema>;

export const actionsResponseSchema = z.object({
  cursor: z.string(),
  actions: z.array(cardActionSchema),
});
export type ActionsResponse = z.infer<typeof actionsResponseSchema>;
