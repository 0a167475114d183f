import { assertStudentAccess } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/database.js';
import { timingSafeEqual } from 'node:crypto';
import { checkAccountPassword, checkQueryPassword, initialCampusPassword, initialStudentPassword } from '../../domain/passwords.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { hashPassword, hashPin, verifyPassword, verifyPin } from '../../platform/passwords.js';
import { attemptAccountKey } from './login.js';
import { assertNotThrottled, clearFailures, recordAttempt } from './throttle.js';

/** The password a session may change, with what it is checked against now. */
interface CurrentPassword {
  hash: string | null;
  initial: string | null;
  /** The rule the new password must pass. */
  check: (p: string) => { ok: true } | { ok: false; code: string };
}

async function currentPasswordOf(ctx: AppContext, caller: Caller): Promise<CurrentPassword> {
  if (caller.role === 'student') {
    const s = await ctx.db.selectFrom('students').select(['birth_date', 'id_number', 'password_hash', 'campus_password_hash']).where('id', '=', caller.subjectId).executeTakeFirstOrThrow();
    if (caller.loginKind === 'campus') {
      const initial = initialCampusPassword(s.id_number);
      return { hash: s.campus_password_hash, initial, check: (p) => checkQueryPassword(p, initial) };
    }
    return { hash: s.password_hash, initial: initialStudentPassword(s.birth_date), check: checkAccountPassword };
  }
  const table = caller.role === 'parent' ? 'parents' : 'staff_users';
  const row = await ctx.db.selectFrom(table).select('password_hash').where('id', '=', caller.subjectId).executeTakeFirstOrThrow();
  return { hash: row.password_hash, initial: null, check: checkAccountPassword };
}

/** The stored hash when there is one, else the initial password still in force (decision 0003). */
async function matches(current: Pick<CurrentPassword, 'hash' | 'initial'>, given: string): Promise<boolean> {
  if (current.hash) return verifyPassword(current.hash, given);
  if (!current.initial) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(current.initial);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Changes the signed-in person's password: the account password, or for a campus session the
 * 6-digit query password. Other sessions of the same person are signed out.
 */
export async function changePassword(ctx: AppContext, caller: Caller, request: { currentPassword: string; newPassword: string }, source: string, requestId: string): Promise<void> {
  await verifyOwnPassword(ctx, caller, request.currentPassword, source);
  const current = await currentPasswordOf(ctx, caller);
  const verdict = current.check(request.newPassword);
  if (!verdict.ok) throw fail(verdict.code);
  const newHash = await hashPassword(request.newPassword);
  await inTransaction(ctx.db, async (tx) => {
    if (caller.role === 'student' && caller.loginKind === 'campus') {
      await tx.updateTable('students').set({ campus_password_hash: newHash, campus_must_change: false, updated_at: ctx.clock.now() }).where('id', '=', caller.subjectId).execute();
    } else if (caller.role === 'student') {
      await tx.updateTable('students').set({ password_hash: newHash, must_change_password: false, updated_at: ctx.clock.now() }).where('id', '=', caller.subjectId).execute();
    } else {
      await tx.updateTable(caller.role === 'parent' ? 'parents' : 'staff_users').set({ password_hash: newHash, must_change_password: false }).where('id', '=', caller.subjectId).execute();
    }
    await tx.updateTable('sessions').set({ revoked_at: ctx.clock.now() }).where('subject_id', '=', caller.subjectId).where('id', '!=', caller.sessionId).where('revoked_at', 'is', null).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: caller.loginKind === 'campus' ? 'campus_password.changed' : 'password.changed', entityType: 'account', entityId: caller.subjectId, requestId });
  });
}

/**
 * The signed-in person's own password, asked again before what a session alone must not do (the
 * data export). Throttled like sign-in, on a budget of its own.
 */
export async function verifyOwnPassword(ctx: AppContext, caller: Caller, given: string, source: string): Promise<void> {
  const key = `own-password:${caller.subjectId}`;
  await assertNotThrottled(ctx.db, ctx.clock, key, source);
  const ok = await matches(await currentPasswordOf(ctx, caller), given);
  await recordAttempt(ctx.db, ctx.clock, key, source, ok);
  if (ok) return;
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'own_password.failed', entityType: 'account', entityId: caller.subjectId, after: { source }, requestId: null });
  throw fail('PASSWORD_WRONG');
}

/**
 * Sets a university student's consumption password (the PIN asked for purchases over the
 * limit). Only a kiosk may do it, after checking the student's card and ID in person.
 */
export async function setConsumptionPin(ctx: AppContext, kiosk: Caller, studentId: string, newPin: string, requestId: string): Promise<void> {
  if (kiosk.role !== 'kiosk') throw fail('PASSWORD_CHANGE_CHANNEL');
  const student = await ctx.db.selectFrom('students').select(['id_number', 'school_id', 'stage']).where('id', '=', studentId).executeTakeFirst();
  if (!student || (kiosk.schoolId && student.school_id !== kiosk.schoolId)) throw fail('NOT_FOUND', { entity: 'student' });
  const verdict = checkQueryPassword(newPin, initialCampusPassword(student.id_number));
  if (!verdict.ok) throw fail(verdict.code);
  const pinHash = await hashPin(newPin, ctx.config.secrets.pinPepper);
  await inTransaction(ctx.db, async (tx) => {
    await tx.updateTable('students').set({ campus_pin_hash: pinHash, updated_at: ctx.clock.now() }).where('id', '=', studentId).execute();
    // Set in person at the kiosk: the guessing that brought the student there no longer locks the till.
    await clearFailures(tx, [campusSecretAttemptKey(studentId)]);
    await recordAudit(tx, ctx.clock, { actor: { role: kiosk.role, id: kiosk.subjectId }, action: 'consumption_pin.changed', entityType: 'student', entityId: studentId, requestId });
  });
}

