import type { Caller } from './auth.js';
import type { DbOrTx } from './db/database.js';
import { fail } from './errors.js';

/**
 * The one answer to "may this caller touch this student / school": a student only
 * themself, a parent only bound children, a card manager only their school's students,
 * an operator everyone. Every read and write of a student's data goes through here.
 */
export async function mayAccessStudent(db: DbOrTx, caller: Caller, studentId: string): Promise<boolean> {
  switch (caller.role) {
    case 'operator':
      return studentExists(db, studentId);
    case 'student':
      return caller.subjectId === studentId;
    case 'parent': {
      const binding = await db
        .selectFrom('parent_students')
        .select('student_id')
        .where('parent_id', '=', caller.subjectId)
        .where('student_id', '=', studentId)
        .executeTakeFirst();
      return binding !== undefined;
    }
    case 'school_admin':
    case 'kiosk': {
      if (!caller.schoolId) return caller.role === 'kiosk' && studentExists(db, studentId);
      const student = await db.selectFrom('students').select('school_id').where('id', '=', studentId).executeTakeFirst();
      return student?.school_id === caller.schoolId;
    }
    default:
      return false;
  }
}

/**
 * A setting only a parent bound to the child makes (余额提醒, 消费提醒, 每日消费限额: they text the
 * parent's phone or bind the child): anyone else is refused with `notParent`.
 */
export async function assertBoundParent(db: DbOrTx, caller: Caller, studentId: string, notParent: string): Promise<void> {
  if (caller.role !== 'parent') throw fail(notParent);
  await assertStudentAccess(db, caller, studentId);
}

/**
 * Holds the binding for the rest of the transaction (unbinding waits), so a setting made for a
 * child cannot be left behind by an unbinding racing it. BINDING_NOT_FOUND when it has ended.
 */
export async function lockBinding(tx: DbOrTx, parentId: string, studentId: string): Promise<void> {
  const binding = await tx.selectFrom('parent_students').select('parent_id').where('parent_id', '=', parentId).where('student_id', '=', studentId).forKeyShare().executeTakeFirst();
  if (!binding) throw fail('BINDING_NOT_FOUND');
}

export function mayAccessSchool(caller: Caller, schoolId: string): boolean {
  if (caller.role === 'operator') return true;
  if (caller.role === 'school_admin' || caller.role === 'kiosk') return caller.schoolId === schoolId;
  return false;
}

/** Whether the student exists: a caller who may touch every student is refused only one that does not. */
async function studentExists(db: DbOrTx, studentId: string): Promise<boolean> {
  return (await db.selectFrom('students').select('id').where('id', '=', studentId).executeTakeFirst()) !== undefined;
}

export async function assertStudentAccess(db: DbOrTx, caller: Caller, studentId: string): Promise<void> {
  if (await mayAccessStudent(db, caller, studentId)) return;
  // An operator may touch every student, so the refusal can only mean there is no such student.
  if (caller.role === 'operator') throw fail('NOT_FOUND', { entity: 'student', studentId });
  // No details: the student is often found from a card or an order the caller named, and saying it back would tell whose that is.
  throw fail('ACCESS_DENIED');
}

export function assertSchoolAccess(caller: Caller, schoolId: string): void {
  // No details, as for a student: the school is often a record's (a repair's, a parcel's) that the caller named by its id, and saying it back would tell where that record's student is.
  if (!mayAccessSchool(caller, schoolId)) throw fail('ACCESS_DENIED');
}

/**
 * The school a console list is narrowed to: a card manager's own, whatever is asked; the one an
 * operator picks, or undefined for every school.
 */
export function consoleListScope(caller: Caller, schoolId: string | undefined): string | undefined {
  if (caller.role === 'operator') return schoolId;
  if (!caller.schoolId) throw fail('FORBIDDEN');
  return caller.schoolId;
}

/** The students a caller may list: null means all (operators). */
export async function accessibleStudentIds(db: DbOrTx, caller: Caller): Promise<string[] | null> {
  switch (caller.role) {
    case 'operator':
      return null;
    case 'student':
      return [caller.subjectId];
    case 'parent': {
      const rows = await db.selectFrom('parent_students').select('student_id').where('parent_id', '=', caller.subjectId).execute();
      return rows.map((r) => r.student_id);
    }
    case 'school_admin':
    case 'kiosk': {
      if (!caller.schoolId) return [];
      const rows = await db.selectFrom('students').select('id').where('school_id', '=', caller.schoolId).execute();
      return rows.map((r) => r.id);
    }
    default:
      return [];
  }
}
