import { academicRecordsRefusal, type AcademicReader } from '../../domain/academic-access.js';
import { shanghaiDate } from '../../domain/calendar.js';
import { countedAttempts, formatScore, isPassing, storedWordScore, termGpa, weightedGpa, type GpaSummary, type Score, type TermAttempt } from '../../domain/gpa.js';
import { currentTerm, teachingWeek } from '../../domain/teaching-weeks.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import './academics.errors.js';
import { academicsRepository as repo } from './academics.repository.js';
import type { GradesDto, TimetableDto } from './academics.schemas.js';
import { termView } from './upload-academic-records.js';

/**
 * 课表查询 and 成绩查询 (seed 004): a full-time undergraduate reads their own timetable and grades.
 * Only the student: the caller's own id is the only one read (no id is taken from the request), and
 * a parent, like at the other campus services a university student uses (琴房, 借阅, 报修), is
 * refused (FORBIDDEN). Anyone else is refused with ACADEMIC_UNDERGRADUATES_ONLY and the reason
 * (src/domain/academic-access.ts).
 */
export async function academicStudentOf(ctx: AppContext, caller: Caller) {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  const student = await repo.reader(ctx.db, caller.subjectId);
  if (!student) throw fail('FORBIDDEN');
  const reason = refusalOf(student);
  if (reason) throw fail('ACADEMIC_UNDERGRADUATES_ONLY', { reason });
  return student;
}

/** Why the student may not read 课表 and 成绩 (null: they may). */
const refusalOf = (s: { school_stage: string; status: AcademicReader['status']; study_level: AcademicReader['studyLevel']; full_time: boolean | null }) =>
  academicRecordsRefusal({ schoolStage: s.school_stage, status: s.status, studyLevel: s.study_level, fullTime: s.full_time });

/**
 * The student's own timetables (each term of their university with classes of theirs) and
 * grades, for their data export (导出我的数据); null when the reads would refuse them (the same
 * rule: only an enrolled full-time undergraduate, and only themselves).
 */
export async function myAcademicRecords(ctx: AppContext, caller: Caller) {
  if (caller.role !== 'student') return null;
  const student = await repo.reader(ctx.db, caller.subjectId);
  if (!student || refusalOf(student)) return null;
  const timetables = [];
  for (const term of await repo.terms(ctx.db, student.school_id)) {
    const read = await myTimetable(ctx, caller, term.code);
    if (read.entries.length > 0) timetables.push({ term: read.term, entries: read.entries });
  }
  return { timetables, grades: await myGrades(ctx, caller) };
}

/** The student's timetable of a term (the current one when none is named) and the terms there are. */
export async function myTimetable(ctx: AppContext, caller: Caller, termCode: string | undefined): Promise<TimetableDto> {
  const student = await academicStudentOf(ctx, caller);
  const today = shanghaiDate(ctx.clock.now());
  const terms = await repo.terms(ctx.db, student.school_id);
  const views = terms.map(termView);
  const term = termCode === undefined ? currentTerm(terms.map((t) => ({ ...t, firstMonday: t.first_monday })), today) : terms.find((t) => t.code === termCode);
  if (termCode !== undefined && !term) throw fail('ACADEMIC_TERM_UNKNOWN', { termCode });
  if (!term) return { today, term: null, currentWeek: null, published: false, terms: views, entries: [] };
  const entries = await repo.timetableOf(ctx.db, term.id, student.id);
  // Published for this student: the whole term or their college uploaded (another college's upload is not theirs), or classes of theirs are there.
  const published = entries.length > 0 || await repo.publishedFor(ctx.db, term.id, 'timetable', student.college);
  return {
    today, term: termView(term), currentWeek: teachingWeek(term.first_monday, today), published, terms: views,
    entries: entries.map((e) => ({ courseName: e.course_name, teacher: e.teacher, location: e.location, weekday: e.weekday, firstPeriod: e.first_period, lastPeriod: e.last_period, weeks: e.weeks.map(Number), weeksText: e.weeks_text })),
  };
}

const summaryView = (s: GpaSummary) => ({ gpa: s.gpa, credits: s.creditTenths / 10, courses: s.courses });

/**
 * The student's grades, newest term first, each term with its credit-weighted GPA over the
 * university's 绩点, and the overall one: a course taken again (补考, 重修) counts once, with its
 * latest attempt (src/domain/gpa.ts, decision 0011).
 */
export async function myGrades(ctx: AppContext, caller: Caller): Promise<GradesDto> {
  const student = await academicStudentOf(ctx, caller);
  const rows = await repo.gradesOf(ctx.db, student.id);
  const termOrder = new Map<string, number>();
  for (const r of rows) if (!termOrder.has(r.term_id)) termOrder.set(r.term_id, termOrder.size);
  const attempts = rows.map((r) => ({
    row: r, courseName: r.course_name, courseCode: r.course_code, score: (r.score_grade !== null ? storedWordScore(r.score_grade) : { kind: 'numeric', tenths: r.score_tenths! }) satisfies Score, creditTenths: r.credit_tenths, gradePointHundredths: r.grade_point_hundredths, examKind: r.exam_kind, termOrder: termOrder.get(r.term_id)!,
  } satisfies TermAttempt & { row: unknown }));
  const counted = new Set(countedAttempts(attempts));
  const terms = [...termOrder.keys()].reverse().map((termId) => {
    const own = attempts.filter((a) => a.row.term_id === termId);
    const first = own[0]!.row;
    return {
      ...termView({ code: first.term_code, first_monday: first.first_monday, weeks: first.weeks }),
      summary: summaryView(termGpa(own)),
      records: own.map((a) => {
        const score = a.score;
        return {
          courseCode: a.courseCode, courseName: a.courseName, credits: a.creditTenths / 10, score: formatScore(score), scoreKind: score.kind, passed: isPassing(score),
          gradePoint: a.gradePointHundredths === null ? null : a.gradePointHundredths / 100, examKind: a.examKind, countsOverall: counted.has(a),
        };
      }),
    };
  });
  return { terms, overall: summaryView(weightedGpa(attempts)) };
}