/**
 * Where a student's campus secrets are counted when a flow asks for them (a top-up or payment
 * code asks for the query password, the canteen for the consumption password): one budget for
 * both, since they start as the same six digits.
 */
export const campusSecretAttemptKey = (studentId: string) => `campus-secret:${studentId}`;

/**
 * A campus secret checked in a flow: throttled like sign-in, every failure audited (never the
 * secret itself). Runs on the database, outside the request's transaction, so a failure is
 * remembered even though the request fails.
 */
async function checkCampusSecret(ctx: AppContext, studentId: string, secret: 'query_password' | 'consumption_pin', matched: () => Promise<boolean>, source: string): Promise<void> {
  const accountKey = campusSecretAttemptKey(studentId);
  await assertNotThrottled(ctx.db, ctx.clock, accountKey, source);
  const ok = await matched();
  await recordAttempt(ctx.db, ctx.clock, accountKey, source, ok);
  if (ok) return;
  await recordAudit(ctx.db, ctx.clock, { actor: { role: 'anonymous', id: null }, action: `campus.${secret}.failed`, entityType: 'student', entityId: studentId, after: { source }, requestId: null });
  throw fail(secret === 'query_password' ? 'QUERY_PASSWORD_WRONG' : 'CONSUMPTION_PIN_WRONG');
}

/**
 * Checks a university student's campus query password where a flow asks for it (seed 004: a
 * campus card top-up asks for the amount and the query password; so does the payment code, and
 * the campus network's sign-on).
 *
 * The initial query password is the last six of the ID number, which classmates may know: it
 * signs the student in (and then must be changed, 登录后需及时修改个人查询密码), but moves no
 * money. It is refused only once it has matched, so the refusal tells nothing to a guesser.
 */
export async function verifyQueryPassword(ctx: AppContext, studentId: string, given: string | undefined, source: string): Promise<void> {
  if (!given) throw fail('QUERY_PASSWORD_REQUIRED');
  let stillInitial = false;
  await checkCampusSecret(ctx, studentId, 'query_password', async () => {
    const s = await ctx.db.selectFrom('students').select(['id_number', 'campus_password_hash']).where('id', '=', studentId).executeTakeFirstOrThrow();
    stillInitial = s.campus_password_hash === null;
    return matches({ hash: s.campus_password_hash, initial: initialCampusPassword(s.id_number) }, given);
  }, source);
  if (stillInitial) throw fail('QUERY_PASSWORD_INITIAL');
}

/**
 * Checks the consumption password a canteen POS asks for above the per-purchase limit (seed 004:
 * initially the last six of the ID number, like the query password; changed only at a kiosk).
 */
export async function verifyConsumptionPin(ctx: AppContext, studentId: string, given: string | undefined, source: string): Promise<void> {
  if (!given) throw fail('CONSUMPTION_PIN_REQUIRED');
  await checkCampusSecret(ctx, studentId, 'consumption_pin', async () => {
    const s = await ctx.db.selectFrom('students').select(['id_number', 'campus_pin_hash']).where('id', '=', studentId).executeTakeFirstOrThrow();
    return s.campus_pin_hash ? verifyPin(s.campus_pin_hash, given, ctx.config.secrets.pinPepper) : matches({ hash: null, initial: initialCampusPassword(s.id_number) }, given);
  }, source);
}

/**
 * A university student who forgot the query password goes to the campus card service centre
 * with their ID card: the staff there (a card manager of the school, an operator, or the
 * centre's kiosk) put the initial query password back (the last six of the ID number), which
 * must be changed at the next sign-in, sign the student's campus sessions out and lift the
 * throttling its failed sign-ins built up, so the student can sign in there and then. It is never
 * reset online: the query password also authorises the payment code.
 */
export async function resetQueryPassword(ctx: AppContext, staff: Caller, studentId: string, requestId: string): Promise<void> {
  await assertStudentAccess(ctx.db, staff, studentId);
  const student = await ctx.db.selectFrom('students').select(['stage', 'student_no', 'id_number']).where('id', '=', studentId).executeTakeFirst();
  if (!student) throw fail('NOT_FOUND', { entity: 'student' });
  if (student.stage !== 'university' && student.stage !== 'vocational') throw fail('CAMPUS_ACCOUNT_NONE', { studentId });
  // A campus sign-in is by student number or ID number (login.ts keys attempts by either).
  const campusLogins = [student.student_no, student.id_number].flatMap((login) => (login ? [attemptAccountKey('campus', login)] : []));
  campusLogins.push(campusSecretAttemptKey(studentId));
  await inTransaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    // No hash means the initial password is in force (decision 0003).
    await tx.updateTable('students').set({ campus_password_hash: null, campus_must_change: true, updated_at: now }).where('id', '=', studentId).execute();
    await tx.updateTable('sessions').set({ revoked_at: now }).where('subject_id', '=', studentId).where('login_kind', '=', 'campus').where('revoked_at', 'is', null).execute();
    await clearFailures(tx, campusLogins);
    await recordAudit(tx, ctx.clock, { actor: { role: staff.role, id: staff.subjectId }, action: 'campus_password.reset', entityType: 'account', entityId: studentId, after: { to: 'initial' }, requestId });
  });
}
