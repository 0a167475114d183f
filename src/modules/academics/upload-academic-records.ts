import { createHash } from 'node:crypto';
import { isMonday, isTermCode, termLastDay } from '../../domain/teaching-weeks.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { billingSchoolOf } from '../campus/school-bill-issue.js';
import { readRosterTable } from '../roster/parse-roster.js';
import {
  academicRowProblem, gradeFileCells, readGradeRows, readTimetableRows, timetableFileCells,
  type AcademicRowProblem, type Cells, type GradeField, type Read, type TimetableField,
} from './academic-rows.js';
import './academics.errors.js';
import { academicsRepository as repo, type TermRow } from './academics.repository.js';
import type { ClearResultDto, TermDto, UploadResultDto } from './academics.schemas.js';

/**
 * The university's 教务系统 owns timetables and grades; Onecard shows them (decision 0011). It
 * pushes them per school and term, through the OpenAPI (as a card manager's or operator's account
 * of the school) or as a CSV in the console. An upload replaces the term's timetable or grades
 * whole, in the request's transaction under the term's lock: every bad row is reported (row,
 * field, code, zh / en) and nothing is written until all are right. The same content again (in
 * any order) is recognised by its hash and rewrites nothing. Every upload is audited, the
 * unchanged ones too.
 */

export const maxAcademicRows = 50_000;

export const termView = (t: Pick<TermRow, 'code' | 'first_monday' | 'weeks'>): TermDto => ({ code: t.code, firstMonday: t.first_monday, weeks: t.weeks, lastDay: termLastDay(t.first_monday, t.weeks) });

/** The university the console or the integration acts for (a K-12 school has no timetables here). */
export const academicSchoolOf = (ctx: AppContext, caller: Caller, schoolId: string | undefined): Promise<string> => billingSchoolOf(ctx, caller, schoolId);

const actorOf = (caller: Caller): AuditActor => ({ role: caller.role, id: caller.subjectId });

/** Registers a term (its first Monday and teaching weeks), or corrects it. */
export async function saveTerm(ctx: AppContext, caller: Caller, schoolId: string | undefined, code: string, input: { firstMonday: string; weeks: number }, requestId: string): Promise<TermDto> {
  const school = await academicSchoolOf(ctx, caller, schoolId);
  if (!isTermCode(code) || !isMonday(input.firstMonday)) throw fail('ACADEMIC_TERM_INVALID', { termCode: code, firstMonday: input.firstMonday });
  // Under the term's lock (in the request's transaction): an upload waits, then checks its weeks against the term as saved.
  const before = await repo.lockTerm(ctx.db as Tx, school, code);
  if (before && input.weeks < before.weeks) {
    const used = await repo.lastWeekUsed(ctx.db, before.id);
    if (used > input.weeks) throw fail('ACADEMIC_TERM_WEEKS_IN_USE', { weeks: input.weeks, lastWeekUsed: used });
  }
  const now = ctx.clock.now();
  const saved = await repo.saveTerm(ctx.db, { id: newId(), school_id: school, code, first_monday: input.firstMonday, weeks: input.weeks, created_at: now, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, {
    actor: actorOf(caller), action: 'academic.term.saved', entityType: 'school', entityId: school,
    before: before ? { termCode: code, firstMonday: before.first_monday, weeks: before.weeks } : null, after: { termCode: code, ...input }, requestId,
  });
  return termView(saved);
}

/** The school's terms with what has been uploaded for each, for the console. */
export async function schoolTerms(ctx: AppContext, caller: Caller, schoolId: string | undefined) {
  const school = await academicSchoolOf(ctx, caller, schoolId);
  const [terms, counts] = await Promise.all([repo.terms(ctx.db, school), repo.termCounts(ctx.db, school)]);
  const countOf = (rows: { term_id: string; rows: string; students: string }[], termId: string) => rows.find((r) => r.term_id === termId);
  return terms.reverse().map((t) => {
    const timetable = countOf(counts.timetable, t.id);
    const grades = countOf(counts.grades, t.id);
    return {
      ...termView(t),
      timetableRows: Number(timetable?.rows ?? 0), timetableStudents: Number(timetable?.students ?? 0), timetableUploadedAt: t.timetable_uploaded_at?.toISOString() ?? null,
      gradeRows: Number(grades?.rows ?? 0), gradeStudents: Number(grades?.students ?? 0), gradesUploadedAt: t.grades_uploaded_at?.toISOString() ?? null,
    };
  });
}

/** What an upload brings: rows of cells by field, numbered. */
export type UploadCells<F extends string> = { row: number; cells: Cells<F> }[];

const cellText = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** The OpenAPI's timetable items as cells (row: the item's position, from 1). */
export function timetableJsonCells(courses: { studentNo: string; courseName: string; teacher?: string | null | undefined; location?: string | null | undefined; weekday?: number | string | null | undefined; periods?: string | null | undefined; weeks: string }[]): UploadCells<TimetableField> {
  return courses.map((c, i) => ({ row: i + 1, cells: { studentNo: c.studentNo, courseName: c.courseName, teacher: cellText(c.teacher), location: cellText(c.location), weekday: cellText(c.weekday), periods: cellText(c.periods), weeks: c.weeks } }));
}

