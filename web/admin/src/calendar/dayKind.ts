import type { CalendarDay } from '../payments/types.js';

/** ISO weekday of a 'YYYY-MM-DD' date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

export type DayType = 'working' | 'holiday' | 'rest';

/** What the editor offers for a day: a working day, a public holiday, or an ordinary day off. */
export function dayTypeOf(day: Pick<CalendarDay, 'isWorkingDay' | 'isHoliday'>): DayType {
  if (day.isWorkingDay) return 'working';
  return day.isHoliday ? 'holiday' : 'rest';
}

/** A working day on a weekend: a make-up day (调休上班). */
export const isMakeUpDay = (day: CalendarDay) => day.isWorkingDay && isoWeekday(day.date) >= 6;
