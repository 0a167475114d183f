import { z } from 'zod';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import { orderSchema } from '../payments/payments.schemas.js';

/**
 * Fulfilment: information confirmation (制卡信息确认), K-12 card replacement (补办) and sticker
 * replacement (补换卡贴), production batches, deliveries and pickups. Request and response schemas
 * shared with the web apps (web/app builds the wizard and the progress timeline from these).
 * Dates are 'YYYY-MM-DD' (Asia/Shanghai); times are ISO-8601 strings.
 *
 * App routes (student / parent, under /api/v1; mutations accept Idempotency-Key):
 *   GET  /fulfilment/confirmation?studentId=         → confirmationSchema (404 FULFILMENT_CONFIRMATION_NOT_FOUND when none)
 *   POST /fulfilment/confirmations/:confirmationId/confirm             → confirmationSchema
 *   POST /fulfilment/confirmations/:confirmationId/report  reportErrorsSchema → confirmationSchema
 *   POST /fulfilment/verify            identityCheckSchema      → verifyResultSchema (422 FULFILMENT_IDENTITY_MISMATCH)
 *   POST /fulfilment/applications      createApplicationSchema  → 201 applicationSchema
 *   GET  /fulfilment/applications?studentId=&kind=              → applicationListSchema
 *   GET  /fulfilment/applications/:applicationId                → applicationSchema (the progress query)
 *   POST /fulfilment/applications/:applicationId/fee-order      → 201 applicationSchema (feeOrder set; pay it via /orders/:id/pay)
 *   POST /fulfilment/applications/:applicationId/cancel         → applicationSchema (only before payment)
 *   POST /fulfilment/applications/:applicationId/redelivery  deliveryChoiceSchema → applicationSchema
 *        (a home parcel returned to the card centre goes out again: home, any address, or to the school;
 *         the holder, a bound parent, the school card manager or an operator chooses)
 * Console routes: /admin/fulfilment/{confirmations,applications,batches,deliveries,settings} (see fulfilment.routes.ts).
 */

const label = z.object({ zh: z.string(), en: z.string() });
/** A real calendar date (z.iso.date() refuses 2026-02-30, which PostgreSQL would answer with an error). */
const isoDate = z.iso.date();
/** A courier's (or the card centre's) word on a parcel, in both languages. */
const deliveryEventSchema = z.object({ at: z.string(), description: label });

// ---------------------------------------------------------------- information confirmation

/** The fields printed on the Beijing-tong card face (seed 001), masked for screens except gender and dates. */
export const cardFaceSchema = z.object({
  schoolName: z.string(),
  name: z.string(),
  /** The name masked (张*), for lists and logs. */
  nameMasked: z.string(),
  gender: z.enum(['M', 'F']),
  educationId: z.string(),
  /** Validity by graduation: the last day of the stage the student is in. */
  validUntil: isoDate,
  hasPhoto: z.boolean(),
});
export type CardFace = z.infer<typeof cardFaceSchema>;

export const confirmationFieldSchema = z.enum(['schoolName', 'name', 'gender', 'educationId', 'validUntil', 'photo']);
export type ConfirmationField = z.infer<typeof confirmationFieldSchema>;

export const correctionSchema = z.object({
  field: confirmationFieldSchema,
  /** What it should say (null for the photo: a new photo is taken by the school). */
  correctValue: z.string().trim().max(64).nullable().default(null),
  note: z.string().trim().max(200).nullable().default(null),
});
export type Correction = z.infer<typeof correctionSchema>;

/** pending: waiting for the student/parent; reported: errors reported, waiting for the school; confirmed: may go to production. */
export const confirmationStatusSchema = z.enum(['pending', 'reported', 'confirmed']);
export type ConfirmationStatus = z.infer<typeof confirmationStatusSchema>;

