import { shanghaiDate } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { initialConfirmationStatus, nextConfirmationStatus, printingStatuses } from '../../domain/fulfilment-lifecycle.js';
import { assertSchoolAccess, assertStudentAccess, consoleListScope } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import { assertCorrectionsComplete, assertK12Stage, cardFaceOf, confirmationStatusLabels } from './card-face.js';
import './fulfilment.errors.js';
import type { ConfirmationDto, ConfirmationStatus, Correction } from './fulfilment.schemas.js';
import { openFirstCard } from './first-card.js';
import { identityRepository } from '../identity/identity.repository.js';
import { fulfilmentRepository as repo, type ConfirmationRow } from './fulfilment.repository.js';

/**
 * 制卡信息确认 (seed 001): before a card is produced the student or a parent checks every printed
 * field and the photo and confirms, or reports what is wrong; the school card manager fixes the
 * record and the student confirms again. Only a confirmed record goes to production.
 */

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

async function view(db: DbOrTx, clock: Clock, row: ConfirmationRow): Promise<ConfirmationDto> {
  const source = await repo.faceSource(db, row.student_id);
  if (!source) throw fail('NOT_FOUND', { entity: 'student', studentId: row.student_id });
  return {
    id: row.id,
    studentId: row.student_id,
    schoolId: row.school_id,
    status: row.status,
    statusLabel: confirmationStatusLabels[row.status],
    face: cardFaceOf(source, shanghaiDate(clock.now())),
    corrections: row.corrections.map((c) => ({ field: c.field, correctValue: c.correctValue, note: c.note })),
    round: row.round,
    fixNote: row.fix_note,
    confirmedAt: row.confirmed_at?.toISOString() ?? null,
    reportedAt: row.reported_at?.toISOString() ?? null,
    fixedAt: row.fixed_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Opens a pending record for the student if there is none (a replacement needs its card information confirmed). */
export async function ensureConfirmation(tx: DbOrTx, clock: Clock, student: { id: string; school_id: string }): Promise<void> {
  const now = clock.now();
  await repo.insertConfirmationIfAbsent(tx, { id: newId(), student_id: student.id, school_id: student.school_id, status: initialConfirmationStatus, corrections: '[]', created_at: now, updated_at: now });
}

function studentOf(caller: Caller, studentId: string | undefined): string {
  if (studentId) return studentId;
  if (caller.role === 'student') return caller.subjectId;
  throw fail('VALIDATION_FAILED', { field: 'studentId', reason: 'required' });
}

/** The student's card information is confirmed only for a K-12 card (FULFILMENT_NOT_K12). */
async function assertK12Student(db: DbOrTx, studentId: string): Promise<void> {
  const source = await repo.faceSource(db, studentId);
  if (source) assertK12Stage(source.stage);
}

export async function getConfirmation(ctx: AppContext, caller: Caller, studentId: string | undefined): Promise<ConfirmationDto> {
  const id = studentOf(caller, studentId);
  await assertStudentAccess(ctx.db, caller, id);
  await assertK12Student(ctx.db, id);
  const row = await repo.confirmationOfStudent(ctx.db, id);
  if (!row) throw fail('FULFILMENT_CONFIRMATION_NOT_FOUND', { studentId: id });
  return view(ctx.db, ctx.clock, row);
}

async function lockAccessible(ctx: AppContext, caller: Caller, confirmationId: string): Promise<ConfirmationRow> {
  const row = await repo.lockConfirmation(ctx.db, confirmationId);
  if (!row) throw fail('FULFILMENT_CONFIRMATION_NOT_FOUND', { confirmationId });
  await assertStudentAccess(ctx.db, caller, row.student_id);
  await assertK12Student(ctx.db, row.student_id);
  return row;
}

/**
 * 确认无误: the student or a parent confirms the printed fields and the photo; a record with errors
 * reported waits for the school first, and so does one without a photo (the card photo is an
 * identity check: FULFILMENT_PHOTO_MISSING until the school has taken it).
 */
export async function confirmCardInfo(ctx: AppContext, caller: Caller, confirmationId: string, requestId: string): Promise<ConfirmationDto> {
  const row = await lockAccessible(ctx, caller, confirmationId);
  const status = nextConfirmationStatus(row.status, 'confirm');
  const now = ctx.clock.now();
  const source = await repo.faceSource(ctx.db, row.student_id);
  if (!source?.has_photo) throw fail('FULFILMENT_PHOTO_MISSING', { studentId: row.student_id });
  await repo.updateConfirmation(ctx.db, row.id, { status, confirmed_at: now, confirmed_by: `${caller.role}:${caller.subjectId}`, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.confirmation.confirmed', entityType: 'card_confirmation', entityId: row.id, before: { status: row.status }, after: { status, face: cardFaceOf(source, shanghaiDate(now)) }, requestId });
  return view(ctx.db, ctx.clock, { ...row, status, confirmed_at: now, updated_at: now });
}

/** 信息有误: the fields that are wrong, each with what it should say (the photo: a note); the school card manager sees them in the queue. */
export async function reportCardErrors(ctx: AppContext, caller: Caller, confirmationId: string, corrections: Correction[], requestId: string): Promise<ConfirmationDto> {
  assertCorrectionsComplete(corrections);
  const row = await lockAccessible(ctx, caller, confirmationId);
  nextConfirmationStatus(row.status, 'report'); // a record already reported is refused before anything is looked up
  // A confirmed record may still be reopened while no card is in production for the student.
  const busy = row.status === 'confirmed' && (await ctx.db.selectFrom('card_applications').select('id').where('student_id', '=', row.student_id).where('status', 'in', printingStatuses).executeTakeFirst()) !== undefined;
  const status = nextConfirmationStatus(row.status, 'report', { cardInProduction: busy });
  const now = ctx.clock.now();
  await repo.updateConfirmation(ctx.db, row.id, { status, corrections: JSON.stringify(corrections), reported_at: now, confirmed_at: null, confirmed_by: null, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.confirmation.reported', entityType: 'card_confirmation', entityId: row.id, before: { status: row.status }, after: { status, fields: corrections.map((c) => c.field) }, requestId });
  return view(ctx.db, ctx.clock, { ...row, status, corrections, reported_at: now, confirmed_at: null, updated_at: now });
}

/**
 * The school card manager fixes the record: a name or gender is corrected on the student record
 * itself (photos through the student photo endpoint), and the student must confirm again.
 */
export async function fixCardInfo(ctx: AppContext, caller: Caller, confirmationId: string, fix: { name?: string | undefined; gender?: 'M' | 'F' | undefined; note: string }, requestId: string): Promise<ConfirmationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await repo.lockConfirmation(tx, confirmationId);
    if (!row) throw fail('FULFILMENT_CONFIRMATION_NOT_FOUND', { confirmationId });
    assertSchoolAccess(caller, row.school_id);
    const status = nextConfirmationStatus(row.status, 'fix');
    const now = ctx.clock.now();
    const before = await repo.faceSource(tx, row.student_id);
    const patch = { ...(fix.name ? { name: fix.name } : {}), ...(fix.gender ? { gender: fix.gender } : {}) };
    if (Object.keys(patch).length > 0) {
      await repo.updateStudentFace(tx, row.student_id, patch, now);
      await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'student.corrected', entityType: 'student', entityId: row.student_id, before: { name: before?.name, gender: before?.gender }, after: patch, requestId });
    }
    await repo.updateConfirmation(tx, row.id, { status, round: row.round + 1, fix_note: fix.note, fixed_at: now, updated_at: now });
    await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.confirmation.fixed', entityType: 'card_confirmation', entityId: row.id, before: { status: row.status }, after: { status, note: fix.note, fields: Object.keys(patch) }, requestId });
    // Seed 001: "待错误修改完成后，重新进行制卡信息确认": the family is told it is their turn again.
    // The note stays in the app (it may name the student in full); the text says only that it is their turn.
    await textParents(tx, ctx, row.student_id, (name) => `【北京通学生卡】学校已更正${name}的制卡信息，请在 App 中重新进行制卡信息确认。`);
    return view(tx, ctx.clock, { ...row, status, round: row.round + 1, fix_note: fix.note, fixed_at: now, updated_at: now });
  });
}

/**
 * New cards (新生制卡): opens a pending record for each enrolled student of the school that has
 * none; and for each student of a K-12 school without a card, a first-card application that goes
 * to production once the record is confirmed (free, delivered to the school, activated by the
 * holder after pickup), whose family is texted to check the card information.
 */
export async function openConfirmations(ctx: AppContext, caller: Caller, schoolId: string, requestId: string): Promise<{ opened: number; newCards: number }> {
  assertSchoolAccess(caller, schoolId);
  const stage = await repo.schoolStage(ctx.db, schoolId);
  if (stage !== undefined) assertK12Stage(stage);
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockSchool(tx, schoolId);
    const students = await repo.studentsWithoutConfirmation(tx, schoolId);
    for (const s of students) await ensureConfirmation(tx, ctx.clock, s);
    const newcomers = await repo.studentsNeedingFirstCard(tx, schoolId);
    for (const s of newcomers) {
      await openFirstCard(tx, ctx.clock, caller, s, requestId);
      await textParents(tx, ctx, s.id, (name) => `【北京通学生卡】请在 App「制卡信息确认」中核对${name}的制卡信息和照片，确认无误后点击确认；有误请点击信息有误。`);
    }
    await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.confirmation.opened', entityType: 'school', entityId: schoolId, after: { opened: students.length, newCards: newcomers.length }, requestId });
    return { opened: students.length, newCards: newcomers.length };
  });
}

