import { addWorkingDays, currentOrNextPaymentWindow, DEFAULT_PAYMENT_WEEKDAYS, isPaymentWindowOpen, shanghaiDate, weekdayOf, addDays, type DayInfo, type DayLookup } from '../../domain/calendar.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './calendar.errors.js';
import { calendarRepository as repo } from './calendar.repository.js';
import { daysOfYear, noOfficialDays } from './seed-calendar.js';

const paymentWeekdaysKey = 'payment_window_weekdays';

function toDayInfo(row: { date: string; is_working_day: boolean; is_holiday: boolean; is_vacation: boolean }): DayInfo {
  return { date: row.date, isWorkingDay: row.is_working_day, isHoliday: row.is_holiday, isVacation: row.is_vacation };
}

/**
 * A day lookup over [from, from + spanDays] read in one query; a day outside the loaded years
 * is undefined, and the domain helpers then refuse with CALENDAR_YEAR_NOT_LOADED.
 */
export async function loadDayLookup(db: DbOrTx, from: string, spanDays = 400): Promise<DayLookup> {
  const rows = await repo.daysBetween(db, from, addDays(from, spanDays));
  const days = new Map(rows.map((r) => [r.date, toDayInfo(r)]));
  return (date) => days.get(date);
}

/** The date `workingDays` working days after `from` (e.g. a replacement card's ready date). */
export async function workingDaysAfter(db: DbOrTx, from: string, workingDays: number): Promise<string> {
  return addWorkingDays(from, workingDays, await loadDayLookup(db, from, workingDays * 3 + 60));
}

export async function paymentWeekdays(db: DbOrTx): Promise<number[]> {
  return (await repo.getSetting<number[]>(db, paymentWeekdaysKey)) ?? [...DEFAULT_PAYMENT_WEEKDAYS];
}

/**
 * Is a fee payable today, and which window to name (seed 001: Mondays and Tuesdays, not holidays
 * or vacations): the one open now, whole (Monday to Tuesday), while one is open; else the next.
 */
export async function paymentWindowStatus(db: DbOrTx, clock: Clock) {
  const today = shanghaiDate(clock.now());
  const weekdays = await paymentWeekdays(db);
  // From a month back, so an open window is named from its first day.
  const lookup = await loadDayLookup(db, addDays(today, -31), 151);
  const day = lookup(today);
  if (!day) throw fail('CALENDAR_YEAR_NOT_LOADED', { date: today });
  const open = isPaymentWindowOpen(day, weekdayOf(today), weekdays);
  let next: { startDate: string; endDate: string } | null = null;
  try {
    next = currentOrNextPaymentWindow(today, lookup, weekdays);
  } catch {
    next = null; // the next window lies beyond the loaded calendar
  }
  return { today, open, weekdays, next };
}

/** Throws PAYMENT_WINDOW_CLOSED (with the next window) unless fees are payable now. */
export async function assertPaymentWindowOpen(db: DbOrTx, clock: Clock): Promise<void> {
  const status = await paymentWindowStatus(db, clock);
  if (!status.open) throw fail('PAYMENT_WINDOW_CLOSED', { next: status.next, weekdays: status.weekdays });
}

export async function calendarMonth(db: DbOrTx, year: number, month: number) {
  const from = `${year}-${String(month).padStart(2, '0')}-01`;
  const nextMonthFirst = `${addDays(from, 31).slice(0, 7)}-01`;
  const to = addDays(nextMonthFirst, -1);
  const rows = await repo.daysBetween(db, from, to);
  const years = await repo.loadedYearSources(db);
  return {
    loadedYears: years.map((y) => y.year),
    provisionalYears: years.filter((y) => y.source === 'operator').map((y) => y.year),
    days: rows.map((r) => ({ ...toDayInfo(r), name: r.name, edited: r.edited_by !== null })),
  };
}

/** From October on, next year's calendar should be there: the year that is missing, if it is not. */
export async function nextYearMissing(db: DbOrTx, clock: Clock): Promise<number | null> {
  const [year, month] = shanghaiDate(clock.now()).split('-').map(Number) as [number, number];
  if (month < 10 || (await repo.loadedYears(db)).includes(year + 1)) return null;
  return year + 1;
}

/**
 * A year the library does not know yet (the State Council announces the holidays late in the
 * year before, and the library follows): an operator opens it with weekdays working and weekends
 * off, then marks the holidays and make-up days of the notice day by day. Without it, fee
 * payment windows and ready dates stop at the end of the last loaded year. When the library
 * learns the year, the start-up seeding takes it over, keeping the days operators edited.
 */
export async function openYearFromWeekdays(db: DbOrTx, clock: Clock, actor: AuditActor, year: number, requestId: string | null) {
  return inTransaction(db, async (tx) => {
    const opened = await repo.insertYear(tx, year, 'operator', clock.now(), daysOfYear(year, clock.now(), noOfficialDays));
    if (!opened) throw fail('CALENDAR_YEAR_LOADED', { year });
    await recordAudit(tx, clock, { actor, action: 'calendar.year_opened', entityType: 'calendar_year', entityId: String(year), after: { year, source: 'operator' }, requestId });
    return { year, source: 'operator' as const };
  });
}

export interface DayChange {
  isWorkingDay: boolean;
  isHoliday: boolean;
  isVacation: boolean;
  name: string | null;
}

/** Operators correct holidays, make-up days and school vacations; every edit is audited. */
export async function editDay(db: DbOrTx, clock: Clock, actor: AuditActor, date: string, change: DayChange, requestId: string | null) {
  return inTransaction(db, async (tx) => {
    const before = await repo.findDay(tx, date);
    if (!before) throw fail('CALENDAR_YEAR_NOT_LOADED', { date });
    await repo.updateDay(tx, date, { is_working_day: change.isWorkingDay, is_holiday: change.isHoliday, is_vacation: change.isVacation, name: change.name, edited_by: actor.id, updated_at: clock.now() });
    await recordAudit(tx, clock, { actor, action: 'calendar.day_edited', entityType: 'calendar_day', entityId: date, before: toDayInfo(before), after: change, requestId });
    return { date, ...change };
  });
}

export async function setPaymentWeekdays(db: DbOrTx, clock: Clock, actor: AuditActor, weekdays: number[], requestId: string | null) {
  const sorted = [...new Set(weekdays)].sort();
  return inTransaction(db, async (tx) => {
    const before = await paymentWeekdays(tx);
    await repo.putSetting(tx, paymentWeekdaysKey, sorted, clock.now(), actor.id);
    await recordAudit(tx, clock, { actor, action: 'settings.payment_weekdays', entityType: 'setting', entityId: paymentWeekdaysKey, before, after: sorted, requestId });
    return { weekdays: sorted };
  });
}
