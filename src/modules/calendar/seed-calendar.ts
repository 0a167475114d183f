import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, weekdayOf } from '../../domain/calendar.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { calendarRepository as repo } from './calendar.repository.js';

/** chinese-days lists official holidays and make-up working days as 'date' → 'English,中文,n'. */
const source = chineseDays as { holidays: Record<string, string>; workdays: Record<string, string> };

export function yearsInChineseDays(): number[] {
  return [...new Set(Object.keys(source.holidays).map((d) => Number(d.slice(0, 4))))].sort();
}

function chineseName(entry: string | undefined): string | null {
  return entry?.split(',')[1] ?? null;
}

/** Every day of a year: weekends off, official holidays off, make-up days (调休) on. */
export function daysOfYear(year: number, at: Date) {
  const days = [];
  for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
    const holiday = source.holidays[date];
    const makeUp = source.workdays[date];
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
 * Loads the years chinese-days knows and the table does not, one transaction per year. A loaded
 * year is never overwritten, so operators' edits survive upgrades of the library.
 */
export async function seedCalendar(db: DbOrTx, clock: Clock): Promise<number[]> {
  const loaded = new Set(await repo.loadedYears(db));
  const added: number[] = [];
  for (const year of yearsInChineseDays().filter((y) => !loaded.has(y))) {
    const inserted = await inTransaction(db, (tx) => repo.insertYear(tx, year, 'chinese-days', clock.now(), daysOfYear(year, clock.now())));
    if (inserted) added.push(year);
  }
  return added;
}
