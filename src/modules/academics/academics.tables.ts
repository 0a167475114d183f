import type { ColumnType } from 'kysely';
import type { ExamKind, LetterGrade, ScoreMark } from '../../domain/gpa.js';

/** Kysely table types of 课表查询 and 成绩查询 (migration 0053; merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A university's term: 学年-学期, its first Monday (teaching week 1) and its number of weeks. */
export interface AcademicTermsTable {
  id: string;
  school_id: string;
  /** 2025-2026-1 */
  code: string;
  first_monday: string;
  weeks: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/**
 * A scope of a term's timetable or grades that was uploaded and not cleared since (migration
 * 0058): the whole term (college '') or one 院系. Whether a student's term is published, and when
 * the scope last changed; the hash is the upload's, for the audit (the no-op rule compares with
 * the rows stored).
 */
export interface AcademicUploadsTable {
  term_id: string;
  kind: 'timetable' | 'grades';
  /** '' for the whole term, else the college (as the roster writes it). */
  college: string;
  sha256: string;
  uploaded_at: Timestamp;
}

/** One weekly class of a student's timetable, as the 教务系统 sent it. */
export interface TimetableEntriesTable {
  id: string;
  term_id: string;
  student_id: string;
  course_name: string;
  teacher: string | null;
  location: string | null;
  /** 1 = Monday … 7 = Sunday; null with the periods: time to be arranged (an online course, a practice week). */
  weekday: number | null;
  first_period: number | null;
  last_period: number | null;
  /** The teaching weeks it meets in, read from `weeks_text`. */
  weeks: number[];
  /** 周次 as the university wrote it ("1-16单"). */
  weeks_text: string;
}

/** One attempt at a course (正常, 补考, 重修 …) and its grade, as the 教务系统 sent it. */
export interface GradeRecordsTable {
  id: string;
  term_id: string;
  student_id: string;
  course_name: string;
  /** 课程号 when the university gives it (migration 0057): the course's identity for the GPA. */
  course_code: string | null;
  credit_tenths: number;
  /** A numeric score in tenths (0–1000), or null when the grade is a 等级 or a mark. */
  score_tenths: number | null;
  /** A 等级 (优 … 不及格) or a mark (缺考, 缓考, 免修, 通过, 不通过). */
  score_grade: LetterGrade | ScoreMark | null;
  /** The university's 绩点 in hundredths; null when it gives none (pass/fail, exemption). */
  grade_point_hundredths: number | null;
  exam_kind: ExamKind;
}

export interface AcademicsTables {
  academic_terms: AcademicTermsTable;
  academic_uploads: AcademicUploadsTable;
  timetable_entries: TimetableEntriesTable;
  grade_records: GradeRecordsTable;
}
