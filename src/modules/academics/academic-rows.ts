import { courseKey, parseCredits, parseGradePoint, parseScore, type ExamKind, type Score } from '../../domain/gpa.js';
import { parsePeriods, parseWeekday, parseWeeks } from '../../domain/teaching-weeks.js';
import { controlCharacter } from '../../platform/text.js';
import { findColumns } from '../roster/roster-columns.js';
import { cleanCell, readStudentNo } from '../roster/roster-fields.js';
import './academics.errors.js';

/**
 * The rows of a timetable or grades upload, from the OpenAPI's JSON or a CSV (the console's
 * file, saved from Excel: UTF-8 or GBK, read by the roster's reader), read the same way: every
 * bad cell becomes a problem of its row, with a stable code and zh / en messages. Pure.
 */

export const timetableFields = ['studentNo', 'courseName', 'teacher', 'location', 'weekday', 'periods', 'weeks'] as const;
export const gradeFields = ['studentNo', 'courseCode', 'courseName', 'credits', 'score', 'gradePoint', 'examKind'] as const;
export type TimetableField = (typeof timetableFields)[number];
export type GradeField = (typeof gradeFields)[number];
export type AcademicField = TimetableField | GradeField;

const fieldLabels: Record<AcademicField, { zh: string; en: string }> = {
  studentNo: { zh: '学号', en: 'student number' },
  courseName: { zh: '课程', en: 'course' },
  courseCode: { zh: '课程号', en: 'course code' },
  teacher: { zh: '教师', en: 'teacher' },
  location: { zh: '地点', en: 'location' },
  weekday: { zh: '星期', en: 'weekday' },
  periods: { zh: '节次', en: 'periods' },
  weeks: { zh: '周次', en: 'weeks' },
  credits: { zh: '学分', en: 'credits' },
  score: { zh: '成绩', en: 'score' },
  gradePoint: { zh: '绩点', en: 'grade point' },
  examKind: { zh: '考试性质', en: 'exam kind' },
};

const messages = {
  FIELD_REQUIRED: (field: AcademicField) => [`${fieldLabels[field].zh}不能为空`, `The ${fieldLabels[field].en} is empty`],
  STUDENT_NO_FORMAT: () => ['学号应为 1–32 位字母、数字或“-”（请在 Excel 中把该列设为文本格式）', 'A student number is 1–32 letters, digits or “-” (format the column as text in Excel)'],
  STUDENT_UNKNOWN: () => ['本校没有该学号的学生', 'No student of this school has that student number'],
  STUDENT_OUT_OF_SCOPE: () => ['该学生不属于本次上传所选的院系（以花名册中的院系为准）', 'The student is not of the college this upload is for (by the 院系 on the roster)'],
  COURSE_CODE_FORMAT: () => ['课程号最多 32 个字符，且不能含控制字符', 'A course code may have at most 32 characters and no control characters'],
  TIME_INCOMPLETE: (field: AcademicField) => [`${fieldLabels[field].zh}不能为空：星期和节次要么都填，要么都不填（时间待定的课程）`, `The ${fieldLabels[field].en} is empty: give both the weekday and the periods, or neither (a course whose time is to be arranged)`],
  TEXT_TOO_LONG: (field: AcademicField) => [`${fieldLabels[field].zh}最多 64 个字符，且不能含控制字符`, `The ${fieldLabels[field].en} may have at most 64 characters and no control characters`],
  WEEKDAY_FORMAT: () => ['星期应为 1–7（1 为周一）或“周一”“星期日”这样的写法', 'The weekday must be 1–7 (1 is Monday) or written like 周一 or 星期日'],
  PERIODS_FORMAT: () => ['节次应写作“1-2”“3-4节”或“7”，在第 1–16 节之间', 'Periods are written 1-2, 3-4节 or 7, between periods 1 and 16'],
  WEEKS_FORMAT: () => ['周次无法识别或超出本学期的教学周：应写作“1-16”“1-15单”“2-16双”或“1-8,10-16”', 'The weeks cannot be read or go past the term: write them 1-16, 1-15单 (odd), 2-16双 (even) or 1-8,10-16'],
  CREDITS_FORMAT: () => ['学分应为 0–30，最多一位小数', 'Credits must be 0–30, with one decimal at most'],
  SCORE_FORMAT: () => ['成绩应为 0–100 的分数（最多一位小数），或“优、良、中、及格、不及格”，或“缺考、缓考、免修、通过、不通过”（P/F）', 'The score must be 0–100 (one decimal at most), one of 优, 良, 中, 及格, 不及格, or 缺考, 缓考, 免修, 通过, 不通过 (P/F)'],
  GRADE_POINT_FORMAT: () => ['绩点应为 0–5，最多两位小数（不计绩点的课程留空）', 'The grade point must be 0–5 with two decimals at most (leave it empty for a course without one)'],
  EXAM_KIND_FORMAT: () => ['考试性质应为“正常”“补考”（补考一、补考二）“重修”（重修一、重修二）或“重修补考”', 'The exam kind must be 正常, 补考 (补考一, 补考二), 重修 (重修一, 重修二) or 重修补考'],
  ROW_DUPLICATE: (_field: AcademicField, firstRow?: number) => [`与第 ${firstRow} 行重复`, `The same as row ${firstRow}`],
} satisfies Record<string, (field: AcademicField, firstRow?: number) => [string, string]>;