/** The OpenAPI's grade items as cells. */
export function gradeJsonCells(grades: { studentNo: string; courseCode?: string | null | undefined; courseName: string; credits: number | string; score: number | string; gradePoint?: number | string | null | undefined; examKind?: string | undefined }[]): UploadCells<GradeField> {
  return grades.map((g, i) => ({ row: i + 1, cells: { studentNo: g.studentNo, courseCode: cellText(g.courseCode), courseName: g.courseName, credits: cellText(g.credits), score: cellText(g.score), gradePoint: cellText(g.gradePoint), examKind: cellText(g.examKind) } }));
}

/** A CSV's bytes to cells, before any transaction: a file that is no CSV, has no header or more than 50,000 rows is refused whole. */
export function readAcademicFile(kind: 'timetable' | 'grades', bytes: Uint8Array): UploadCells<TimetableField> | UploadCells<GradeField> {
  const records = readRosterTable(bytes);
  const cells = kind === 'timetable' ? timetableFileCells(records) : gradeFileCells(records);
  if (cells.length > maxAcademicRows) throw fail('ACADEMIC_UPLOAD_TOO_LARGE', { rows: cells.length, max: maxAcademicRows });
  if (cells.length === 0) throw fail('ROSTER_FILE_EMPTY');
  return cells;
}

function problemsError(problems: AcademicRowProblem[]) {
  return fail('ACADEMIC_UPLOAD_INVALID', { problems: problems.sort((a, b) => a.row - b.row).slice(0, 1_000), problemCount: problems.length });
}

