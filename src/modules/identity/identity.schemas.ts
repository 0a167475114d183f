import { z } from 'zod';

/** Shared with the web apps: the request and response shapes of sign-in and the current user. */
export const roleSchema = z.enum(['student', 'parent', 'school_admin', 'operator', 'kiosk', 'terminal']);
export type Role = z.infer<typeof roleSchema>;

export const loginRequestSchema = z.object({
  /** student: education ID; parent: phone; campus: student number or ID number; staff: username. */
  as: z.enum(['student', 'parent', 'campus', 'staff']),
  login: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(128),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userSchema = z.object({
  id: z.string(),
  role: roleSchema,
  /** Masked for people (张*); staff see their own display name. */
  displayName: z.string(),
  login: z.string(),
  schoolId: z.string().nullable(),
  schoolName: z.string().nullable(),
  /** The school's stage (primary … university), so the apps show what that school has (campus services only at universities). */
  schoolStage: z.string().nullable(),
  /** Whether 课表查询 and 成绩查询 are open to them: a full-time undergraduate (src/domain/academic-access.ts). */
  academicRecords: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

/**
 * Which sign-in the session came from (POST /sessions `as`): a student signed in by education ID
 * (`student`) or by campus number (`campus`) changes a different password (POST /me/password).
 */
export const loginKindSchema = loginRequestSchema.shape.as;

export const meResponseSchema = userSchema.extend({ mustChangePassword: z.boolean(), loginKind: loginKindSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

export const loginResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  mustChangePassword: z.boolean(),
  user: userSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const createStaffRequestSchema = z.object({
  username: z.string().trim().regex(/^[a-zA-Z0-9_.-]{3,32}$/, '3–32 letters, digits, _ . -'),
  displayName: z.string().trim().min(1).max(64),
  password: z.string().min(8).max(128),
  role: z.enum(['operator', 'school_admin', 'kiosk']),
  schoolId: z.uuid().nullable().default(null),
});
export type CreateStaffRequest = z.infer<typeof createStaffRequestSchema>;

export const staffSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['operator', 'school_admin', 'kiosk']),
  schoolId: z.string().nullable(),
});
