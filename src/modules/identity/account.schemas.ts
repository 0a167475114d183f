import { z } from 'zod';
import { consentPurposes } from './consent.js';

/** Shared with the app: password changes, parent binding, recovery and consent. */
/** A real calendar date (z.iso.date() refuses 2026-02-30, which PostgreSQL would answer with an error). */
const isoDate = z.iso.date();
export const phoneSchema = z.string().trim().regex(/^1[3-9]\d{9}$/, '11-digit mainland mobile number');
export const educationIdSchema = z.string().trim().regex(/^\d{8}$/, '8 digits');

export const changePasswordSchema = z.object({ currentPassword: z.string().min(1).max(128), newPassword: z.string().min(1).max(128) });
export const bindParentSchema = z.object({ phone: phoneSchema, relation: z.string().trim().max(16).optional() });
export const bindChildSchema = z
  .object({ educationId: educationIdSchema, name: z.string().trim().min(1).max(32), birthDate: isoDate.optional(), idNumberLast6: z.string().trim().regex(/^\d{5}[\dXx]$/).optional() })
  .refine((v) => v.birthDate !== undefined || v.idNumberLast6 !== undefined, { message: 'birthDate or idNumberLast6 is required', path: ['birthDate'] });
export const identityProofSchema = z.object({ name: z.string().trim().min(1).max(32), idNumber: z.string().trim().min(15).max(18), birthDate: isoDate });
export const studentResetSchema = identityProofSchema.extend({ newPassword: z.string().min(1).max(128) });
export const findEducationIdSchema = identityProofSchema.extend({ schoolId: z.uuid() });
export const parentCodeSchema = z.object({ phone: phoneSchema });
export const parentResetSchema = z.object({ phone: phoneSchema, code: z.string().trim().regex(/^\d{6}$/), newPassword: z.string().min(1).max(128) });
export const consentPurposeSchema = z.enum(consentPurposes);
export const pinSchema = z.object({ newPin: z.string().min(1).max(16) });

export const childSchema = z.object({
  studentId: z.string(),
  educationId: z.string(),
  name: z.string(),
  stage: z.string(),
  schoolName: z.string(),
  grade: z.number().nullable(),
  classNo: z.string().nullable(),
  relation: z.string().nullable(),
});
export type Child = z.infer<typeof childSchema>;
export const parentLinkSchema = z.object({ parentId: z.string(), phone: z.string(), relation: z.string().nullable(), boundAt: z.string() });
export type ParentLink = z.infer<typeof parentLinkSchema>;
export const publicSchoolSchema = z.object({ id: z.string(), name: z.string(), stage: z.string(), district: z.string().nullable() });

/** 导出我的数据: the password asked again, and the file's top level (the rest is described in data-export.ts). */
export const dataExportRequestSchema = z.object({ password: z.string().min(1).max(64) });
export const dataExportSchema = z.looseObject({ format: z.literal('onecard-personal-data/1'), generatedAt: z.string(), role: z.enum(['student', 'parent']) });
