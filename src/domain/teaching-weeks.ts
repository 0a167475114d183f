/**
 * 教学周 (teaching weeks) of a university term, as the 教务系统 writes them. A term starts on its
 * first Monday (week 1 runs Monday to Sunday) and has a number of weeks; which week is "now" is
 * counted on the Beijing calendar (the caller passes the Beijing date). A course meets in the
 * weeks its 周次 names: "1-16", "1-16周", "1-15单" / "1-15(单)" (odd weeks), "2-16双" (even),
 * "1-8,10-16", "3,5,7". Pure: no clock, no I/O; shared by the server and the web app.
 */

export const maxTermWeeks = 30;
export const maxPeriods = 16;

const dayMs = 86_400_000;
const utcDay = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Whether a 'YYYY-MM-DD' date is a Monday. */
export function isMonday(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && isoDay(utcDay(date)) === date && new Date(utcDay(date)).getUTCDay() === 1;
}

/**
 * The teaching week holding `today` (a Beijing date): 1 in the term's first Monday-to-Sunday, and
 * so on. 0 or less before the term begins, more than `weeks` after it ends (the caller decides
 * what to show then: see `shownWeek`).
 */
export function teachingWeek(firstMonday: string, today: string): number {
  return Math.floor((utcDay(today) - utcDay(firstMonday)) / dayMs / 7) + 1;
}

/** The week to show first: the current one, or the first before the term and the last after it. */
export function shownWeek(firstMonday: string, weeks: number, today: string): number {
  return Math.min(Math.max(teachingWeek(firstMonday, today), 1), weeks);
}

/** Whether `today` falls inside the term's weeks. */
export function isInTerm(firstMonday: string, weeks: number, today: string): boolean {
  const week = teachingWeek(firstMonday, today);
  return week >= 1 && week <= weeks;
}

/** The date of a weekday (1 = Monday … 7 = Sunday) in a teaching week. */
export function dateOfTeachingDay(firstMonday: string, week: number, weekday: number): string {
  return isoDay(utcDay(firstMonday) + ((week - 1) * 7 + (weekday - 1)) * dayMs);
}

/** The term's last day (the Sunday of its last week). */
export function termLastDay(firstMonday: string, weeks: number): string {
  return dateOfTeachingDay(firstMonday, weeks, 7);
}

const segment = /^(\d{1,2})(?:-(\d{1,2}))?$/;

/**
 * 周次 to the sorted weeks it names, or null when it cannot be read or names a week outside
 * 1…`termWeeks`. 单 / 双 (odd / even; also "(单)", "单周") keep only those weeks of the one range
 * they follow, never the other ranges: "1-7,9-15单" is weeks 1–7 and the odd weeks 9–15 (odd
 * weeks throughout are "1-15单" or "1-7单,9-15单"). Separators: , ， 、 ; and spaces.
 */
export function parseWeeks(text: string, termWeeks: number = maxTermWeeks): number[] | null {
  const cleaned = text.normalize('NFKC').replace(/\s+/g, '').replace(/^第/, '').replace(/[（(]([单双])周?[)）]/g, '$1').replace(/周/g, '').replace(/[，、;；]/g, ',');
  if (cleaned === '') return null;
  const parts = cleaned.split(',');
  const weeks = new Set<number>();
  for (const part of parts) {
    const parity = part.endsWith('单') ? 1 : part.endsWith('双') ? 0 : null;
    const range = segment.exec(parity === null ? part : part.slice(0, -1));
    if (!range) return null;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1 || to < from || to > termWeeks) return null;
    let added = 0;
    for (let w = from; w <= to; w++) {
      if (parity === null || w % 2 === parity) {
        weeks.add(w);
        added += 1;
      }
    }
    // "2单" names no odd week: a typo, not an empty course.
    if (added === 0) return null;
  }
  return [...weeks].sort((a, b) => a - b);
}

/** 节次 ("1-2", "3-4节", "第5-6节", "7") to the first and last period, or null. */
export function parsePeriods(text: string): { first: number; last: number } | null {
  const cleaned = text.normalize('NFKC').replace(/\s+/g, '').replace(/^第/, '').replace(/节$/, '');
  const range = segment.exec(cleaned);
  if (!range) return null;
  const first = Number(range[1]);
  const last = range[2] === undefined ? first : Number(range[2]);
  if (first < 1 || last < first || last > maxPeriods) return null;
  return { first, last };
}

/** Whether a course of these weeks meets in `week`. */
export const meetsInWeek = (weeks: readonly number[], week: number): boolean => weeks.includes(week);

/** 星期 as 教务 exports write it (1–7, 一…日/天, 周一, 星期一, Mon…) to 1 (Monday) … 7, or null. */
export function parseWeekday(text: string): number | null {
  const cleaned = text.normalize('NFKC').replace(/\s+/g, '').replace(/^(星期|周|礼拜)/, '').toLowerCase();
  if (/^[1-7]$/.test(cleaned)) return Number(cleaned);
  const zh = ['一', '二', '三', '四', '五', '六', '日'].indexOf(cleaned);
  if (zh >= 0) return zh + 1;
  if (cleaned === '天') return 7;
  const en = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].findIndex((d) => cleaned.startsWith(d) && cleaned.length <= 9);
  return en >= 0 ? en + 1 : null;
}

/**
 * A term's code: 学年 and 学期, "2025-2026-1" (1 autumn, 2 spring, 3 summer). The second year
 * follows the first. Its title in Chinese and English.
 */
export function isTermCode(code: string): boolean {
  const m = /^(\d{4})-(\d{4})-([1-3])$/.exec(code);
  return m !== null && Number(m[2]) === Number(m[1]) + 1;
}

const termWordsZh = ['', '第一学期', '第二学期', '夏季学期'];
const termWordsEn = ['', 'autumn term', 'spring term', 'summer term'];

export function termTitle(code: string, lang: 'zh-CN' | 'en'): string {
  const [from, to, n] = code.split('-');
  return lang === 'en' ? `${from}–${to} ${termWordsEn[Number(n)] ?? ''}` : `${from}-${to}学年${termWordsZh[Number(n)] ?? ''}`;
}

/**
 * The term to show when none is asked for: the one whose weeks hold `today`; between terms (a
 * vacation) the next one the university has registered, else the last one that began.
 */
export function currentTerm<T extends { firstMonday: string; weeks: number }>(terms: readonly T[], today: string): T | null {
  const sorted = [...terms].sort((a, b) => a.firstMonday.localeCompare(b.firstMonday));
  return sorted.find((t) => isInTerm(t.firstMonday, t.weeks, today)) ?? sorted.find((t) => t.firstMonday > today) ?? sorted.at(-1) ?? null;
}