export const confirmationSchema = z.object({
  id: z.string(),
  studentId: z.string(),
  schoolId: z.string(),
  status: confirmationStatusSchema,
  statusLabel: label,
  /** The card face as it would be printed now. */
  face: cardFaceSchema,
  /** The corrections last reported (kept after the fix, for the history). */
  corrections: z.array(correctionSchema),
  /** How many times the school fixed reported errors. */
  round: z.number().int(),
  fixNote: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  reportedAt: z.string().nullable(),
  fixedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type ConfirmationDto = z.infer<typeof confirmationSchema>;

/** GET /fulfilment/confirmation?studentId=… (a student may leave it out). */
export const confirmationQuerySchema = z.object({ studentId: z.uuid().optional() });
export const confirmationParams = z.object({ confirmationId: z.uuid() });
/** POST /fulfilment/confirmations/:id/report — 信息有误. */
export const reportErrorsSchema = z.object({ corrections: z.array(correctionSchema).min(1).max(6) });
/** POST /admin/fulfilment/confirmations/:id/fix — the school card manager fixes; name/gender are applied to the student record. */
export const fixConfirmationSchema = z.object({
  name: z.string().trim().min(1).max(32).optional(),
  gender: z.enum(['M', 'F']).optional(),
  note: z.string().trim().min(1).max(200),
});
/** POST /admin/fulfilment/confirmations/open — opens pending records for a school's students who have none (new cards). */
export const openConfirmationsSchema = z.object({ schoolId: z.uuid() });
export const openConfirmationsResultSchema = z.object({ opened: z.number().int(), /** First-card applications opened (students of a K-12 school without a card). */ newCards: z.number().int() });
export const adminConfirmationQuerySchema = pageQuerySchema.extend({ status: confirmationStatusSchema.optional(), schoolId: z.uuid().optional() });
export const adminConfirmationSchema = confirmationSchema.extend({
  /** Console rows: the face's name masked as well. */
  schoolName: z.string(),
});
export const adminConfirmationPageSchema = pageSchema(adminConfirmationSchema);

// ---------------------------------------------------------------- replacement and sticker applications

export const applicationKindSchema = z.enum(['replacement', 'sticker', 'new_card']);
export type ApplicationKind = z.infer<typeof applicationKindSchema>;
/** What a holder applies for (补卡, 补换卡贴); a first card (new_card) is the school's to open. */
export const applyKindSchema = z.enum(['replacement', 'sticker']);
export type ApplyKind = z.infer<typeof applyKindSchema>;

/** 证件类型: the roster holds resident ID numbers; other documents are compared as typed. */
export const idTypeSchema = z.enum(['resident_id', 'hk_macao_permit', 'taiwan_permit', 'passport']);

/** 填写信息 (seed 000): the identity the applicant types in. */
export const identityCheckSchema = z.object({
  kind: applyKindSchema,
  name: z.string().trim().min(1).max(32),
  idType: idTypeSchema,
  idNumber: z.string().trim().min(1).max(32),
  educationId: z.string().trim().min(1).max(32),
});
export type IdentityCheck = z.infer<typeof identityCheckSchema>;

/** 卡片补办 screen (seed 000): the card information, masked as the app shows it. */
export const maskedCardInfoSchema = z.object({
  cardId: z.string(),
  product: z.enum(['k12_card', 'k12_sticker']),
  /** 姓名 9***** */
  nameMasked: z.string(),
  gender: z.enum(['M', 'F']),
  educationId: z.string(),
  /** 北京通号 32******248, masked as on every other screen (the seed shows it whole). */
  beijingTongNoMasked: z.string(),
  /** 一卡通号 00*****669 (null when the card has none) */
  yikatongNoMasked: z.string().nullable(),
  /** 学校名称: the student's own school, whole (a school is not personal data; the seed masks it, which confused parents). */
  schoolName: z.string(),
  /** 类别: 1 primary, 2 middle, 3 high */
  category: z.string(),
  /** What the 类别 means: 小学 / 初中 / 高中. */
  categoryLabel: label,
  /** 班级 */
  classNo: z.string().nullable(),
  cardStatus: z.enum(['inactive', 'active', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed']),
  /** Why this card may be applied for now: lost (reported lost) or, a sticker in use, damaged. Empty when it may not. */
  replaceReasons: z.array(z.enum(['lost', 'damaged'])),
  /** 持卡状态: 待补卡 for a lost card */
  holdStatus: label,
  /** 公交有效性: 有效卡 / 无效卡 */
  transitValid: z.boolean(),
  transitValidity: label,
  /** 持卡类型: 北京通学生卡 / 学生卡贴 */
  cardType: label,
  /** Whether this card may be replaced now (only a card reported lost, and not already applied for). */
  replaceable: z.boolean(),
  /** Why not, when it may not (a stable code, e.g. FULFILMENT_CARD_NOT_LOST). */
  notReplaceableCode: z.string().nullable(),
});
export type MaskedCardInfo = z.infer<typeof maskedCardInfoSchema>;

export const verifyResultSchema = z.object({
  studentId: z.string(),
  kind: applyKindSchema,
  cards: z.array(maskedCardInfoSchema),
  /** 说明 (seed 000), as shown under the card information. */
  notes: z.array(label),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

export const deliveryMethodSchema = z.enum(['school', 'home']);
/** failed: the courier gave up and sends the parcel back; returned: the card centre has it again. */
export const deliveryStatusSchema = z.enum(['created', 'in_transit', 'delivered', 'failed', 'returned']);
export type DeliveryMethod = z.infer<typeof deliveryMethodSchema>;

/** 配送信息: to school (free) or home (courier cash on delivery, ≤ ¥15 in the city). */
export const deliveryChoiceSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('school') }),
  z.object({
    method: z.literal('home'),
    recipient: z.string().trim().min(1).max(32),
    phone: z.string().trim().regex(/^1\d{10}$/, '11-digit mobile number'),
    address: z.string().trim().min(5).max(200),
  }),
]);
export type DeliveryChoice = z.infer<typeof deliveryChoiceSchema>;

/**
 * 补换原因: lost (the card or sticker is reported lost) or damaged (a sticker only, still in use: it
 * stays usable until the new one is picked up).
 */
export const replacementReasonSchema = z.enum(['lost', 'damaged']);
export type ReplacementReason = z.infer<typeof replacementReasonSchema>;

/** POST /fulfilment/applications — 申请补卡 / 补换申请 (the identity is checked again). */
export const createApplicationSchema = identityCheckSchema.extend({
  cardId: z.uuid(),
  reason: replacementReasonSchema.default('lost'),
  delivery: deliveryChoiceSchema,
});
export type CreateApplication = z.infer<typeof createApplicationSchema>;

/** delivery_failed: the courier gave up on the home parcel, which goes back to the card centre; returned_to_centre: back there, waiting for the holder's choice (redelivery). */
export const applicationStatusSchema = z.enum([
  'awaiting_payment', 'ready_for_production', 'in_production', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre', 'delivered', 'completed', 'cancelled',
]);
export type ApplicationStatus = z.infer<typeof applicationStatusSchema>;

export const applicationStepSchema = z.enum([
  'applied', 'paid', 'in_production', 'exported', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre', 'redispatched', 'delivered', 'picked_up', 'balance_moved', 'cancelled',
  /** 作废: a first card its student can no longer pick up (no longer enrolled at the school it was made for). */
  'voided',
]);
export type ApplicationStep = z.infer<typeof applicationStepSchema>;

/**
 * Where the student stands against the application's school: `enrolled` there; `moved`: enrolled
 * at another school; otherwise the student's status (graduated, transferred out, left). A first
 * card is handed over only while `enrolled`, and voided otherwise.
 */
export const studentEnrolmentSchema = z.enum(['enrolled', 'moved', 'graduated', 'transferred', 'left']);
export type StudentEnrolment = z.infer<typeof studentEnrolmentSchema>;

/** POST /admin/fulfilment/applications/:id/void: why the card is voided (kept in the progress and the audit log). */
export const voidApplicationSchema = z.object({ reason: z.string().trim().min(2).max(200) });

export const paymentWindowInfoSchema = z.object({
  today: z.string(),
  open: z.boolean(),
  weekdays: z.array(z.number().int()),
  next: z.object({ startDate: z.string(), endDate: z.string() }).nullable(),
});

export const applicationSchema = z.object({
  id: z.string(),
  kind: applicationKindSchema,
  status: applicationStatusSchema,
  statusLabel: label,
  studentId: z.string(),
  studentNameMasked: z.string(),
  studentEnrolment: studentEnrolmentSchema,
  schoolId: z.string(),
  schoolName: z.string(),
  /** The card replaced; null for a first card (new_card). */
  oldCardId: z.string().nullable(),
  oldCardNoMasked: z.string().nullable(),
  /** 补换原因: lost, or damaged (a sticker in use until the new one is picked up); `new` for a first card. */
  reason: z.enum(['lost', 'damaged', 'new']),
  reasonLabel: label,
  newCardId: z.string().nullable(),
  newCardNoMasked: z.string().nullable(),
  delivery: z.object({
    method: deliveryMethodSchema,
    recipientMasked: z.string().nullable(),
    phoneMasked: z.string().nullable(),
    /** Shown to the applicant and staff only; null for school delivery. */
    address: z.string().nullable(),
    /** 快递费到付 ≤ ¥15 for home delivery; 0 for school. */
    codFeeMaxFen: z.number().int(),
    /** The courier's code (deliveries.courier). */
    courier: z.string().nullable(),
    /** The courier's name to show (模拟快递 / Sandbox courier). */
    courierName: label.nullable(),
    trackingNo: z.string().nullable(),
    trackingStatus: deliveryStatusSchema.nullable(),
    trackingStatusLabel: label.nullable(),
    /** The parcel's tracking events (the courier's scans), oldest first; empty for a school parcel not yet sent. */
    events: z.array(deliveryEventSchema),
  }),
  /**
   * 制卡信息确认 of the student: production waits until it is `confirmed` (null: none opened yet).
   * The app sends the holder to the confirmation page while it is pending or reported.
   */
  infoConfirmation: z.object({ status: confirmationStatusSchema, statusLabel: label }).nullable(),
  /** The ¥15 fee (replacement only; null for stickers). */
  feeFen: z.number().int(),
  feeOrder: orderSchema.nullable(),
  paidAt: z.string().nullable(),
  batchId: z.string().nullable(),
  /** 补卡进度: every step reached, oldest first. */
  steps: z.array(z.object({
    step: applicationStepSchema, label, at: z.string(), note: z.string().nullable(),
    /** The note in English: the same as `note` when it reads the same in both (a batch number, staff's own words). */
    noteEn: z.string().nullable(),
  })),
  /** 20 working days from payment (sticker: from the application) on the holiday calendar. */
  expectedReadyDate: z.string().nullable(),
  /** Why the ready date cannot be given (CALENDAR_YEAR_NOT_LOADED), with the usual messages. */
  readyDateError: z.object({ code: z.string(), message: z.string(), messageEn: z.string() }).nullable(),
  /** Fee payment window (Mondays and Tuesdays outside holidays): the app shows the next one when closed. */
  paymentWindow: paymentWindowInfoSchema.nullable(),
  /** When the old card's balance moves to the new card (the settlement window after pickup). */
  balanceTransferDueAt: z.string().nullable(),
  balanceTransferredAt: z.string().nullable(),
  balanceTransferredFen: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ApplicationDto = z.infer<typeof applicationSchema>;

export const applicationParams = z.object({ applicationId: z.uuid() });
export const applicationListQuerySchema = z.object({ studentId: z.uuid().optional(), kind: applicationKindSchema.optional() });
export const applicationListSchema = z.object({ items: z.array(applicationSchema) });

export const adminApplicationQuerySchema = pageQuerySchema.extend({
  kind: applicationKindSchema.optional(),
  status: applicationStatusSchema.optional(),
  schoolId: z.uuid().optional(),
  batchId: z.uuid().optional(),
});
export const adminApplicationPageSchema = pageSchema(applicationSchema);

// ---------------------------------------------------------------- production batches

export const batchStatusSchema = z.enum(['created', 'exported', 'produced', 'dispatched']);
export const batchSchema = z.object({
  id: z.string(),
  batchNo: z.string(),
  kind: applicationKindSchema,
  status: batchStatusSchema,
  statusLabel: label,
  applicationCount: z.number().int(),
  createdAt: z.string(),
  exportedAt: z.string().nullable(),
  producedAt: z.string().nullable(),
  dispatchedAt: z.string().nullable(),
});
export type BatchDto = z.infer<typeof batchSchema>;
/** POST /admin/fulfilment/batches' answer: the batch, and how many ready applications were held back because their student has no photo yet. */
export const createdBatchSchema = batchSchema.extend({ heldWithoutPhoto: z.number().int() });
export type CreatedBatchDto = z.infer<typeof createdBatchSchema>;
export const batchParams = z.object({ batchId: z.uuid() });
/** POST /admin/fulfilment/batches: every paid (or sticker) application whose card information is confirmed. */
export const createBatchSchema = z.object({ kind: applicationKindSchema, schoolId: z.uuid().optional() });
export const batchQuerySchema = pageQuerySchema.extend({ status: batchStatusSchema.optional(), kind: applicationKindSchema.optional() });
export const batchPageSchema = pageSchema(batchSchema);
export const batchDetailSchema = batchSchema.extend({ applications: z.array(applicationSchema) });

// ---------------------------------------------------------------- deliveries

export const deliverySchema = z.object({
  id: z.string(),
  batchId: z.string(),
  method: deliveryMethodSchema,
  schoolId: z.string(),
  schoolName: z.string(),
  /** Home delivery: the one application; school delivery: null (the whole school's share of the batch). */
  applicationId: z.string().nullable(),
  applicationCount: z.number().int(),
  recipientMasked: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  courier: z.string().nullable(),
  /** The courier's name to show (模拟快递 / Sandbox courier). */
  courierName: label.nullable(),
  trackingNo: z.string().nullable(),
  status: deliveryStatusSchema,
  statusLabel: label,
  events: z.array(deliveryEventSchema),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  /** Home parcel: when tracking last asked the courier (null: not yet). */
  trackedAt: z.string().nullable(),
  /** Home parcel: why the last tracking failed (the courier down, a step refused), null when it went well; tracking tries again. */
  trackingError: z.string().nullable(),
});
export type DeliveryDto = z.infer<typeof deliverySchema>;
export const deliveryParams = z.object({ deliveryId: z.uuid() });
export const deliveryQuerySchema = pageQuerySchema.extend({ status: deliveryStatusSchema.optional(), method: deliveryMethodSchema.optional(), schoolId: z.uuid().optional(), batchId: z.uuid().optional() });
export const deliveryPageSchema = pageSchema(deliverySchema);

// ---------------------------------------------------------------- settings

export const fulfilmentSettingsSchema = z.object({
  /** Days after pickup before the old card's balance moves (its last taps are settled by then). */
  settlementWindowDays: z.number().int().min(0).max(60),
});
export type FulfilmentSettings = z.infer<typeof fulfilmentSettingsSchema>;
