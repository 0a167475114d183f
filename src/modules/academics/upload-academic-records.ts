import { createHash } from 'node:crypto';
import { academicRecordsRefusal } from '../../domain/academic-access.js';
import { isMonday, isTermCode, termLastDay, termTitle } from '../../domain/teaching-weeks.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { billingSchoolOf } from '../campus/school-bill-issue.js';
import { noticeStudents } from '../notices/personal-notices.js';
import type { NoticeWriterRole } from '../notices/notices.tables.js';
import { readRosterTable } from '../roster/parse-roster.js';
import {
  academicRowProblem, gradeFileCells, readGradeRows, readTimetableRows, timetableFileCells,
  type AcademicRowProblem, type Cells, type GradeField, type Read, type TimetableField,
} from './academic-rows.js';
import './academics.errors.js';
import { academicsRepository as repo, type AcademicKind, type TermRow } from './academics.repository.js';
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

type Count = { term_id: string; college: string | null; rows: string; students: string };
type Upload = { term_id: string; kind: AcademicKind; college: string; uploaded_at: Date };

/** Rows and students summed over counts per college; the latest upload time of the scopes given. */
const total = (counts: Count[]) => ({ rows: counts.reduce((n, c) => n + Number(c.rows), 0), students: counts.reduce((n, c) => n + Number(c.students), 0) });
const latest = (uploads: Upload[]) => uploads.reduce<Date | null>((at, u) => (at === null || u.uploaded_at > at ? u.uploaded_at : at), null)?.toISOString() ?? null;

/**
 * The school's terms with what has been uploaded for each, in all and per college (the students'
 * 院系 on the roster now; null: students with none), and the school's colleges, for the console.
 */
