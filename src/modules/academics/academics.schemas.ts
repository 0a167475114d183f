import { z } from 'zod';
import { examKinds } from '../../domain/gpa.js';
import { maxTermWeeks } from '../../domain/teaching-weeks.js';

/**
 * 课表查询 and 成绩查询 (seed 004), shared with the web apps:
 *
 * The university's 教务系统 (or its operator in the console) pushes, per school and term:
 *   GET  /admin/academic/terms?schoolId=                           → adminTermsSchema
 *   PUT  /admin/academic/terms/:termCode?schoolId=   { firstMonday, weeks }  → termSchema (registers or corrects the term)
 *   PUT  /admin/academic/terms/:termCode/timetable?schoolId=&college=  { courses: [...] }   → uploadResultSchema (replaces the term's timetable, or one 院系's)
 *   PUT  /admin/academic/terms/:termCode/grades?schoolId=&college=     { grades: [...] }    → uploadResultSchema (replaces the term's grades, or one 院系's)
 *   PUT  /admin/academic/terms/:termCode/timetable/file?schoolId=&college=   text/csv      → the same, from a CSV
 *   PUT  /admin/academic/terms/:termCode/grades/file?schoolId=&college=      text/csv      → the same, from a CSV
 *   DELETE /admin/academic/terms/:termCode/timetable?schoolId=&college=     → clearResultSchema (empties it; an empty upload is refused)
 *   DELETE /admin/academic/terms/:termCode/grades?schoolId=&college=        → clearResultSchema
 * A full-time undergraduate reads their own:
 *   GET  /campus/timetable?termCode=   → timetableSchema (the current term when none is named)
 *   GET  /campus/grades                → gradesSchema
 */

export const termCodeSchema = z.string().regex(/^\d{4}-\d{4}-[1-3]$/).describe('学年-学期: 2025-2026-1 (1 autumn, 2 spring, 3 summer)');
export const termParams = z.object({ termCode: termCodeSchema });
export const academicSchoolQuerySchema = z.object({ schoolId: z.uuid().optional().describe('the university (operators; a card manager’s is their own)') });
/** An upload's or clear's scope: one 院系, or (absent) the whole term. */
export const academicScopeQuerySchema = academicSchoolQuerySchema.extend({
  college: z.string().trim().min(1).max(32).optional()
    .describe('院系: replace (or clear) only the rows of the students the roster puts in this college, and refuse rows of other students (STUDENT_OUT_OF_SCOPE); absent: the whole term'),
});

export const saveTermSchema = z.object({
  firstMonday: z.iso.date().describe('the Monday of teaching week 1'),
  weeks: z.number().int().min(1).max(maxTermWeeks).describe('the number of teaching weeks'),
});

export const termSchema = z.object({
  code: z.string(),
  firstMonday: z.string(),
  weeks: z.number().int(),
  /** The Sunday of its last week. */
  lastDay: z.string(),
});
export type TermDto = z.infer<typeof termSchema>;

export const adminTermSchema = termSchema.extend({
  timetableRows: z.number().int(),
  timetableStudents: z.number().int(),
  timetableUploadedAt: z.string().nullable(),
  gradeRows: z.number().int(),
  gradeStudents: z.number().int(),
  gradesUploadedAt: z.string().nullable(),
  /** The rows per college (the students' 院系 on the roster now; null: students with none). */
  colleges: z.array(z.object({ college: z.string().nullable(), timetableRows: z.number().int(), gradeRows: z.number().int() })),
  /** The scopes uploaded and not cleared since (college null: the whole term). */
  uploads: z.array(z.object({ kind: z.enum(['timetable', 'grades']), college: z.string().nullable(), uploadedAt: z.string() })),
});
export const adminTermsSchema = z.object({
  items: z.array(adminTermSchema),
  /** The colleges of the school's students, for an upload's or clear's scope. */
  colleges: z.array(z.string()),
});

const text = (max: number) => z.string().max(max);

/** One weekly class of one student, as the 教务系统 has it. */
export const timetableUploadRowSchema = z.object({
  studentNo: text(64).describe('学号'),
  courseName: text(200).describe('课程名 (1–64 characters)'),
  teacher: text(200).nullable().optional().describe('教师'),
  location: text(200).nullable().optional().describe('地点'),
  weekday: z.union([z.number().int(), text(16)]).nullable().optional().describe('星期: 1 (Monday) … 7, or 周一 …; none (with no 节次): time to be arranged'),
  periods: text(16).nullable().optional().describe('节次: "1-2", "3-4", "7" (periods 1–16); none (with no 星期): time to be arranged'),
  weeks: text(64).describe('周次: "1-16", "1-15单" (odd), "2-16双" (even), "1-8,10-16"; within the term’s weeks'),
});
export const timetableUploadSchema = z.object({ courses: z.array(timetableUploadRowSchema).max(50_000).describe('at least one row (none: ACADEMIC_UPLOAD_EMPTY; empty a term with DELETE)') });

