import { z } from 'zod';
import { cardSchema } from '../cards/cards.schemas.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';

/** Request and response schemas of card services (shared with web/app and web/admin). */

const isoDate = z.iso.date();
const label = z.object({ zh: z.string(), en: z.string() });
const cardStatus = z.enum(['inactive', 'active', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed']);
const cardProduct = z.enum(['k12_card', 'k12_sticker', 'k12_ecard', 'university_ecard', 'campus_card', 'temporary_card']);

export const cardIdParams = z.object({ cardId: z.uuid() });

// ---- K-12 yearly extension ------------------------------------------------------------------

export const extensionWindowSchema = z.object({
  year: z.number().int(),
  startsOn: isoDate,
  endsOn: isoDate,
  /** Whether today (Asia/Shanghai) falls inside it. */
  open: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type ExtensionWindowDto = z.infer<typeof extensionWindowSchema>;

export const extensionWindowListSchema = z.object({ items: z.array(extensionWindowSchema), today: isoDate });
export const extensionWindowYearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) });
export const extensionWindowBodySchema = z.object({ startsOn: isoDate, endsOn: isoDate });

/** Why a card cannot be extended now (the error code the POST would answer with), or null. */
export const extensionBlockSchema = z.enum([
  'CARD_EXTENSION_WINDOW_CLOSED', 'CARD_EXTENSION_PRODUCT', 'CARD_EXTENSION_LOST', 'CARD_EXTENSION_SUPERSEDED',
  'CARD_EXTENSION_STATUS', 'CARD_EXTENSION_DONE', 'CARD_EXTENSION_GRADUATION',
]);
export type ExtensionBlock = z.infer<typeof extensionBlockSchema>;

/** GET /cards/:cardId/extension: the status check (seed 001: "卡正常状态" → extend) and what extending would do. */
export const extensionCheckSchema = z.object({
  cardId: z.string(),
  cardNoMasked: z.string(),
  status: cardStatus,
  /** "卡正常状态" or the reason the card is not normal. */
  statusMessage: label,
  statusNormal: z.boolean(),
  /** The window the extension counts in: today's, the last one for a late extension, else this year's (null: none set). */
  window: extensionWindowSchema.nullable(),
  /** A late extension: the window has closed, the card is in its grace period (docs/decisions/0008). */
  late: z.boolean(),
  validUntil: isoDate.nullable(),
  /** The grace period's last day, while the card is in it. */
  graceUntil: isoDate.nullable(),
  /** The date extending now would give (null when it cannot be extended). */
  newValidUntil: isoDate.nullable(),
  /** The graduation bound (31 August of the graduation year), when the class is known. */
  graduationDate: isoDate.nullable(),
  eligible: z.boolean(),
  blockedBy: extensionBlockSchema.nullable(),
});
export type ExtensionCheckDto = z.infer<typeof extensionCheckSchema>;

export const extensionRecordSchema = z.object({
  id: z.string(),
  windowYear: z.number().int(),
  fromValidUntil: isoDate.nullable(),
  toValidUntil: isoDate,
  createdAt: z.string(),
});
export const extendResultSchema = z.object({ card: cardSchema, extension: extensionRecordSchema });
export type ExtendResultDto = z.infer<typeof extendResultSchema>;

// ---- Return (退卡) -----------------------------------------------------------------------------

/** GET /cards/:cardId/return: may it be returned, and where would the balance go (≤ ¥200 in the app, above at an outlet). */
export const returnQuoteSchema = z.object({
  cardId: z.string(),
  returnable: z.boolean(),
  /** CARD_TRANSITION_INVALID (status), CARD_RETURN_NEGATIVE_BALANCE, FULFILMENT_APPLICATION_OPEN (a replacement is under way), or null. */
  blockedBy: z.string().nullable(),
  balanceFen: z.number().int(),
  /** Of which the campus network balance (a campus card takes it with it when returned); 0 for other cards. */
  networkBalanceFen: z.number().int(),
  /** 'app': back through the gateways in the app; 'outlet': collected at a service outlet; 'none': nothing to refund. */
  refundRoute: z.enum(['app', 'outlet', 'none']),
  inAppLimitFen: z.number().int(),
});
export type ReturnQuoteDto = z.infer<typeof returnQuoteSchema>;

export const returnRefundSchema = z.object({
  id: z.string(),
  amountFen: z.number().int(),
  route: z.enum(['gateway', 'outlet']),
  status: z.string(),
});
export const returnResultSchema = z.object({ card: cardSchema, refund: returnRefundSchema.nullable() });
export type ReturnResultDto = z.infer<typeof returnResultSchema>;

// ---- Campus cards: kiosk replacement, temporary cards ----------------------------------------

/** At the kiosk the student shows their ID card: its number finds (and proves) the holder. */
export const kioskReplacementBodySchema = z.object({
  idNumber: z.string().trim().toUpperCase().regex(/^\d{17}[\dX]$/),
  /** The card being replaced, as the kiosk showed it: a double submission then fails instead of replacing the new card too. */
  cardNo: z.string().trim().regex(/^\d{10,19}$/).optional(),
});
export const kioskReplacementResultSchema = z.object({ oldCard: cardSchema, newCard: cardSchema, feeFen: z.number().int() });
export type KioskReplacementResultDto = z.infer<typeof kioskReplacementResultSchema>;

export const temporaryCardBodySchema = z.object({
  educationId: z.string().trim().regex(/^\d{8}$/).optional(),
  studentNo: z.string().trim().min(1).max(40).optional(),
  /** The number printed on the handed-out temporary card (generated when absent). */
  cardNo: z.string().trim().regex(/^\d{10,19}$/).optional(),
}).refine((b) => b.educationId !== undefined || b.studentNo !== undefined, { message: 'educationId or studentNo is required' });
export const temporaryExchangeResultSchema = z.object({ temporaryCard: cardSchema, campusCard: cardSchema });
export type TemporaryExchangeResultDto = z.infer<typeof temporaryExchangeResultSchema>;

// ---- Admin card search -------------------------------------------------------------------------

export const adminCardSearchQuerySchema = pageQuerySchema.extend({
  /** A card number (or its start), an education ID, or part of a name. */
  q: z.string().trim().max(40).optional(),
  status: cardStatus.optional(),
  product: cardProduct.optional(),
  schoolId: z.uuid().optional(),
});
export type AdminCardSearchQuery = z.infer<typeof adminCardSearchQuerySchema>;

export const adminCardItemSchema = z.object({
  id: z.string(),
  cardNoMasked: z.string(),
  product: cardProduct,
  status: cardStatus,
  statusLabel: label,
  studentId: z.string(),
  holderNameMasked: z.string(),
  educationId: z.string().describe('whole: the console’s handle for the student (web/admin/src/EducationId.tsx)'),
  school: z.object({ id: z.string(), name: z.string() }),
  validUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type AdminCardItemDto = z.infer<typeof adminCardItemSchema>;
export const adminCardPageSchema = pageSchema(adminCardItemSchema);