export type AcademicRowCode = keyof typeof messages;
export const academicRowCodes = Object.keys(messages) as AcademicRowCode[];

export interface AcademicRowProblem {
  /** The row: Excel's row number in a file, the item's position (from 1) in a JSON upload. */
  row: number;
  field: AcademicField;
  code: AcademicRowCode;
  message: string;
  messageEn: string;
}

export function academicRowProblem(row: number, field: AcademicField, code: AcademicRowCode, firstRow?: number): AcademicRowProblem {
  const [message, messageEn] = messages[code](field, firstRow);
  return { row, field, code, message, messageEn };
}

export interface TimetableRow {
  row: number;
  studentNo: string;
  courseName: string;
  teacher: string | null;
  location: string | null;
  /** Null with the periods: time to be arranged (an online course, a practice week). */
  weekday: number | null;
  firstPeriod: number | null;
  lastPeriod: number | null;
  weeks: number[];
  weeksText: string;
}

export interface GradeRow {
  row: number;
  studentNo: string;
  courseCode: string | null;
  courseName: string;
  creditTenths: number;
  score: Score;
  gradePointHundredths: number | null;
  examKind: ExamKind;
}

/** A row's cells by field (absent: the file has no such column, or the JSON item no such key). */
export type Cells<F extends string> = Partial<Record<F, string>>;

export interface Read<T> {
  rows: T[];
  problems: AcademicRowProblem[];
}

const maxTextLength = 64;

/** A name-like cell: trimmed, 1–64 characters, no control characters. */
function readText(raw: string): string | null {
  const s = cleanCell(raw);
  return [...s].length <= maxTextLength && !controlCharacter.test(s) ? s : null;
}

const examKindWords: Record<string, ExamKind> = {
  正常: 'normal', 正常考试: 'normal', 初修: 'normal', 首修: 'normal', normal: 'normal',
  补考: 'makeup', 补考一: 'makeup', 补考1: 'makeup', 第一次补考: 'makeup', makeup: 'makeup',
  补考二: 'makeup2', 补考2: 'makeup2', 第二次补考: 'makeup2', makeup2: 'makeup2',
  重修: 'retake', 重修一: 'retake', 重修1: 'retake', retake: 'retake',
  重修补考: 'retake_makeup', retake_makeup: 'retake_makeup',
  重修二: 'retake2', 重修2: 'retake2', retake2: 'retake2',
};

