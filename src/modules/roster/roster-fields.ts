import { isIsoDate } from '../../domain/calendar.js';

/**
 * Cell values as schools type them in Excel, read into one form. Each reader returns null
 * when it cannot make sense of the cell; the caller reports the row.
 */

/** Full-width letters, digits and brackets (ＭＦ１２（３）) read like their ASCII forms. */
export function cleanCell(raw: string): string {
  return raw.normalize('NFKC').trim();
}

export function readGender(raw: string): 'M' | 'F' | null {
  const s = cleanCell(raw).toUpperCase();
  if (s === '男' || s === 'M') return 'M';
  if (s === '女' || s === 'F') return 'F';
  return null;
}

const DASHED_OR_SLASHED = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** YYYY-MM-DD, YYYYMMDD or YYYY/M/D (Excel's own date format) → YYYY-MM-DD, if a real date. */
export function readDate(raw: string): string | null {
  const s = cleanCell(raw);
  const dashed = DASHED_OR_SLASHED.exec(s);
  const parts = dashed ? [dashed[1], dashed[3], dashed[4]] : COMPACT.exec(s)?.slice(1, 4);
  if (!parts) return null;
  const [year, month, day] = parts as [string, string, string];
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

/** 1–12 from "7", "07", "7年级", "七年级", "初一" (= 7) or "高三" (= 12). */
export function readGrade(raw: string): number | null {
  const s = cleanCell(raw).replace(/年级$/, '');
  const stage = /^[初高]/.exec(s)?.[0] ?? '';
  const rest = s.slice(stage.length);
  const n = /^\d{1,2}$/.test(rest) ? Number(rest) : CHINESE_NUMERALS.indexOf(rest) + 1;
  if (stage) return n >= 1 && n <= 3 ? n + (stage === '初' ? 6 : 9) : null;
  return n >= 1 && n <= 12 ? n : null;
}

/** "3班", "(3)班", "（03）" → "3" / "03": the class number as a school writes it, without decoration. */
export function readClassNo(raw: string): string {
  return cleanCell(raw).replace(/班$/, '').replace(/^\((.*)\)$/, '$1').trim();
}

/**
 * The key a class is matched by. Excel drops leading zeros from numeric cells, so class "03"
 * in the database must match "3" in the file: digits compare as numbers.
 */
export function classKey(grade: number, classNo: string): string {
  const canonical = /^\d+$/.test(classNo) ? String(Number(classNo)) : classNo;
  return `${grade}/${canonical}`;
}

/** 学号 as schools write them: letters, digits and hyphens (Excel's 2.02311E+09 is refused). */
export function readStudentNo(raw: string): string | null {
  const s = cleanCell(raw);
  return /^[A-Za-z0-9-]{1,32}$/.test(s) ? s : null;
}

const YES = new Set(['是', '有', 'Y', 'YES', 'TRUE', '1']);
const NO = new Set(['否', '无', 'N', 'NO', 'FALSE', '0']);

/** 是 / 否 (or 有 / 无, Y / N, yes / no, true / false, 1 / 0). */
export function readYesNo(raw: string): boolean | null {
  const s = cleanCell(raw).toUpperCase();
  return YES.has(s) ? true : NO.has(s) ? false : null;
}
