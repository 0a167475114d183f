import { inTransaction } from '../../platform/db/database.js';
import { isIsoDate, shanghaiDate } from '../../domain/calendar.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { assertStudentAccess } from '../../platform/access.js';

/** What a guardian can consent to; the e-card opening asks for 'nfc_ecard'. */
export const consentPurposes = ['nfc_ecard', 'photo', 'data_processing'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

/** PIPL art. 31: a child under 14 needs a guardian's consent. Birthdays count in Beijing time. */
export function needsGuardianConsent(birthDate: string, today: string): boolean {
  const candidate = `${Number(birthDate.slice(0, 4)) + 14}${birthDate.slice(4)}`;
  // A 29 February birthday turns 14 on 1 March in a common year.
  const fourteenth = isIsoDate(candidate) ? candidate : `${candidate.slice(0, 4)}-03-01`;
  return today < fourteenth;
}

export async function grantConsent(ctx: AppContext, parent: Caller, studentId: string, purpose: ConsentPurpose, requestId: string) {
  if (parent.role !== 'parent') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, parent, studentId);
  const student = await ctx.db.selectFrom('students').select('birth_date').where('id', '=', studentId).executeTakeFirstOrThrow();
  if (!needsGuardianConsent(student.birth_date, shanghaiDate(ctx.clock.now()))) throw fail('CONSENT_NOT_NEEDED');
  return inTransaction(ctx.db, async (tx) => {
    const existing = await activeConsent(tx, studentId, purpose);
    if (existing) return { consentId: existing.id, grantedAt: existing.granted_at.toISOString() };
    const consent = { id: newId(), student_id: studentId, parent_id: parent.subjectId, purpose, granted_at: ctx.clock.now(), revoked_at: null };
    await tx.insertInto('guardian_consents').values(consent).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: 'parent', id: parent.subjectId }, action: 'consent.granted', entityType: 'student', entityId: studentId, after: { purpose }, requestId });
    return { consentId: consent.id, grantedAt: consent.granted_at.toISOString() };
  });
}

export async function revokeConsent(ctx: AppContext, parent: Caller, studentId: string, purpose: ConsentPurpose, requestId: string): Promise<void> {
  if (parent.role !== 'parent') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, parent, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const revoked = await tx.updateTable('guardian_consents').set({ revoked_at: ctx.clock.now() }).where('student_id', '=', studentId).where('purpose', '=', purpose).where('revoked_at', 'is', null).returning('id').execute();
    if (revoked.length === 0) throw fail('NOT_FOUND', { entity: 'consent' });
    await recordAudit(tx, ctx.clock, { actor: { role: 'parent', id: parent.subjectId }, action: 'consent.revoked', entityType: 'student', entityId: studentId, before: { purpose }, requestId });
  });
}

function activeConsent(db: DbOrTx, studentId: string, purpose: ConsentPurpose) {
  return db.selectFrom('guardian_consents').selectAll().where('student_id', '=', studentId).where('purpose', '=', purpose).where('revoked_at', 'is', null).executeTakeFirst();
}

/** For other modules (e-cards): true when the student is 14+ or a bound guardian consented. */
export async function hasRequiredConsent(db: DbOrTx, studentId: string, purpose: ConsentPurpose, today: string): Promise<boolean> {
  const student = await db.selectFrom('students').select('birth_date').where('id', '=', studentId).executeTakeFirstOrThrow();
  if (!needsGuardianConsent(student.birth_date, today)) return true;
  return (await activeConsent(db, studentId, purpose)) !== undefined;
}

export async function listConsents(ctx: AppContext, caller: Caller, studentId: string) {
  await assertStudentAccess(ctx.db, caller, studentId);
  const student = await ctx.db.selectFrom('students').select('birth_date').where('id', '=', studentId).executeTakeFirstOrThrow();
  const rows = await ctx.db.selectFrom('guardian_consents').selectAll().where('student_id', '=', studentId).orderBy('granted_at').execute();
  return {
    needsGuardianConsent: needsGuardianConsent(student.birth_date, shanghaiDate(ctx.clock.now())),
    consents: rows.map((r) => ({ id: r.id, purpose: r.purpose, parentId: r.parent_id, grantedAt: r.granted_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null })),
  };
}