export async function schoolTerms(ctx: AppContext, caller: Caller, schoolId: string | undefined) {
  const school = await academicSchoolOf(ctx, caller, schoolId);
  const [terms, counts, colleges] = await Promise.all([repo.terms(ctx.db, school), repo.termCounts(ctx.db, school), repo.colleges(ctx.db, school)]);
  const items = terms.reverse().map((t) => {
    const timetable = counts.timetable.filter((c) => c.term_id === t.id);
    const grades = counts.grades.filter((c) => c.term_id === t.id);
    const uploads = counts.uploads.filter((u) => u.term_id === t.id);
    const termColleges = [...new Set([...timetable, ...grades].map((c) => c.college))].sort((a, b) => (a ?? '').localeCompare(b ?? '', 'zh'));
    return {
      ...termView(t),
      timetableRows: total(timetable).rows, timetableStudents: total(timetable).students, timetableUploadedAt: latest(uploads.filter((u) => u.kind === 'timetable')),
      gradeRows: total(grades).rows, gradeStudents: total(grades).students, gradesUploadedAt: latest(uploads.filter((u) => u.kind === 'grades')),
      colleges: termColleges.map((college) => ({
        college,
        timetableRows: total(timetable.filter((c) => c.college === college)).rows,
        gradeRows: total(grades.filter((c) => c.college === college)).rows,
      })),
      uploads: uploads.map((u) => ({ kind: u.kind, college: u.college === '' ? null : u.college, uploadedAt: u.uploaded_at.toISOString() })),
    };
  });
  return { items, colleges };
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

/** The stored columns a row's content is compared on (its id and term left out), in one order. */
const contentColumns: Record<AcademicKind, readonly string[]> = {
  timetable: ['student_id', 'course_name', 'teacher', 'location', 'weekday', 'first_period', 'last_period', 'weeks', 'weeks_text'],
  grades: ['student_id', 'course_code', 'course_name', 'credit_tenths', 'score_tenths', 'score_grade', 'grade_point_hundredths', 'exam_kind'],
};

/** A row as one line of text, the same from a new row and from the database (whose arrays may come as text). */
const contentLine = (kind: AcademicKind, row: Record<string, unknown>): string =>
  JSON.stringify(contentColumns[kind].map((c) => (c === 'weeks' ? (row.weeks as unknown[]).map(Number) : row[c] ?? null)));

/** Each student's rows as one text, whatever their order. */
function contentByStudent(kind: AcademicKind, rows: readonly Record<string, unknown>[]): Map<string, string> {
  const lines = new Map<string, string[]>();
  for (const r of rows) {
    const id = r.student_id as string;
    lines.set(id, [...(lines.get(id) ?? []), contentLine(kind, r)]);
  }
  return new Map([...lines].map(([id, own]) => [id, own.sort().join('\n')]));
}

/** The hash of what an upload says, whatever the order of its rows (for the audit). */
function contentHash(kind: AcademicKind, rows: readonly Record<string, unknown>[]): string {
  const lines = rows.map((r) => contentLine(kind, r)).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The students whose rows the upload makes new or different (those whose rows it only removes are not among them). */
function changedStudents(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([id, content]) => before.get(id) !== content).map(([id]) => id);
}

interface Replacement<T> {
  kind: AcademicKind;
  /** The rows sent: none is refused (ACADEMIC_UPLOAD_EMPTY); emptying a term is its own, explicit request. */
  count: number;
  read: (term: TermRow) => Read<T & { row: number; studentNo: string }>;
  /** The stored form of a row (without its id). */
  stored: (row: T, termId: string, studentId: string) => Record<string, unknown>;
  /** After a change, in its transaction: what to tell the students whose rows are new or different; what goes in the audit. */
  onChanged?: (tx: Tx, term: TermRow, changedStudentIds: string[], at: Date) => Promise<Record<string, unknown>>;
}

/**
 * Replaces a scope of the term (the whole term, or one 院系's students by the roster) with the
 * rows given. A row of a student outside the scope is a bad row, like an unknown 学号. The upload
 * is compared with what the scope holds now, student by student: the same content is a no-op
 * (`changed: false`) whatever happened on the roster since the scope's last upload.
 */
async function replaceScope<T>(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, college: string | null, how: Replacement<T>, requestId: string): Promise<UploadResultDto> {
  const tx = ctx.db as Tx;
  const term = await repo.lockTerm(tx, schoolId, termCode);
  if (!term) throw fail('ACADEMIC_TERM_UNKNOWN', { termCode });
  if (how.count === 0) throw fail('ACADEMIC_UPLOAD_EMPTY', { kind: how.kind });
  const { rows, problems } = how.read(term);
  // Whatever their status: a past term's re-push names students who have since graduated, left or
  // transferred. Who may read is decided at the read (enrolled full-time undergraduates).
  const students = new Map((await repo.studentsByStudentNo(tx, schoolId, [...new Set(rows.map((r) => r.studentNo))])).map((s) => [s.student_no!, s]));
  const stored: Record<string, unknown>[] = [];
  for (const row of rows) {
    const student = students.get(row.studentNo);
    if (!student) problems.push(academicRowProblem(row.row, 'studentNo', 'STUDENT_UNKNOWN'));
    else if (college !== null && student.college !== college) problems.push(academicRowProblem(row.row, 'studentNo', 'STUDENT_OUT_OF_SCOPE'));
    else stored.push(how.stored(row, term.id, student.id));
  }
  if (problems.length > 0) throw problemsError(problems);
  const before = contentByStudent(how.kind, await repo.scopeRows(tx, how.kind, term, college));
  const after = contentByStudent(how.kind, stored);
  const changedStudentIds = changedStudents(before, after);
  const changed = changedStudentIds.length > 0 || [...before.keys()].some((id) => !after.has(id));
  const hash = contentHash(how.kind, stored);
  const now = ctx.clock.now();
  let told: Record<string, unknown> = {};
  if (changed) {
    await repo.replaceScope(tx, how.kind, term, college, stored.map((r) => ({ id: newId(), ...r })));
    await repo.recordUpload(tx, term.id, how.kind, college, hash, now);
    if (how.onChanged && changedStudentIds.length > 0) told = await how.onChanged(tx, term, changedStudentIds, now);
  }
  const studentCount = after.size;
  await recordAudit(tx, ctx.clock, {
    actor: actorOf(caller), action: `academic.${how.kind}.uploaded`, entityType: 'school', entityId: schoolId,
    after: { termCode, college, rows: stored.length, students: studentCount, changed, sha256: hash, ...told }, requestId,
  });
  const uploadedAt = changed ? now : (await repo.uploads(tx, term.id, how.kind)).find((u) => u.college === (college ?? ''))?.uploaded_at ?? now;
  return { termCode, kind: how.kind, college, rows: stored.length, students: studentCount, changed, uploadedAt: uploadedAt.toISOString() };
}

/** Replaces the term's timetable with these rows (in the caller's transaction). */
export function uploadTimetable(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, college: string | null, cells: UploadCells<TimetableField>, requestId: string) {
  return replaceScope(ctx, caller, schoolId, termCode, college, {
    kind: 'timetable',
    count: cells.length,
    read: (term) => readTimetableRows(cells, term.weeks),
    stored: (r, termId, studentId) => ({
      term_id: termId, student_id: studentId, course_name: r.courseName, teacher: r.teacher, location: r.location, weekday: r.weekday,
      first_period: r.firstPeriod, last_period: r.lastPeriod, weeks: r.weeks, weeks_text: r.weeksText,
    }),
  }, requestId);
}

/** Replaces the term's grades with these rows (in the caller's transaction). */
export function uploadGrades(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, college: string | null, cells: UploadCells<GradeField>, requestId: string) {
  return replaceScope(ctx, caller, schoolId, termCode, college, {
    kind: 'grades',
    count: cells.length,
    read: () => readGradeRows(cells),
    stored: (r, termId, studentId) => ({
      term_id: termId, student_id: studentId, course_code: r.courseCode, course_name: r.courseName, credit_tenths: r.creditTenths,
      score_tenths: r.score.kind === 'numeric' ? r.score.tenths : null, score_grade: r.score.kind === 'letter' ? r.score.grade : r.score.kind === 'mark' ? r.score.mark : null,
      grade_point_hundredths: r.gradePointHundredths, exam_kind: r.examKind,
    }),
    onChanged: (tx, term, studentIds, at) => tellGradesChanged(tx, caller, term, studentIds, at),
  }, requestId);
}

/**
 * 成绩已更新: one notice to each student whose grades of the term the upload made new or
 * different, and who may read grades in the app (a full-time undergraduate: the others would be
 * told of what they cannot open). One per student and term: a later change replaces the notice.
 * Not on a no-op upload, nor for a student whose rows it only removed.
 */
async function tellGradesChanged(tx: Tx, caller: Caller, term: TermRow, studentIds: string[], at: Date) {
  const readers = (await repo.readers(tx, studentIds)).filter((s) => academicRecordsRefusal({ schoolStage: s.school_stage, status: s.status, studyLevel: s.study_level, fullTime: s.full_time }) === null);
  const noticed = await noticeStudents(tx, {
    schoolId: term.school_id, studentIds: readers.map((s) => s.id), topic: `grades:${term.id}`,
    title: '成绩已更新 / Grades updated',
    body: `${termTitle(term.code, 'zh-CN')}的成绩已更新，请在“成绩查询”中查看。\nYour grades for the ${termTitle(term.code, 'en')} have been updated: see them under Grades.`,
    by: { role: caller.role as NoticeWriterRole, id: caller.subjectId }, at,
  });
  return { noticed };
}

/**
 * Empties the term's timetable or grades, whole or one college's: the explicit way to do what an
 * empty upload is refused for. Under the term's lock; the scope reads as not published again.
 * Audited with the scope and the rows removed.
 */
export async function clearTerm(ctx: AppContext, caller: Caller, schoolId: string, termCode: string, kind: AcademicKind, college: string | null, requestId: string): Promise<ClearResultDto> {
  const tx = ctx.db as Tx;
  const term = await repo.lockTerm(tx, schoolId, termCode);
  if (!term) throw fail('ACADEMIC_TERM_UNKNOWN', { termCode });
  const uploads = await repo.uploads(tx, term.id, kind);
  // A misspelt college would clear nothing yet forget the term's uploads: refuse it instead.
  if (college !== null && !uploads.some((u) => u.college === college) && !(await repo.colleges(tx, schoolId)).includes(college)) {
    throw fail('ACADEMIC_COLLEGE_UNKNOWN', { college });
  }
  const removed = await repo.clearScope(tx, kind, term, college);
  await repo.forgetUploads(tx, term.id, kind, college);
  await recordAudit(tx, ctx.clock, {
    actor: actorOf(caller), action: `academic.${kind}.cleared`, entityType: 'school', entityId: schoolId,
    before: { termCode, college, rows: removed, sha256: uploads.find((u) => u.college === (college ?? ''))?.sha256 ?? null }, after: { termCode, college, rows: 0 }, requestId,
  });
  return { termCode, kind, college, removedRows: removed };
}
