import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, weekdayOf } from '../../domain/calendar.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { calendarRepository as repo } from './calendar.repository.js';

/** Official holidays and make-up working days as 'date' → 'English,中文,n' (chinese-days' shape). */
export interface OfficialDays {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const official = chineseDays as OfficialDays;
/** No official days known: a year of weekdays and weekends only. */
export const noOfficialDays: OfficialDays = { holidays: {}, workdays: {} };

export function yearsInChineseDays(days: OfficialDays = official): number[] {
  return [...new Set(Object.keys(days.holidays).map((d) => Number(d.slice(0, 4))))].sort();
}

function chineseName(entry: string | undefined): string | null {
  return entry?.split(',')[1] ?? null;
}

/** Every day of a year: weekends off, official holidays off, make-up days (调休) on. */
export function daysOfYear(year: number, at: Date, known: OfficialDays = official) {
  const days = [];
  for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
    const holiday = known.holidays[date];
    const makeUp = known.workdays[date];
    const weekend = weekdayOf(date) >= 6;
    days.push({
      date,
      is_working_day: makeUp !== undefined || (!weekend && holiday === undefined),
      is_holiday: holiday !== undefined,
      is_vacation: false,
      name: chineseName(holiday ?? makeUp),
      edited_by: null,
      updated_at: at,
    });
  }
  return days;
}

/**
 * Loads the years chinese-days knows and the table does not, one transaction per year, and takes
 * over the years operators opened before the library knew them: their days become the official
 * ones, except the days an operator edited. A year loaded from the library is never overwritten,
 * so operators' edits survive upgrades of the library.
 */
export async function seedCalendar(db: DbOrTx, clock: Clock, known: OfficialDays = official): Promise<number[]> {
  const loaded = new Map((await repo.loadedYearSources(db)).map((y) => [y.year, y.source]));
  const added: number[] = [];
  for (const year of yearsInChineseDays(known)) {
    const source = loaded.get(year);
    if (source === 'chinese-days') continue;
    const days = daysOfYear(year, clock.now(), known);
    const done = await inTransaction(db, (tx) => (source === 'operator' ? repo.replaceUneditedDays(tx, year, 'chinese-days', clock.now(), days) : repo.insertYear(tx, year, 'chinese-days', clock.now(), days)));
    if (done) added.push(year);
  }
  return added;
}
