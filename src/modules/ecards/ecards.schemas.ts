import { z } from 'zod';
import { cardSchema } from '../cards/cards.schemas.js';

/** Request and response schemas of phone e-cards (shared with the app; OpenAPI is built from them). */

export const phoneBrandSchema = z.enum(['huawei', 'honor', 'xiaomi', 'apple']);

/** What the app knows about the phone (read from the device or typed by the user). */
export const phoneSchema = z.object({
  brand: phoneBrandSchema,
  model: z.string().trim().min(1).max(60),
  os: z.enum(['android', 'harmonyos', 'ios']),
  osVersion: z.string().trim().max(30),
  nfcEnabled: z.boolean(),
  walletVersion: z.string().trim().max(30).nullish(),
  xiaomiChannel: z.enum(['stable', 'dev']).nullish(),
  appVersion: z.string().trim().max(30),
});
export type PhoneInput = z.infer<typeof phoneSchema>;

export const eligibilitySchema = z.object({
  eligible: z.boolean(),
  problems: z.array(z.object({ reason: z.string(), required: z.string().optional(), actual: z.string().nullable().optional(), zh: z.string(), en: z.string() })),
  matchedModel: z.object({ brand: phoneBrandSchema, name: z.string(), series: z.boolean() }).nullable(),
});

export const requirementKeySchema = z.enum(['app', 'huaweiWallet', 'xiaomiSmartCardStable', 'xiaomiSystemDev', 'ios']);

export const phoneSupportSchema = z.object({
  requirements: z.object({ app: z.string(), huaweiWallet: z.string(), xiaomiSmartCardStable: z.string(), xiaomiSystemDev: z.string(), ios: z.string() }),
  models: z.array(z.object({ id: z.number().int(), brand: phoneBrandSchema, name: z.string(), series: z.boolean() })),
});

export const versionSchema = z.string().trim().regex(/^\d+(\.\d+)*$/, 'a dotted version such as 9.0.13.304');
export const updatePhoneSupportSchema = z.object({
  requirements: z.partialRecord(requirementKeySchema, versionSchema).optional(),
  addModels: z.array(z.object({ brand: phoneBrandSchema, name: z.string().trim().min(1).max(60), series: z.boolean() })).max(100).optional(),
  removeModelIds: z.array(z.number().int()).max(100).optional(),
});
export const agreementSchema = z.object({ version: z.string(), title: z.object({ zh: z.string(), en: z.string() }), body: z.object({ zh: z.string(), en: z.string() }) });

export const schoolOptionSchema = z.object({ id: z.string(), name: z.string(), stage: z.string(), district: z.string().nullable() });
export const schoolQuerySchema = z.object({ q: z.string().trim().max(40).optional() });
export const schoolListSchema = z.object({ items: z.array(schoolOptionSchema) });

const nameSchema = z.string().trim().min(1).max(40);
const idNumberSchema = z.string().trim().min(15).max(18);

export const openK12Schema = z.object({
  studentId: z.uuid(),
  schoolId: z.uuid(),
  name: nameSchema,
  idNumber: idNumberSchema,
  educationId: z.string().trim().regex(/^\d{8}$/, '8 digits'),
  phone: phoneSchema,
  agreementVersion: z.string().max(40),
  agreementAccepted: z.boolean(),
});

export const upgradeK12Schema = z.object({
  /** The new school the student chose (seed 000: 选择学校并填写实名信息); it must be the roster's. */
  schoolId: z.uuid(),
  name: nameSchema,
  idNumber: idNumberSchema,
  educationId: z.string().trim().regex(/^\d{8}$/, '8 digits'),
});

export const movePhoneSchema = z.object({ phone: phoneSchema });

export const linkUniversitySchema = z.object({
  studentId: z.uuid(),
  schoolId: z.uuid(),
  interopCardNo: z.string().trim().max(40),
  name: nameSchema,
  studentNo: z.string().trim().min(1).max(40),
  idNumber: idNumberSchema,
  phone: phoneSchema,
});

/** An opening, an upgrade or a move: the new card, the one it took over from, the balance moved. */
export const ecardResultSchema = z.object({
  card: cardSchema,
  previousCard: cardSchema.nullable(),
  balanceMovedFen: z.number().int(),
});

export const upgradeStatusSchema = z.object({
  cardId: z.string(),
  needed: z.boolean(),
  kind: z.enum(['小升初', '初升高']).nullable(),
  fromStage: z.string().nullable(),
  toStage: z.string().nullable(),
});

export const universityEligibilityQuerySchema = z.object({ studentId: z.uuid() });
export const universityEligibilitySchema = z.object({
  eligible: z.boolean(),
  problems: z.array(z.object({ reason: z.string(), zh: z.string(), en: z.string() })),
  validUntilIfOpenedToday: z.string(),
});

export const extensionStatusSchema = z.object({
  cardId: z.string(),
  validUntil: z.string().nullable(),
  opensOn: z.string().nullable(),
  canExtend: z.boolean(),
  extendsTo: z.string(),
});

export const returnResultSchema = z.object({
  card: cardSchema,
  refund: z.object({ id: z.string(), amountFen: z.number().int(), route: z.enum(['gateway', 'outlet']), status: z.string() }).nullable(),
});

export const ecardParams = z.object({ cardId: z.uuid() });
export const partnerParams = z.object({ schoolId: z.uuid() });
export const partnerListSchema = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), stage: z.string(), partneredSince: z.string() })) });
