import { DomainError } from './errors.js';

/**
 * Calendar rules over an injected day lookup. Holidays and make-up working days move every
 * year, so they are data (operators edit a calendar table); these helpers refuse to guess
 * when a day is not loaded instead of assuming "weekends off".
 *
 * Dates are plain 'YYYY-MM-DD' strings meaning a day in Asia/Shanghai.
 */

export interface DayInfo {
  date: string;
  isWorkingDay: boolean;
  isHoliday: boolean;
  isVacation: boolean;
}

export type DayLookup = (date: string) => DayInfo | undefined;

/** The student cloud card takes fees on Mondays and Tuesdays only (seed 001). */
export const DEFAULT_PAYMENT_WEEKDAYS: readonly number[] = [1, 2];

/** A search for a working day or window gives up after this many days: the data must be wrong. */
const MAX_SCAN_DAYS = 366;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2026-02-30, 2026-2-3). */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps the year as written.
  utc.setUTCFullYear(year);
  return utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
}

function assertIsoDate(s: string): void {
  if (!isIsoDate(s)) {
    throw new DomainError('DATE_FORMAT', '日期格式应为 YYYY-MM-DD', 'A date must be a real date written YYYY-MM-DD', { date: s });
  }
}

/** Midnight UTC of the date: date arithmetic in UTC has no DST or zone surprises. */
function utcOf(date: string): Date {
  assertIsoDate(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utc = new Date(Date.UTC(y, m - 1, d));
  utc.setUTCFullYear(y);
  return utc;
}

function isoOfUtc(utc: Date): string {
  const y = String(utc.getUTCFullYear()).padStart(4, '0');
  const m = String(utc.getUTCMonth() + 1).padStart(2, '0');
  const d = String(utc.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** The date `days` later (or earlier when negative). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) {
    throw new DomainError('DATE_FORMAT', '天数必须是整数', 'The number of days must be an integer', { days });
  }
  const utc = utcOf(date);
  utc.setUTCDate(utc.getUTCDate() + days);
  return isoOfUtc(utc);
}

/** ISO weekday: 1 = Monday .. 7 = Sunday. */
export function weekdayOf(date: string): number {
  const sundayZero = utcOf(date).getUTCDay();
  return sundayZero === 0 ? 7 : sundayZero;
}

const shanghaiFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Beijing at `instant`: business days turn over at Beijing midnight, not UTC. */
export function shanghaiDate(instant: Date): string {
  if (Number.isNaN(instant.getTime())) {
    throw new DomainError('DATE_FORMAT', '时间无效', 'The instant is not a valid time');
  }
  const parts = shanghaiFormatter.formatToParts(instant);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** 'YYYY-MM-DD HH:mm' in Beijing time, as texts and slips print it. */
export function beijingMinute(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** Midnight in Beijing of a 'YYYY-MM-DD' day, as an instant. */
export function beijingMidnight(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

/** The Beijing calendar month holding `instant` ("2026-12") and the instants it runs between. */
export function shanghaiMonthRange(instant: Date): { month: string; from: Date; to: Date } {
  const [y, m] = shanghaiDate(instant).split('-').map(Number) as [number, number];
  return {
    month: `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`,
    from: new Date(Date.UTC(y, m - 1, 1) - SHANGHAI_OFFSET_MS),
    to: new Date(Date.UTC(y, m, 1) - SHANGHAI_OFFSET_MS),
  };
}

function loadedDay(date: string, lookup: DayLookup): DayInfo {
  const day = lookup(date);
  if (!day) {
    throw new DomainError(
      'CALENDAR_YEAR_NOT_LOADED',
      `${date.slice(0, 4)} 年的工作日历尚未导入`,
      `The working-day calendar for ${date.slice(0, 4)} is not loaded`,
      { date, year: Number(date.slice(0, 4)) },
    );
  }
  return day;
}

/** A holiday flagged as a working day is contradictory data; treat it as a day off (the safe side). */
function isWorkingDay(day: DayInfo): boolean {
  return day.isWorkingDay && !day.isHoliday;
}

/**
 * The date `n` working days after `startDate`; the start day itself is not counted, so
 * "production takes 20 working days" from an order placed today is addWorkingDays(today, 20).
 * School vacations do not matter here: the card centre works through them.
 */
export function addWorkingDays(startDate: string, n: number, lookup: DayLookup): string {
  if (!Number.isInteger(n) || n < 0) {
    throw new DomainError('WORKING_DAYS_INVALID', '工作日天数必须是非负整数', 'The number of working days must be a non-negative integer', { n });
  }
  let date = startDate;
  let counted = 0;
  let sinceLastWorkingDay = 0;
  while (counted < n) {
    date = addDays(date, 1);
    if (isWorkingDay(loadedDay(date, lookup))) {
      counted += 1;
      sinceLastWorkingDay = 0;
    } else if (++sinceLastWorkingDay > MAX_SCAN_DAYS) {
      throw new DomainError('CALENDAR_NO_WORKING_DAY', '日历中长期没有工作日，请检查日历数据', 'The calendar has no working day for over a year; check the calendar data', { date });
    }
  }
  return date;
}

const weekdayNamesZh = ['一', '二', '三', '四', '五', '六', '日'];

/** ISO weekdays (1 = Monday) as a text says them: [1, 2] → '周一、周二'. */
export function weekdaysZh(weekdays: readonly number[]): string {
  return weekdays.map((day) => `周${weekdayNamesZh[day - 1] ?? day}`).join('、');
}

function assertWeekdays(allowedWeekdays: readonly number[]): void {
  const bad = allowedWeekdays.length === 0 || allowedWeekdays.some((w) => !Number.isInteger(w) || w < 1 || w > 7);
  if (bad) {
    throw new DomainError('PAYMENT_WEEKDAYS_INVALID', '缴费日必须是 1（周一）到 7（周日）', 'Payment weekdays must be 1 (Monday) to 7 (Sunday)', { allowedWeekdays });
  }
}

/**
 * Fees are taken only on the allowed weekdays (Monday and Tuesday by default) when that day is
 * a working day, not a public holiday and not a school vacation. A make-up working Saturday is
 * still a Saturday, so it stays closed. `weekday` defaults to the day's own weekday.
 */
export function isPaymentWindowOpen(
  day: DayInfo,
  weekday: number = weekdayOf(day.date),
  allowedWeekdays: readonly number[] = DEFAULT_PAYMENT_WEEKDAYS,
): boolean {
  return allowedWeekdays.includes(weekday) && day.isWorkingDay && !day.isHoliday && !day.isVacation;
}

export interface PaymentWindow {
  /** First open day, `fromDate` itself when the window is open that day. */
  startDate: string;
  /** Last open day of the same run of consecutive open days (a Tuesday, usually). */
  endDate: string;
}

/** Checks the weekday first, so days that cannot be open never need the calendar loaded. */
function isOpenOn(date: string, lookup: DayLookup, allowedWeekdays: readonly number[]): boolean {
  const weekday = weekdayOf(date);
  return allowedWeekdays.includes(weekday) && isPaymentWindowOpen(loadedDay(date, lookup), weekday, allowedWeekdays);
}

/** The next payment window at or after `fromDate`, so the app can say when the pay button opens. */
export function nextPaymentWindow(
  fromDate: string,
  lookup: DayLookup,
  allowedWeekdays: readonly number[] = DEFAULT_PAYMENT_WEEKDAYS,
): PaymentWindow {
  assertWeekdays(allowedWeekdays);
  let startDate = fromDate;
  for (let scanned = 0; !isOpenOn(startDate, lookup, allowedWeekdays); scanned++) {
    if (scanned >= MAX_SCAN_DAYS) {
      throw new DomainError('PAYMENT_WINDOW_NONE', '一年内没有可缴费的日期', 'No payment day within a year', { fromDate });
    }
    startDate = addDays(startDate, 1);
  }
  return { startDate, endDate: lastOpenDay(startDate, lookup, allowedWeekdays) };
}

/**
 * The window a payer should be told about on `today`: while one is open, the whole current window
 * (Monday to Tuesday on the Tuesday too, not just what is left of it); else the next one.
 */
export function currentOrNextPaymentWindow(
  today: string,
  lookup: DayLookup,
  allowedWeekdays: readonly number[] = DEFAULT_PAYMENT_WEEKDAYS,
): PaymentWindow {
  assertWeekdays(allowedWeekdays);
  if (!isOpenOn(today, lookup, allowedWeekdays)) return nextPaymentWindow(today, lookup, allowedWeekdays);
  return { startDate: firstOpenDay(today, lookup, allowedWeekdays), endDate: lastOpenDay(today, lookup, allowedWeekdays) };
}

/** Walks an open day back through the open days before it; an unloaded day ends the walk. */
function firstOpenDay(openDate: string, lookup: DayLookup, allowedWeekdays: readonly number[]): string {
  let startDate = openDate;
  for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned++) {
    const previous = addDays(startDate, -1);
    const weekday = weekdayOf(previous);
    const day = allowedWeekdays.includes(weekday) ? lookup(previous) : undefined;
    if (!day || !isPaymentWindowOpen(day, weekday, allowedWeekdays)) return startDate;
    startDate = previous;
  }
  return startDate;
}

/**
 * Extends an open day through the following open days. An unloaded day ends the window: we
 * only promise what the calendar says. Capped so an always-open calendar cannot loop forever.
 */
function lastOpenDay(openDate: string, lookup: DayLookup, allowedWeekdays: readonly number[]): string {
  let endDate = openDate;
  for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned++) {
    const next = addDays(endDate, 1);
    const weekday = weekdayOf(next);
    const day = allowedWeekdays.includes(weekday) ? lookup(next) : undefined;
    if (!day || !isPaymentWindowOpen(day, weekday, allowedWeekdays)) return endDate;
    endDate = next;
  }
  return endDate;
}