/** Reads each row's cells; the rows that read cleanly, and a problem for each bad cell. */
function readRows<F extends AcademicField, T>(
  cells: { row: number; cells: Cells<F> }[],
  fields: readonly F[],
  optional: readonly F[],
  build: (values: Record<F, string>, problem: (field: F, code: AcademicRowCode) => void) => Omit<T, 'row'> | null,
  duplicateKey: (row: T) => string,
  duplicateField: F,
): Read<T> {
  const rows: T[] = [];
  const problems: AcademicRowProblem[] = [];
  const firstRows = new Map<string, number>();
  for (const { row, cells: c } of cells) {
    const own: AcademicRowProblem[] = [];
    const values = {} as Record<F, string>;
    for (const field of fields) {
      const cell = (c[field] ?? '').trim();
      if (cell === '' && !optional.includes(field)) own.push(academicRowProblem(row, field, 'FIELD_REQUIRED'));
      values[field] = cell;
    }
    if (own.length > 0) {
      problems.push(...own);
      continue;
    }
    const built = build(values, (field, code) => own.push(academicRowProblem(row, field, code)));
    if (!built || own.length > 0) {
      problems.push(...own);
      continue;
    }
    const read = { row, ...built } as T;
    const key = duplicateKey(read);
    const first = firstRows.get(key);
    if (first !== undefined) {
      problems.push(academicRowProblem(row, duplicateField, 'ROW_DUPLICATE', first));
      continue;
    }
    firstRows.set(key, row);
    rows.push(read);
  }
  return { rows, problems };
}

/**
 * Timetable rows: 学号, 课程, 教师 and 地点 (optional), 星期, 节次, 周次 (within the term's weeks).
 * 星期 and 节次 both empty: a course whose time is to be arranged (online, a practice week).
 */
export function readTimetableRows(cells: { row: number; cells: Cells<TimetableField> }[], termWeeks: number): Read<TimetableRow> {
  return readRows<TimetableField, TimetableRow>(cells, timetableFields, ['teacher', 'location', 'weekday', 'periods'], (v, problem) => {
    const studentNo = readStudentNo(v.studentNo);
    if (!studentNo) problem('studentNo', 'STUDENT_NO_FORMAT');
    const courseName = readText(v.courseName);
    if (!courseName) problem('courseName', 'TEXT_TOO_LONG');
    const teacher = v.teacher === '' ? null : readText(v.teacher);
    if (teacher === null && v.teacher !== '') problem('teacher', 'TEXT_TOO_LONG');
    const location = v.location === '' ? null : readText(v.location);
    if (location === null && v.location !== '') problem('location', 'TEXT_TOO_LONG');
    const unscheduled = v.weekday === '' && v.periods === '';
    if (!unscheduled && v.weekday === '') problem('weekday', 'TIME_INCOMPLETE');
    if (!unscheduled && v.periods === '') problem('periods', 'TIME_INCOMPLETE');
    const weekday = unscheduled ? null : parseWeekday(v.weekday);
    if (weekday === null && v.weekday !== '') problem('weekday', 'WEEKDAY_FORMAT');
    const periods = unscheduled ? null : parsePeriods(v.periods);
    if (!periods && v.periods !== '') problem('periods', 'PERIODS_FORMAT');
    const weeksText = cleanCell(v.weeks);
    const weeks = [...weeksText].length <= maxTextLength ? parseWeeks(weeksText, termWeeks) : null;
    if (!weeks) problem('weeks', 'WEEKS_FORMAT');
    if (!studentNo || !courseName || (!unscheduled && (weekday === null || !periods)) || !weeks) return null;
    return { studentNo, courseName, teacher, location, weekday, firstPeriod: periods?.first ?? null, lastPeriod: periods?.last ?? null, weeks, weeksText };
  }, (r) => JSON.stringify([r.studentNo, r.courseName, r.weekday, r.firstPeriod, r.lastPeriod, r.weeks]), 'courseName');
}

/**
 * Grade rows: 学号, 课程号 (optional), 课程, 学分, 成绩, 绩点 (empty: none), 考试性质 (optional:
 * 正常). One per student, course (by its 课程号 when given, else its name) and exam kind.
 */
