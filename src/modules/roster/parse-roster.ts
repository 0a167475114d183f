import { CsvError, parse } from 'csv-parse/sync';
import { readFullTime, readStudyLevel, type StudyLevel } from '../../domain/academic-access.js';
import { isEducationId } from '../../domain/education-id.js';
import { validateIdNumber } from '../../domain/id-number.js';
import { fail } from '../../platform/errors.js';
import { findHeader } from './roster-columns.js';
import { cleanCell, readClassNo, readDate, readGender, readGrade, readStudentNo, readYesNo } from './roster-fields.js';
import { byRowThenField, rosterColumns, rowProblem, type PlainRowProblemCode, type RosterField, type RosterKind, type RowProblem } from './row-problems.js';
import './roster.errors.js';

/**
 * Reads a roster CSV as schools export it from Excel into the students it describes and the
 * problems of every bad row. Pure: no database, the date is passed in.
 */

interface RosterRowBase {
  /** The row number Excel shows (the header is row 1, or lower down under title rows). */
  row: number;
  educationId: string;
  name: string;
  gender: 'M' | 'F';
  birthDate: string;
  idNumber: string;
}

/** A primary, middle or high school student, placed in a class. */
export interface K12RosterRow extends RosterRowBase {
  grade: number;
  classNo: string;
}

/** A university or vocational college student: a student number, and the salary flag, 院系 and 专业 when the file has those columns. */
export interface CampusRosterRow extends RosterRowBase {
  studentNo: string;
  salaried?: boolean;
  college?: string;
  major?: string;
  /** 培养层次 and 学习形式 (课表查询 and 成绩查询 are for full-time undergraduates); null: the file has the column, the cell is empty or unreadable (a warning). */
  studyLevel?: StudyLevel | null;
  fullTime?: boolean | null;
}

export type RosterRow = K12RosterRow | CampusRosterRow;

export const isCampusRow = (row: RosterRow): row is CampusRosterRow => 'studentNo' in row;

export interface ParsedRoster {
  rows: RosterRow[];
  problems: RowProblem[];
  /** Cells of imported rows stored as not known (培养层次, 学习形式): the row is not refused for them. */
  warnings: RowProblem[];
  /** Data rows in the file, blank ones not counted. */
  totalRows: number;
  rejectedRows: number;
}

const MAX_NAME_LENGTH = 32;
const MAX_COLLEGE_LENGTH = 32;
const MAX_MAJOR_LENGTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gbk = new TextDecoder('gbk', { fatal: true });
const UTF8_BOM = [0xef, 0xbb, 0xbf];