/** Texts the student's bound parents, the student's name masked as on every screen. */
async function textParents(tx: DbOrTx, ctx: AppContext, studentId: string, body: (maskedName: string) => string): Promise<void> {
  const source = await repo.faceSource(tx, studentId);
  const text = body(maskName(source?.name ?? ''));
  for (const phone of await identityRepository.parentPhones(tx, studentId)) await ctx.sms.send(tx, { phone, body: text });
}

/** The console queue: a card manager sees their school; an operator all (or one school). */
export async function listConfirmations(ctx: AppContext, caller: Caller, filter: { status?: ConfirmationStatus | undefined; schoolId?: string | undefined }, page: PageQuery) {
  const { rows, total } = await repo.confirmationPage(ctx.db, { schoolId: consoleListScope(caller, filter.schoolId), status: filter.status }, offsetOf(page), page.pageSize);
  const items = [];
  for (const row of rows) {
    const v = await view(ctx.db, ctx.clock, row);
    items.push({ ...v, face: { ...v.face, name: v.face.nameMasked }, schoolName: v.face.schoolName });
  }
  return { items, total, page: page.page, pageSize: page.pageSize };
}

/**
 * The student moved to another school (in the transaction that moves them): their card information
 * record goes to the new school and waits for the family to confirm it again, since the school is
 * printed on the card. Until then no card under way for them goes into a batch.
 */
export async function transferConfirmation(tx: DbOrTx, clock: Clock, studentId: string, schoolId: string, actor: { role: string; id: string | null }, requestId: string | null): Promise<void> {
  const found = await repo.confirmationOfStudent(tx, studentId);
  const row = found && (await repo.lockConfirmation(tx, found.id));
  if (!row || row.school_id === schoolId) return;
  const status = nextConfirmationStatus(row.status, 'transfer');
  await repo.updateConfirmation(tx, row.id, { school_id: schoolId, status, confirmed_at: null, confirmed_by: null, updated_at: clock.now() });
  await recordAudit(tx, clock, { actor, action: 'fulfilment.confirmation.transferred', entityType: 'card_confirmation', entityId: row.id, before: { status: row.status, schoolId: row.school_id }, after: { status, schoolId }, requestId });
}
