import { z } from 'zod';
import { studyLevels } from '../../domain/academic-access.js';
import { controlCharacter } from '../../platform/text.js';

/** Shared with the admin console: schools, classes and students as the console sees them (masked). */
export const stageSchema = z.enum(['primary', 'middle', 'high', 'university', 'vocational']);
export const studyLevelSchema = z.enum(studyLevels);
export const enrolmentStatusSchema = z.enum(['enrolled', 'graduated', 'transferred', 'left']);
/** A real calendar date (z.iso.date() refuses 2026-02-30, which PostgreSQL would answer with an error). */
const isoDate = z.iso.date();

export const createSchoolSchema = z.object({
  code: z.string().trim().regex(/^[A-Za-z0-9-]{2,32}$/, '2–32 letters, digits or -'),
  name: z.string().trim().min(2).max(64),
  stage: stageSchema,
  district: z.string().trim().max(32).nullable().default(null),
});

/** 服务点: where the university's self-service kiosk is (null clears it). */
export const servicePointSchema = z.object({ servicePoint: z.string().trim().min(1).max(60).refine((s) => !controlCharacter.test(s)).nullable() });

export const classSchema = z.object({ id: z.string(), grade: z.number().int(), classNo: z.string(), studentCount: z.number().int() });
export const createClassSchema = z.object({ grade: z.number().int().min(1).max(12), classNo: z.string().trim().regex(/^\d{1,3}$/, '1–3 digits') });

export const createStudentSchema = z.object({
  educationId: z.string().trim(),
  name: z.string().trim().min(1).max(32),
  gender: z.enum(['M', 'F']),
  birthDate: isoDate,
  idNumber: z.string().trim(),
  classId: z.uuid().nullable().default(null),
  studentNo: z.string().trim().max(32).nullable().default(null),
  salaried: z.boolean().default(false),
});
export type CreateStudentRequest = z.infer<typeof createStudentSchema>;

/** Promotion, transfer and status changes keep the education ID and all history. */
export const updateStudentSchema = z
  .object({
    schoolId: z.uuid(),
    classId: z.uuid().nullable(),
    status: enrolmentStatusSchema,
    salaried: z.boolean(),
    studentNo: z.string().trim().max(32).nullable(),
    /** 院系, as the roster's column: some venues are for students of named colleges. */
    college: z.string().trim().min(1).max(32).nullable(),
    /** 专业, as the roster's column: some venues (the practice rooms) are for students of named majors too. */
    major: z.string().trim().min(1).max(32).refine((s) => !controlCharacter.test(s), 'no control characters').nullable(),
    /** 培养层次 and 学习形式, as the roster's columns: 课表查询 and 成绩查询 are for full-time undergraduates. */
    studyLevel: studyLevelSchema.nullable(),
    fullTime: z.boolean().nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateStudentRequest = z.infer<typeof updateStudentSchema>;

export const studentRowSchema = z.object({
  id: z.string(),
  educationId: z.string(),
  name: z.string(),
  gender: z.enum(['M', 'F']),
  idNumber: z.string(),
  schoolId: z.string(),
  schoolName: z.string(),
  stage: stageSchema,
  grade: z.number().int().nullable(),
  classNo: z.string().nullable(),
  status: enrolmentStatusSchema,
  hasPhoto: z.boolean(),
});
export type StudentRow = z.infer<typeof studentRowSchema>;

export const studentDetailSchema = studentRowSchema.extend({
  birthDate: z.string(),
  studentNo: z.string().nullable(),
  salaried: z.boolean(),
  college: z.string().nullable(),
  major: z.string().nullable(),
  studyLevel: studyLevelSchema.nullable(),
  fullTime: z.boolean().nullable(),
  parents: z.array(z.object({ parentId: z.string(), phone: z.string(), relation: z.string().nullable(), boundAt: z.string() })),
  history: z.array(z.object({ at: z.string(), action: z.string(), actorRole: z.string(), before: z.unknown(), after: z.unknown() })),
});
export type StudentDetail = z.infer<typeof studentDetailSchema>;

export const studentQuerySchema = z.object({
  q: z.string().trim().max(32).optional(),
  schoolId: z.uuid().optional(),
  classId: z.uuid().optional(),
  status: enrolmentStatusSchema.optional(),
});