/** The hash of what an upload says, whatever the order of its rows. */
function contentHash(rows: readonly unknown[]): string {
  const lines = rows.map((r) => JSON.stringify(r)).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

interface Replacement<T> {
  kind: 'timetable' | 'grades';
  /** The rows sent: none is refused (ACADEMIC_UPLOAD_EMPTY); emptying a term is its own, explicit request. */
  count: number;
  read: (term: TermRow) => Read<T & { row: number; studentNo: string }>;
  /** The stored form of a row (without its id), which the hash is taken of. */
  stored: (row: T, termId: string, studentId: string) => Record<string, unknown>;
  previousHash: (term: TermRow) => string | null;
  replace: (tx: Tx, term: TermRow, rows: Record<string, unknown>[], hash: string, at: Date) => Promise<void>;
}

async function replaceTerm<T>(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, how: Replacement<T>, requestId: string): Promise<UploadResultDto> {
  const tx = ctx.db as Tx;
  const term = await repo.lockTerm(tx, schoolId, termCode);
  if (!term) throw fail('ACADEMIC_TERM_UNKNOWN', { termCode });
  if (how.count === 0) throw fail('ACADEMIC_UPLOAD_EMPTY', { kind: how.kind });
  const { rows, problems } = how.read(term);
  // Whatever their status: a past term's re-push names students who have since graduated, left or
  // transferred. Who may read is decided at the read (enrolled full-time undergraduates).
  const students = new Map((await repo.studentsByStudentNo(tx, schoolId, [...new Set(rows.map((r) => r.studentNo))])).map((s) => [s.student_no!, s.id]));
  const stored: Record<string, unknown>[] = [];
  for (const row of rows) {
    const studentId = students.get(row.studentNo);
    if (!studentId) problems.push(academicRowProblem(row.row, 'studentNo', 'STUDENT_UNKNOWN'));
    else stored.push(how.stored(row, term.id, studentId));
  }
  if (problems.length > 0) throw problemsError(problems);
  const hash = contentHash(stored);
  const changed = hash !== how.previousHash(term);
  const now = ctx.clock.now();
  if (changed) await how.replace(tx, term, stored.map((r) => ({ id: newId(), ...r })), hash, now);
  const studentCount = new Set(stored.map((r) => r.student_id)).size;
  await recordAudit(tx, ctx.clock, {
    actor: actorOf(caller), action: `academic.${how.kind}.uploaded`, entityType: 'school', entityId: schoolId,
    after: { termCode, rows: stored.length, students: studentCount, changed, sha256: hash }, requestId,
  });
  return { termCode, kind: how.kind, rows: stored.length, students: studentCount, changed, uploadedAt: (changed ? now : (how.kind === 'timetable' ? term.timetable_uploaded_at : term.grades_uploaded_at) ?? now).toISOString() };
}

/** Replaces the term's timetable with these rows (in the caller's transaction). */
export function uploadTimetable(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, cells: UploadCells<TimetableField>, requestId: string) {
  return replaceTerm(ctx, caller, schoolId, termCode, {
    kind: 'timetable',
    count: cells.length,
    read: (term) => readTimetableRows(cells, term.weeks),
    stored: (r, termId, studentId) => ({
      term_id: termId, student_id: studentId, course_name: r.courseName, teacher: r.teacher, location: r.location, weekday: r.weekday,
      first_period: r.firstPeriod, last_period: r.lastPeriod, weeks: r.weeks, weeks_text: r.weeksText,
    }),
    previousHash: (term) => term.timetable_hash,
    replace: (tx, term, rows, hash, at) => repo.replaceTimetable(tx, term, rows as Parameters<typeof repo.replaceTimetable>[2], hash, at),
  }, requestId);
}

/** Replaces the term's grades with these rows (in the caller's transaction). */
export function uploadGrades(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, cells: UploadCells<GradeField>, requestId: string) {
  return replaceTerm(ctx, caller, schoolId, termCode, {
    kind: 'grades',
    count: cells.length,
    read: () => readGradeRows(cells),
    stored: (r, termId, studentId) => ({
      term_id: termId, student_id: studentId, course_code: r.courseCode, course_name: r.courseName, credit_tenths: r.creditTenths,
      score_tenths: r.score.kind === 'numeric' ? r.score.tenths : null, score_grade: r.score.kind === 'letter' ? r.score.grade : r.score.kind === 'mark' ? r.score.mark : null,
      grade_point_hundredths: r.gradePointHundredths, exam_kind: r.examKind,
    }),
    previousHash: (term) => term.grades_hash,
    replace: (tx, term, rows, hash, at) => repo.replaceGrades(tx, term, rows as Parameters<typeof repo.replaceGrades>[2], hash, at),
  }, requestId);
}

/**
 * Empties the term's timetable or grades: the explicit way to do what an empty upload is refused
 * for. Under the term's lock; the term reads as not published again. Audited with the rows removed.
 */
export async function clearTerm(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, kind: 'timetable' | 'grades', requestId: string): Promise<ClearResultDto> {
  const tx = ctx.db as Tx;
  const term = await repo.lockTerm(tx, schoolId, termCode);
  if (!term) throw fail('ACADEMIC_TERM_UNKNOWN', { termCode });
  const removed = kind === 'timetable' ? await repo.clearTimetable(tx, term) : await repo.clearGrades(tx, term);
  await recordAudit(tx, ctx.clock, {
    actor: actorOf(caller), action: `academic.${kind}.cleared`, entityType: 'school', entityId: schoolId,
    before: { termCode, rows: removed, sha256: kind === 'timetable' ? term.timetable_hash : term.grades_hash }, after: { termCode, rows: 0 }, requestId,
  });
  return { termCode, kind, removedRows: removed };
}