function tryDecode(decoder: InstanceType<typeof TextDecoder>, bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * UTF-8 (Excel's "CSV UTF-8", with a BOM) or GBK (Excel's plain "CSV" on Chinese Windows).
 * Chinese GBK text is practically never valid UTF-8, so UTF-8 is tried first; a file that
 * declares UTF-8 with a BOM is held to it. A NUL byte never occurs in text: it is a workbook.
 */
function decodeRoster(bytes: Uint8Array): string {
  if (bytes.length === 0) throw fail('ROSTER_FILE_EMPTY');
  if (bytes.includes(0)) throw fail('ROSTER_NOT_CSV');
  const declaresUtf8 = UTF8_BOM.every((b, i) => bytes[i] === b);
  const text = tryDecode(utf8, bytes) ?? (declaresUtf8 ? null : tryDecode(gbk, bytes));
  if (text === null) throw fail('ROSTER_ENCODING_UNKNOWN');
  return text;
}

function readRecords(text: string): string[][] {
  try {
    // Blank lines are kept so record i is Excel row i + 1; blank records are skipped later.
    return parse(text, { relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (error instanceof CsvError) throw fail('ROSTER_CSV_MALFORMED', { reason: error.code, line: (error as CsvError & { lines?: number }).lines });
    throw error;
  }
}

const isBlank = (record: string[]) => record.every((cell) => cell.trim() === '');

type Reading<T> = { ok: true; value: T } | { ok: false; code: PlainRowProblemCode };
const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
const bad = (code: PlainRowProblemCode): Reading<never> => ({ ok: false, code });
const orBad = <T>(value: T | null, code: PlainRowProblemCode): Reading<T> => (value === null ? bad(code) : ok(value));

function fieldReaders(today: string) {
  return {
    educationId: (s: string) => orBad(isEducationId(cleanCell(s)) ? cleanCell(s) : null, 'EDUCATION_ID_FORMAT'),
    name: (s: string) => ([...s.trim()].length <= MAX_NAME_LENGTH ? ok(s.trim()) : bad('NAME_TOO_LONG')),
    gender: (s: string) => orBad(readGender(s), 'GENDER_FORMAT'),
    birthDate: (s: string) => orBad(readDate(s), 'BIRTH_DATE_FORMAT'),
    idNumber: (s: string) => {
      const check = validateIdNumber(cleanCell(s), today);
      return check.ok ? ok(check) : bad(check.code);
    },
    grade: (s: string) => orBad(readGrade(s), 'GRADE_FORMAT'),
    class: (s: string) => ok(readClassNo(s)),
    studentNo: (s: string) => orBad(readStudentNo(s), 'STUDENT_NO_FORMAT'),
    salaried: (s: string) => orBad(readYesNo(s), 'SALARIED_FORMAT'),
    college: (s: string) => ([...cleanCell(s)].length <= MAX_COLLEGE_LENGTH ? ok(cleanCell(s)) : bad('COLLEGE_TOO_LONG')),
    major: (s: string) => ([...cleanCell(s)].length <= MAX_MAJOR_LENGTH ? ok(cleanCell(s)) : bad('MAJOR_TOO_LONG')),
    studyLevel: (s: string) => orBad(readStudyLevel(cleanCell(s)), 'STUDY_LEVEL_FORMAT'),
    fullTime: (s: string) => orBad(readFullTime(cleanCell(s)), 'FULL_TIME_FORMAT'),
  } satisfies Record<RosterField, (cell: string) => Reading<unknown>>;
}

type FieldReaders = ReturnType<typeof fieldReaders>;
type FieldValues = { [F in RosterField]: Extract<ReturnType<FieldReaders[F]>, { ok: true }>['value'] } & { studyLevel: StudyLevel | null; fullTime: boolean | null };

/**
 * Fields that only decide who sees 课表 and 成绩: an empty or unreadable cell is stored as not
 * known (that is a refusal at the read, never a guess) and reported as a warning; the student is
 * still imported, as files that imported before these columns existed did.
 */
const warnOnly: Partial<Record<RosterField, PlainRowProblemCode>> = { studyLevel: 'STUDY_LEVEL_UNKNOWN', fullTime: 'FULL_TIME_UNKNOWN' };

/**
 * Reads each cell of the file's columns; an empty or unreadable one becomes a problem and has no
 * value. An optional column the file has must be filled in too: a blank would be a guess. Except
 * 培养层次 and 学习形式: a warning and null.
 */
function readCells(record: string[], columns: readonly [RosterField, number][], readers: FieldReaders, row: number) {
  const values: Partial<FieldValues> = {};
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  for (const [field, column] of columns) {
    const cell = record[column] ?? '';
    const warning = warnOnly[field];
    if (warning) {
      const reading = cell.trim() === '' ? bad('FIELD_REQUIRED') : (readers[field] as (s: string) => Reading<unknown>)(cell);
      (values as Record<RosterField, unknown>)[field] = reading.ok ? reading.value : null;
      if (!reading.ok) warnings.push(rowProblem(row, field, warning));
      continue;
    }
    const reading = cell.trim() === '' ? bad('FIELD_REQUIRED') : (readers[field] as (s: string) => Reading<unknown>)(cell);
    if (reading.ok) (values as Record<RosterField, unknown>)[field] = reading.value;
    else problems.push(rowProblem(row, field, reading.code));
  }
  return { values, problems, warnings };
}

/**
 * The ID number is authoritative (GB 11643: it embeds the birth date, and its 17th digit is
 * odd for men, even for women), so a birth date or gender that disagrees with it is a typo
 * in one of them and the row is refused rather than guessed at.
 */
function crossCheck(v: Partial<FieldValues>, row: number): RowProblem[] {
  if (!v.idNumber) return [];
  const problems: RowProblem[] = [];
  if (v.birthDate && v.birthDate !== v.idNumber.birthDate) problems.push(rowProblem(row, 'birthDate', 'BIRTH_DATE_MISMATCH'));
  if (v.gender && v.gender !== v.idNumber.gender) problems.push(rowProblem(row, 'gender', 'GENDER_MISMATCH'));
  return problems;
}

/** The first row each education ID, ID number and student number appeared on: later rows with the same are refused. */
class FirstRows {
  private readonly educationIds = new Map<string, number>();
  private readonly idNumbers = new Map<string, number>();
  private readonly studentNos = new Map<string, number>();

  check(v: Partial<FieldValues>, row: number): RowProblem[] {
    const problems: RowProblem[] = [];
    const firstWithEducationId = v.educationId ? this.claim(this.educationIds, v.educationId, row) : row;
    if (firstWithEducationId !== row) problems.push(rowProblem(row, 'educationId', 'EDUCATION_ID_DUPLICATE', { firstRow: firstWithEducationId }));
    const firstWithIdNumber = v.idNumber ? this.claim(this.idNumbers, v.idNumber.idNumber, row) : row;
    if (firstWithIdNumber !== row) problems.push(rowProblem(row, 'idNumber', 'ID_NUMBER_DUPLICATE', { firstRow: firstWithIdNumber }));
    const firstWithStudentNo = v.studentNo ? this.claim(this.studentNos, v.studentNo, row) : row;
    if (firstWithStudentNo !== row) problems.push(rowProblem(row, 'studentNo', 'STUDENT_NO_DUPLICATE', { firstRow: firstWithStudentNo }));
    return problems;
  }

  private claim(seen: Map<string, number>, key: string, row: number): number {
    const first = seen.get(key);
    if (first !== undefined) return first;
    seen.set(key, row);
    return row;
  }
}

function toRosterRow(v: FieldValues, kind: RosterKind, row: number): RosterRow {
  const { educationId, name, gender, birthDate } = v;
  const idNumber = v.idNumber.idNumber;
  if (kind === 'k12') return { row, educationId, name, gender, birthDate, idNumber, grade: v.grade, classNo: v.class };
  const campus: CampusRosterRow = { row, educationId, name, gender, birthDate, idNumber, studentNo: v.studentNo };
  if (v.salaried !== undefined) campus.salaried = v.salaried;
  if (v.college !== undefined) campus.college = v.college;
  if (v.major !== undefined) campus.major = v.major;
  if (v.studyLevel !== undefined) campus.studyLevel = v.studyLevel;
  if (v.fullTime !== undefined) campus.fullTime = v.fullTime;
  return campus;
}

/** Bytes to cells: decodes the file and splits it into records, one per Excel row. */
export function readRosterTable(bytes: Uint8Array): string[][] {
  const records = readRecords(decodeRoster(bytes));
  if (records.every(isBlank)) throw fail('ROSTER_FILE_EMPTY');
  return records;
}

/**
 * Cells to students: finds the header (the columns of a K-12 or a campus roster) and checks every
 * row against it and the rows before it.
 */
export function validateRoster(records: string[][], today: string, kind: RosterKind): ParsedRoster {
  const { headerIndex, columns } = findHeader(records, rosterColumns[kind]);
  const fileColumns = Object.entries(columns) as [RosterField, number][];
  const readers = fieldReaders(today);
  const firstRows = new FirstRows();
  const result: ParsedRoster = { rows: [], problems: [], warnings: [], totalRows: 0, rejectedRows: 0 };
  records.forEach((record, index) => {
    if (index <= headerIndex || isBlank(record)) return;
    const row = index + 1;
    const { values, problems, warnings } = readCells(record, fileColumns, readers, row);
    problems.push(...crossCheck(values, row), ...firstRows.check(values, row));
    result.totalRows += 1;
    if (problems.length === 0) {
      result.rows.push(toRosterRow(values as FieldValues, kind, row));
      result.warnings.push(...warnings);
    } else {
      result.problems.push(...problems.sort(byRowThenField));
      result.rejectedRows += 1;
    }
  });
  if (result.totalRows === 0) throw fail('ROSTER_FILE_EMPTY');
  return result;
}

/**
 * Whole-file faults (empty, not CSV, undecodable, required columns missing) throw; a bad row
 * only adds its problems and the good rows still come back.
 */
export function parseRoster(bytes: Uint8Array, today: string, kind: RosterKind): ParsedRoster {
  return validateRoster(readRosterTable(bytes), today, kind);
}
