import { fail } from '../../platform/errors.js';
import { cleanCell } from './roster-fields.js';
import { type RosterField } from './row-problems.js';
import './roster.errors.js';

/** Header names schools use, in the normalised form of `headerKey`. */
const ALIASES: Record<RosterField, string[]> = {
  educationId: ['教育id', '教育id号', '教育号', 'educationid'],
  name: ['姓名', '学生姓名', 'name'],
  gender: ['性别', 'gender', 'sex'],
  birthDate: ['出生日期', '出生年月日', '生日', 'birthdate', 'dateofbirth'],
  idNumber: ['身份证号', '身份证号码', '身份证件号', '证件号码', 'idnumber', 'idcardnumber'],
  grade: ['年级', 'grade'],
  class: ['班级', '班号', '班', 'class', 'classno', 'classnumber'],
  studentNo: ['学号', '学生证号', 'studentno', 'studentnumber', 'studentid'],
  salaried: ['有工资收入', '是否有工资收入', '有无工资收入', '工资收入', 'salaried'],
  college: ['院系', '学院', '所在院系', '所在学院', '院系名称', '学院名称', 'college', 'department', 'faculty'],
  major: ['专业', '专业名称', '所学专业', 'major'],
  // Not the generic 层次, 培养类别, level or 全日制: files that imported before 0053 use those for other things (an English export's Level is its 年级).
  studyLevel: ['培养层次', '学历层次', 'studylevel'],
  fullTime: ['学习形式', '是否全日制', 'studymode', 'fulltime'],
};

/**
 * Case, spaces, underscores, hyphens, a required-marker `*` and a trailing note in brackets
 * ("姓名（必填）", "Education_ID *", "金额（元）") do not matter.
 */
function headerKey(cell: string): string {
  return cleanCell(cell).toLowerCase().replace(/\(.*\)$/, '').replace(/[\s_*-]/g, '');
}

/** The column of each field the file has: every required one, and the optional ones it holds. */
export type ColumnMap<F extends string = RosterField> = Partial<Record<F, number>>;

export interface ColumnSet<F extends string = RosterField> {
  required: readonly F[];
  optional: readonly F[];
  /** Fields whose first column wins when two name them (培养层次 and 学历层次 in one 学籍 export); any other field in two columns refuses the file. */
  firstWins?: readonly F[];
}
export type RosterColumnSet = ColumnSet<RosterField>;

interface HeaderMatch<F extends string> {
  columns: ColumnMap<F>;
  missing: F[];
  duplicated: F[];
}

function matchHeader<F extends string>(cells: string[], wanted: ColumnSet<F>, fieldByAlias: Map<string, F>): HeaderMatch<F> {
  const fields = new Set([...wanted.required, ...wanted.optional]);
  const columns: ColumnMap<F> = {};
  const duplicated: F[] = [];
  cells.forEach((cell, index) => {
    const field = fieldByAlias.get(headerKey(cell));
    // A column this kind of roster does not use (a university's 年级, say) is ignored like any other.
    if (!field || !fields.has(field)) return;
    if (columns[field] === undefined) columns[field] = index;
    else if (!wanted.firstWins?.includes(field)) duplicated.push(field);
  });
  return { columns, missing: wanted.required.filter((f) => columns[f] === undefined), duplicated };
}

/** Exported workbooks often open with a title row or two ("2025 级学生名单") above the header. */
const HEADER_SEARCH_ROWS = 10;

/**
 * Finds the header of a spreadsheet file among its first rows: the first one naming every
 * required column by one of its `aliases` (in `headerKey` form). When none does, the file is
 * refused with `missingCode`, naming the columns missing from the closest candidate; a field in
 * two columns is refused too.
 */
export function findColumns<F extends string>(records: string[][], wanted: ColumnSet<F>, aliases: Record<F, readonly string[]>, missingCode: string): { headerIndex: number; columns: ColumnMap<F> } {
  const fieldByAlias = new Map((Object.entries(aliases) as [F, readonly string[]][]).flatMap(([field, names]) => names.map((n) => [n, field] as const)));
  const candidates = records.slice(0, HEADER_SEARCH_ROWS).map((cells) => matchHeader(cells, wanted, fieldByAlias));
  const headerIndex = candidates.findIndex((c) => c.missing.length === 0);
  const header = candidates[headerIndex];
  if (!header) {
    const closest = candidates.reduce((best, c) => (c.missing.length < best.missing.length ? c : best));
    throw fail(missingCode, { missing: closest.missing });
  }
  if (header.duplicated.length > 0) throw fail('ROSTER_COLUMN_DUPLICATE', { duplicated: header.duplicated });
  return { headerIndex, columns: header.columns };
}

/** A roster's header: `findColumns` with the roster's column names. */
export function findHeader(records: string[][], wanted: RosterColumnSet): { headerIndex: number; columns: ColumnMap } {
  return findColumns(records, { ...wanted, firstWins: ['studyLevel', 'fullTime'] }, ALIASES, 'ROSTER_COLUMNS_MISSING');
}