export function readGradeRows(cells: { row: number; cells: Cells<GradeField> }[]): Read<GradeRow> {
  return readRows<GradeField, GradeRow>(cells, gradeFields, ['courseCode', 'gradePoint', 'examKind'], (v, problem) => {
    const studentNo = readStudentNo(v.studentNo);
    if (!studentNo) problem('studentNo', 'STUDENT_NO_FORMAT');
    const courseCode = v.courseCode === '' ? null : readText(v.courseCode);
    const badCode = v.courseCode !== '' && (courseCode === null || [...courseCode].length > 32);
    if (badCode) problem('courseCode', 'COURSE_CODE_FORMAT');
    const courseName = readText(v.courseName);
    if (!courseName) problem('courseName', 'TEXT_TOO_LONG');
    const creditTenths = parseCredits(v.credits);
    if (creditTenths === null) problem('credits', 'CREDITS_FORMAT');
    const score = parseScore(v.score);
    if (!score) problem('score', 'SCORE_FORMAT');
    const gradePointHundredths = v.gradePoint === '' ? null : parseGradePoint(v.gradePoint);
    if (gradePointHundredths === null && v.gradePoint !== '') problem('gradePoint', 'GRADE_POINT_FORMAT');
    const examKind = v.examKind === '' ? 'normal' : examKindWords[cleanCell(v.examKind).toLowerCase()];
    if (!examKind) problem('examKind', 'EXAM_KIND_FORMAT');
    if (!studentNo || !courseName || badCode || creditTenths === null || !score || !examKind || (gradePointHundredths === null && v.gradePoint !== '')) return null;
    return { studentNo, courseCode, courseName, creditTenths, score, gradePointHundredths, examKind };
  }, (r) => JSON.stringify([r.studentNo, courseKey(r), r.examKind]), 'examKind');
}

/** Header names 教务 exports use, in the roster reader's normalised form (case, spaces and a bracketed note ignored). */
const timetableAliases: Record<TimetableField, readonly string[]> = {
  studentNo: ['学号', 'studentno', 'studentnumber'],
  courseName: ['课程', '课程名', '课程名称', 'course', 'coursename'],
  teacher: ['教师', '任课教师', '授课教师', '教师姓名', 'teacher'],
  location: ['地点', '上课地点', '教室', '上课教室', 'location', 'room'],
  weekday: ['星期', '上课星期', '星期几', 'weekday', 'day'],
  periods: ['节次', '上课节次', 'periods', 'period'],
  weeks: ['周次', '上课周次', '起止周', '周数', 'weeks'],
};
const gradeAliases: Record<GradeField, readonly string[]> = {
  studentNo: timetableAliases.studentNo,
  courseCode: ['课程号', '课程代码', '课程编号', '课程编码', 'coursecode', 'courseno', 'courseid'],
  courseName: timetableAliases.courseName,
  credits: ['学分', 'credits', 'credit'],
  score: ['成绩', '总评成绩', '总成绩', '最终成绩', 'score'],
  // Not 学分绩点: at many universities it is 学分 × 绩点, not the grade point.
  gradePoint: ['绩点', '课程绩点', 'gradepoint'],
  examKind: ['考试性质', '考核性质', '修读性质', '成绩性质', 'examkind'],
};

/** A file's records (the roster reader's cells) to rows of cells by field, numbered as Excel shows them. */
function fileCells<F extends AcademicField>(records: string[][], required: readonly F[], optional: readonly F[], aliases: Record<F, readonly string[]>) {
  const { headerIndex, columns } = findColumns(records, { required, optional }, aliases, 'ACADEMIC_FILE_COLUMNS');
  const out: { row: number; cells: Cells<F> }[] = [];
  records.forEach((record, index) => {
    if (index <= headerIndex || record.every((c) => c.trim() === '')) return;
    const cells: Cells<F> = {};
    for (const [field, column] of Object.entries(columns) as [F, number][]) cells[field] = record[column] ?? '';
    out.push({ row: index + 1, cells });
  });
  return out;
}

export const timetableFileCells = (records: string[][]) => fileCells<TimetableField>(records, ['studentNo', 'courseName', 'weekday', 'periods', 'weeks'], ['teacher', 'location'], timetableAliases);
export const gradeFileCells = (records: string[][]) => fileCells<GradeField>(records, ['studentNo', 'courseName', 'credits', 'score', 'gradePoint'], ['courseCode', 'examKind'], gradeAliases);