/** One attempt of one student at one course. */
export const gradeUploadRowSchema = z.object({
  studentNo: text(64).describe('学号'),
  courseCode: text(64).nullable().optional().describe('课程号 (1–32 characters): the course’s identity for the GPA when given, else its name'),
  courseName: text(200).describe('课程 (1–64 characters)'),
  credits: z.union([z.number(), text(16)]).describe('学分: 0–30, one decimal at most'),
  score: z.union([z.number(), text(16)]).describe('成绩: 0–100 (one decimal at most), 优/良/中/及格/不及格, or 缺考/缓考/免修/通过/不通过 (P/F)'),
  gradePoint: z.union([z.number(), text(16)]).nullable().optional().describe('绩点 as the university gives it (0–5, two decimals); null: none (not in the GPA)'),
  examKind: z.enum(examKinds).optional().describe('考试性质: normal 正常 (default), makeup 补考(一), makeup2 补考二, retake 重修(一), retake_makeup 重修补考, retake2 重修二'),
});
export const gradesUploadSchema = z.object({ grades: z.array(gradeUploadRowSchema).max(50_000).describe('at least one row (none: ACADEMIC_UPLOAD_EMPTY; empty a term with DELETE)') });

export const clearResultSchema = z.object({
  termCode: z.string(),
  kind: z.enum(['timetable', 'grades']),
  /** The college cleared; null: the whole term. */
  college: z.string().nullable(),
  /** The rows removed. */
  removedRows: z.number().int(),
});
export type ClearResultDto = z.infer<typeof clearResultSchema>;

export const uploadResultSchema = z.object({
  termCode: z.string(),
  kind: z.enum(['timetable', 'grades']),
  /** The college replaced; null: the whole term. */
  college: z.string().nullable(),
  rows: z.number().int(),
  students: z.number().int(),
  /** False when the upload is the same as the one stored (nothing was rewritten). */
  changed: z.boolean(),
  uploadedAt: z.string(),
});
export type UploadResultDto = z.infer<typeof uploadResultSchema>;

export const timetableQuerySchema = z.object({ termCode: termCodeSchema.optional() });

export const timetableEntrySchema = z.object({
  courseName: z.string(),
  teacher: z.string().nullable(),
  location: z.string().nullable(),
  /** Null (with the periods): time to be arranged. */
  weekday: z.number().int().nullable(),
  firstPeriod: z.number().int().nullable(),
  lastPeriod: z.number().int().nullable(),
  /** The teaching weeks it meets in. */
  weeks: z.array(z.number().int()),
  /** 周次 as the university wrote it. */
  weeksText: z.string(),
});
export type TimetableEntryDto = z.infer<typeof timetableEntrySchema>;

export const timetableSchema = z.object({
  /** Today in Beijing, by the server's clock. */
  today: z.string(),
  /** The term shown: the one asked for, else the current one; null when the university has registered none. */
  term: termSchema.nullable(),
  /** Today's teaching week of that term (0 or less before it begins, more than its weeks after it ends); null with no term. */
  currentWeek: z.number().int().nullable(),
  /** Whether the university has uploaded that term's timetable yet. */
  published: z.boolean(),
  /** The terms that may be chosen, earliest first. */
  terms: z.array(termSchema),
  entries: z.array(timetableEntrySchema),
});
export type TimetableDto = z.infer<typeof timetableSchema>;

export const gradeRecordSchema = z.object({
  courseCode: z.string().nullable(),
  courseName: z.string(),
  credits: z.number(),
  /** "87.5", a 等级 (优 … 不及格) or a mark (缺考, 缓考, 免修, 通过, 不通过). */
  score: z.string(),
  scoreKind: z.enum(['numeric', 'letter', 'mark']),
  passed: z.boolean(),
  /** The university's 绩点; null when it gives none. */
  gradePoint: z.number().nullable(),
  examKind: z.enum(examKinds),
  /** False when a later 补考 or 重修 of the course replaces it in the overall GPA, or it has no result (缓考, 免修). */
  countsOverall: z.boolean(),
});

const gpaSchema = z.object({
  /** Credit-weighted over the university's 绩点 (two decimals); null when no credit counts. */
  gpa: z.number().nullable(),
  /** The credits the GPA is weighted by. */
  credits: z.number(),
  courses: z.number().int(),
});

export const gradesSchema = z.object({
  /** Newest term first. */
  terms: z.array(termSchema.extend({ summary: gpaSchema, records: z.array(gradeRecordSchema) })),
  overall: gpaSchema,
});
export type GradesDto = z.infer<typeof gradesSchema>;
