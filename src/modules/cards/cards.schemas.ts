import { z } from 'zod';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';

const cardStatus = z.enum(['inactive', 'active', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed']);
const cardProduct = z.enum(['k12_card', 'k12_sticker', 'k12_ecard', 'university_ecard', 'campus_card', 'temporary_card']);
const cardEvent = z.enum(['activate', 'report_loss', 'unloss', 'suspend', 'resume', 'supersede', 'restore', 'replace', 'return', 'close']);
const label = z.object({ zh: z.string(), en: z.string() });
const validityState = z.enum(['valid', 'grace', 'expired']);

export const cardSchema = z.object({
  id: z.string(),
  cardNo: z.string(),
  cardNoMasked: z.string(),
  product: cardProduct,
  medium: z.enum(['physical', 'sticker', 'phone']),
  device: z.object({ model: z.string(), os: z.enum(['android', 'ios', 'harmonyos']), osVersion: z.string(), walletVersion: z.string().nullable() }).nullable(),
  stage: z.enum(['primary', 'middle', 'high', 'university', 'vocational']).nullable(),
  status: cardStatus,
  statusLabel: label,
  transitValid: z.boolean(),
  /** 公交有效性 as the replacement wizard shows it (by validity, whatever the loss status); null: the card never rides transit (campus, temporary). */
  transitValidity: z.enum(['valid', 'invalid']).nullable(),
  validUntil: z.string().nullable(),
  /** valid; grace: past validUntil but within its grace period (rides, tops up, may be extended late); expired. */
  validity: validityState,
  /** The grace period's last day, while the card is in it. */
  graceUntil: z.string().nullable(),
  activatedAt: z.string().nullable(),
  linkedCardNoMasked: z.string().nullable(),
  studentId: z.string(),
  holderNameMasked: z.string(),
  /** The holder's grade and class (with the school and the masked number, what tells siblings apart). */
  holderGrade: z.number().int().nullable(),
  holderClassNo: z.string().nullable(),
  holderStatus: z.enum(['enrolled', 'graduated', 'transferred', 'left']),
  /** servicePoint: where a university's kiosk is (服务点), for the campus card's page; null when not set. */
  school: z.object({ id: z.string(), name: z.string(), theme: z.string(), servicePoint: z.string().nullable() }),
  balanceFen: z.number().int(),
  availableFen: z.number().int(),
  /** Paid online, not yet written to the card: the card gets it at its next tap. */
  pendingTopUpFen: z.number().int(),
  canTopUp: z.boolean(),
  topUpBlockedReason: z.enum(['inactive', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed', 'expired', 'product']).nullable(),
  /** The K-12 yearly extension (卡片延期) applies to the card as it stands; the extension page checks the window and graduation. */
  canExtend: z.boolean(),
  allowedEvents: z.array(cardEvent),
});
export type CardDto = z.infer<typeof cardSchema>;

export const cardListSchema = z.object({ items: z.array(cardSchema) });
export const cardListQuerySchema = z.object({ studentId: z.uuid().optional() });
export const cardParams = z.object({ cardId: z.uuid() });
export const cardNoParams = z.object({ cardNo: z.string().max(40) });

export const cardHistorySchema = z.object({
  items: z.array(z.object({ version: z.number().int(), fromStatus: cardStatus.nullable(), toStatus: cardStatus, reason: z.string(), actorRole: z.string(), at: z.string() })),
});

export const publicCardStatusSchema = z.object({
  cardNo: z.string(),
  status: cardStatus,
  /** Student fares apply now (normal status, within its dates). */
  transitValid: z.boolean(),
  /** 公交有效性 as the card view's: by its dates, a lost card included; null: the card never rides transit (campus, temporary). */
  transitValidity: z.enum(['valid', 'invalid']).nullable(),
  validUntil: z.string().nullable(),
  validity: validityState,
  graceUntil: z.string().nullable(),
  message: z.string(),
  messageEn: z.string(),
});

const transactionType = z.enum(['top_up', 'fare', 'purchase', 'fee', 'refund', 'transfer', 'adjustment', 'reversal']);
export const cardTransactionsQuerySchema = pageQuerySchema.extend({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  type: transactionType.optional(),
});
export const cardTransactionPageSchema = pageSchema(
  z.object({ transactionId: z.string(), createdAt: z.string(), type: transactionType, memo: z.string().nullable(), memoEn: z.string().nullable(), amountFen: z.number().int(), balanceAfterFen: z.number().int() }),
);
