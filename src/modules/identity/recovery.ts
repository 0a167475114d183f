import { inTransaction } from '../../platform/db/database.js';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { checkAccountPassword } from '../../domain/passwords.js';
import { normaliseIdNumber } from '../../domain/id-number.js';
import { recordAudit } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { hashPassword } from '../../platform/passwords.js';
import { assertNotThrottled, recordAttempt } from './throttle.js';

interface Meta {
  requestId: string;
  source: string;
}

export interface StudentIdentityProof {
  name: string;
  idNumber: string;
  birthDate: string;
}

/** The student whose name, ID number and birth date all match; throttled per ID number and source. */
async function verifyStudentIdentity(ctx: AppContext, proof: StudentIdentityProof, purpose: string, source: string, schoolId?: string) {
  const idNumber = normaliseIdNumber(proof.idNumber);
  const accountKey = `${purpose}:${idNumber}`;
  await assertNotThrottled(ctx.db, ctx.clock, accountKey, source);
  let query = ctx.db
    .selectFrom('students')
    .select(['id', 'education_id'])
    .where('id_number', '=', idNumber)
    .where('name', '=', proof.name.trim())
    .where('birth_date', '=', proof.birthDate);
  if (schoolId) query = query.where('school_id', '=', schoolId);
  const student = await query.executeTakeFirst();
  await recordAttempt(ctx.db, ctx.clock, accountKey, source, student !== undefined);
  // Most failed resets are typos in names (seed 001): say so, but not which field was wrong.
  if (!student) throw fail('IDENTITY_NOT_VERIFIED');
  return student;
}

/** Forgot password: verified identity details, then a new password of the student's choosing. */
export async function resetStudentPassword(ctx: AppContext, request: StudentIdentityProof & { newPassword: string }, meta: Meta): Promise<void> {
  const verdict = checkAccountPassword(request.newPassword);
  if (!verdict.ok) throw fail(verdict.code);
  const student = await verifyStudentIdentity(ctx, request, 'reset-student', meta.source);
  const newHash = await hashPassword(request.newPassword);
  await inTransaction(ctx.db, async (tx) => {
    await tx.updateTable('students').set({ password_hash: newHash, must_change_password: false, updated_at: ctx.clock.now() }).where('id', '=', student.id).execute();
    await tx.updateTable('sessions').set({ revoked_at: ctx.clock.now() }).where('subject_id', '=', student.id).where('revoked_at', 'is', null).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: 'anonymous', id: null }, action: 'password.reset', entityType: 'account', entityId: student.id, after: { by: 'identity-details' }, requestId: meta.requestId });
  });
}

/** Find my education ID: name + ID number + birth date + school gives the 8-digit ID. */
export async function findEducationId(ctx: AppContext, request: StudentIdentityProof & { schoolId: string }, meta: Meta): Promise<{ educationId: string }> {
  const student = await verifyStudentIdentity(ctx, request, 'find-education-id', meta.source, request.schoolId);
  await recordAudit(ctx.db, ctx.clock, { actor: { role: 'anonymous', id: null }, action: 'education_id.recovered', entityType: 'student', entityId: student.id, requestId: meta.requestId });
  return { educationId: student.education_id };
}

const codeTtlMs = 10 * 60_000;
const maxCodeTries = 5;
const codePurpose = 'parent-password-reset';

function hashCode(ctx: AppContext, phone: string, code: string): string {
  return createHmac('sha256', ctx.config.secrets.sessionSecret).update(`${phone}:${code}`).digest('hex');
}

/**
 * Sends a one-time code to a parent's phone. The answer is the same whether or not the phone
 * has an account, so this cannot be used to find out who is a parent.
 */
export async function requestParentResetCode(ctx: AppContext, phone: string, meta: Meta): Promise<void> {
  await assertNotThrottled(ctx.db, ctx.clock, `otp:${phone}`, meta.source);
  // Every request counts as a failure for throttling: six codes in a row to one phone must wait.
  await recordAttempt(ctx.db, ctx.clock, `otp:${phone}`, meta.source, false);
  const parent = await ctx.db.selectFrom('parents').select('id').where('phone', '=', phone).executeTakeFirst();
  if (!parent) return;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await tx.insertInto('one_time_codes').values({ id: newId(), phone, purpose: codePurpose, code_hash: hashCode(ctx, phone, code), expires_at: new Date(now.getTime() + codeTtlMs), consumed_at: null, created_at: now }).execute();
    await ctx.sms.send(tx, { phone, body: `【Onecard】您正在重置密码，验证码 ${code}，10 分钟内有效。如非本人操作请忽略。` });
  });
}

/** The parent's new password, accepted with the latest unexpired code (five tries per code). */
export async function resetParentPassword(ctx: AppContext, request: { phone: string; code: string; newPassword: string }, meta: Meta): Promise<void> {
  const verdict = checkAccountPassword(request.newPassword);
  if (!verdict.ok) throw fail(verdict.code);
  const now = ctx.clock.now();
  const latest = await ctx.db
    .selectFrom('one_time_codes')
    .selectAll()
    .where('phone', '=', request.phone)
    .where('purpose', '=', codePurpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest || latest.attempts >= maxCodeTries) throw fail('OTP_INVALID');
  const given = Buffer.from(hashCode(ctx, request.phone, request.code));
  if (!timingSafeEqual(given, Buffer.from(latest.code_hash))) {
    await ctx.db.updateTable('one_time_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', latest.id).execute();
    throw fail('OTP_INVALID');
  }
  const newHash = await hashPassword(request.newPassword);
  await inTransaction(ctx.db, async (tx) => {
    const parent = await tx.selectFrom('parents').select('id').where('phone', '=', request.phone).executeTakeFirstOrThrow();
    await tx.updateTable('one_time_codes').set({ consumed_at: now }).where('id', '=', latest.id).execute();
    await tx.updateTable('parents').set({ password_hash: newHash, must_change_password: false }).where('id', '=', parent.id).execute();
    await tx.updateTable('sessions').set({ revoked_at: now }).where('subject_id', '=', parent.id).where('revoked_at', 'is', null).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: 'anonymous', id: null }, action: 'password.reset', entityType: 'account', entityId: parent.id, after: { by: 'sms-code' }, requestId: meta.requestId });
  });
}
