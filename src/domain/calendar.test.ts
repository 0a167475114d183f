import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addWorkingDays,
  currentOrNextPaymentWindow,
  isIsoDate,
  isPaymentWindowOpen,
  nextPaymentWindow,
  shanghaiDate,
  weekdayOf,
  type DayInfo,
  type DayLookup,
} from './calendar.js';

/**
 * A hand-written 2026 calendar: weekends off, National Day 1-7 October off, make-up working
 * days on Sunday 20 September and Saturday 10 October, summer vacation 11 July - 31 August.
 * 2027 is deliberately not loaded.
 */
const HOLIDAYS = new Set(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']);
const MAKE_UP_WORKING_DAYS = new Set(['2026-09-20', '2026-10-10']);
const WEEKENDS_2026 = new Set<string>();
for (let d = '2026-01-03'; d < '2027-01-01'; d = addDays(d, 7)) {
  WEEKENDS_2026.add(d); // Saturdays from 3 January 2026
  WEEKENDS_2026.add(addDays(d, 1));
}

const lookup2026: DayLookup = (date) => {
  if (!date.startsWith('2026-')) return undefined;
  const isHoliday = HOLIDAYS.has(date);
  const isWorkingDay = MAKE_UP_WORKING_DAYS.has(date) || (!isHoliday && !WEEKENDS_2026.has(date));
  return { date, isWorkingDay, isHoliday, isVacation: date >= '2026-07-11' && date <= '2026-08-31' };
};

function day(date: string, overrides: Partial<DayInfo> = {}): DayInfo {
  return { ...lookup2026(date)!, ...overrides };
}

describe('date helpers', () => {
  it('isIsoDate accepts real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-2-3')).toBe(false);
    expect(isIsoDate('2026-10-01T00:00')).toBe(false);
    expect(isIsoDate('0099-01-01')).toBe(true);
  });

  it('weekdayOf numbers Monday 1 to Sunday 7', () => {
    expect(weekdayOf('2026-10-01')).toBe(4); // National Day 2026 is a Thursday
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(weekdayOf('2026-10-11')).toBe(7);
    expect(weekdayOf('2026-10-12')).toBe(1);
    expect(weekdayOf('2024-02-29')).toBe(4);
  });

  it('addDays crosses months, leap days and years, both ways', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-10-01', 0)).toBe('2026-10-01');
    expect(() => addDays('2026-02-30', 1)).toThrow(expect.objectContaining({ code: 'DATE_FORMAT' }));
    expect(() => addDays('2026-10-01', 0.5)).toThrow(expect.objectContaining({ code: 'DATE_FORMAT' }));
  });

  it('shanghaiDate turns the day over at Beijing midnight (16:00 UTC)', () => {
    expect(shanghaiDate(new Date('2026-09-30T15:59:59.999Z'))).toBe('2026-09-30');
    expect(shanghaiDate(new Date('2026-09-30T16:00:00Z'))).toBe('2026-10-01');
    expect(shanghaiDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(() => shanghaiDate(new Date('nonsense'))).toThrow(expect.objectContaining({ code: 'DATE_FORMAT' }));
  });

  it('property: addDays is reversible and keeps the weekday every 7 days', () => {
    const date = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        expect(addDays(addDays(d, n), -n)).toBe(d);
        expect(weekdayOf(addDays(d, 7 * Math.trunc(n / 7)))).toBe(weekdayOf(d));
      }),
    );
  });

  it('property: shanghaiDate is the UTC date 8 hours later (China keeps UTC+8 all year)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (instant) => {
        expect(shanghaiDate(instant)).toBe(new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10));
      }),
    );
  });
});

describe('addWorkingDays', () => {
  it('skips the National Day week: one working day after 30 September is 8 October', () => {
    expect(addWorkingDays('2026-09-30', 1, lookup2026)).toBe('2026-10-08');
  });

  it('counts a make-up Saturday as a working day', () => {
    expect(addWorkingDays('2026-10-09', 1, lookup2026)).toBe('2026-10-10');
  });

  it('does not count the start day', () => {
    expect(addWorkingDays('2026-10-12', 1, lookup2026)).toBe('2026-10-13');
    expect(addWorkingDays('2026-10-12', 0, lookup2026)).toBe('2026-10-12');
  });

  it('20 working days of card production from Friday 25 September end on 29 October', () => {
    expect(addWorkingDays('2026-09-25', 20, lookup2026)).toBe('2026-10-29');
  });

  it('counts vacation days that are working days (the card centre works through school vacations)', () => {
    expect(addWorkingDays('2026-07-10', 1, lookup2026)).toBe('2026-07-13');
  });

  it('treats a holiday wrongly flagged as working as a day off', () => {
    const contradictory: DayLookup = (date) => (date === '2026-10-13' ? day(date, { isHoliday: true }) : lookup2026(date));
    expect(addWorkingDays('2026-10-12', 1, contradictory)).toBe('2026-10-14');
  });

  it('refuses to compute into a year that is not loaded', () => {
    expect(() => addWorkingDays('2026-12-20', 20, lookup2026)).toThrow(
      expect.objectContaining({ code: 'CALENDAR_YEAR_NOT_LOADED', details: { date: '2027-01-01', year: 2027 } }),
    );
  });

  it('stops instead of looping when the calendar never has a working day', () => {
    const allHolidays: DayLookup = (date) => ({ date, isWorkingDay: false, isHoliday: true, isVacation: false });
    expect(() => addWorkingDays('2026-01-01', 1, allHolidays)).toThrow(expect.objectContaining({ code: 'CALENDAR_NO_WORKING_DAY' }));
  });

  it('refuses a negative or fractional count', () => {
    expect(() => addWorkingDays('2026-10-12', -1, lookup2026)).toThrow(expect.objectContaining({ code: 'WORKING_DAYS_INVALID' }));
    expect(() => addWorkingDays('2026-10-12', 1.5, lookup2026)).toThrow(expect.objectContaining({ code: 'WORKING_DAYS_INVALID' }));
  });

  it('property: the result is a working day with exactly n working days in (start, result]', () => {
    const start = fc.integer({ min: 0, max: 300 }).map((n) => addDays('2026-01-01', n));
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 30 }), (s, n) => {
        const end = addWorkingDays(s, n, lookup2026);
        expect(lookup2026(end)!.isWorkingDay).toBe(true);
        let count = 0;
        for (let d = addDays(s, 1); d <= end; d = addDays(d, 1)) if (lookup2026(d)!.isWorkingDay) count++;
        expect(count).toBe(n);
      }),
    );
  });
});

describe('isPaymentWindowOpen', () => {
  it('is open on an ordinary Monday and Tuesday in term', () => {
    expect(isPaymentWindowOpen(day('2026-10-12'), 1)).toBe(true);
    expect(isPaymentWindowOpen(day('2026-10-13'), 2)).toBe(true);
  });

  it('is closed on other weekdays', () => {
    expect(isPaymentWindowOpen(day('2026-10-14'), 3)).toBe(false);
    expect(isPaymentWindowOpen(day('2026-10-16'), 5)).toBe(false);
  });

  it('is closed on a Monday and Tuesday inside the National Day holiday', () => {
    expect(isPaymentWindowOpen(day('2026-10-05'), 1)).toBe(false);
    expect(isPaymentWindowOpen(day('2026-10-06'), 2)).toBe(false);
  });

  it('is closed on a make-up working Saturday, which is not a Monday or Tuesday', () => {
    expect(isPaymentWindowOpen(day('2026-10-10'), 6)).toBe(false);
    // The weekday is the only reason: allow Saturdays and it opens.
    expect(isPaymentWindowOpen(day('2026-10-10'), 6, [6])).toBe(true);
  });

  it('is closed on a Monday in the school vacation', () => {
    expect(isPaymentWindowOpen(day('2026-07-13'), 1)).toBe(false);
  });

  it('is closed on a Monday that is not a working day, even if not flagged a holiday', () => {
    expect(isPaymentWindowOpen(day('2026-10-12', { isWorkingDay: false }), 1)).toBe(false);
  });

  it('takes the weekday from the date when none is given', () => {
    expect(isPaymentWindowOpen(day('2026-10-12'))).toBe(true);
    expect(isPaymentWindowOpen(day('2026-10-14'))).toBe(false);
  });
});

describe('nextPaymentWindow', () => {
  it('after the National Day week the next window is Monday 12 - Tuesday 13 October', () => {
    expect(nextPaymentWindow('2026-09-30', lookup2026)).toEqual({ startDate: '2026-10-12', endDate: '2026-10-13' });
  });

  it('starts today when today is open, and ends with the run of open days', () => {
    expect(nextPaymentWindow('2026-10-12', lookup2026)).toEqual({ startDate: '2026-10-12', endDate: '2026-10-13' });
    expect(nextPaymentWindow('2026-10-13', lookup2026)).toEqual({ startDate: '2026-10-13', endDate: '2026-10-13' });
  });

  it('skips the summer vacation: the first window after it is Tuesday 1 September', () => {
    expect(nextPaymentWindow('2026-07-10', lookup2026)).toEqual({ startDate: '2026-09-01', endDate: '2026-09-01' });
  });

  it('honours other allowed weekdays', () => {
    expect(nextPaymentWindow('2026-10-08', lookup2026, [5])).toEqual({ startDate: '2026-10-09', endDate: '2026-10-09' });
  });

  it('refuses to look into a year that is not loaded', () => {
    expect(() => nextPaymentWindow('2026-12-30', lookup2026)).toThrow(expect.objectContaining({ code: 'CALENDAR_YEAR_NOT_LOADED' }));
  });

  it('ends a window at the last loaded day rather than guessing past it', () => {
    const allOpen: DayLookup = (date) => (date <= '2026-12-31' ? { date, isWorkingDay: true, isHoliday: false, isVacation: false } : undefined);
    expect(nextPaymentWindow('2026-12-28', allOpen, [1, 2, 3, 4, 5, 6, 7])).toEqual({ startDate: '2026-12-28', endDate: '2026-12-31' });
  });

  it('refuses an empty or invalid weekday list', () => {
    expect(() => nextPaymentWindow('2026-10-12', lookup2026, [])).toThrow(expect.objectContaining({ code: 'PAYMENT_WEEKDAYS_INVALID' }));
    expect(() => nextPaymentWindow('2026-10-12', lookup2026, [0])).toThrow(expect.objectContaining({ code: 'PAYMENT_WEEKDAYS_INVALID' }));
  });

  it('property: the window found is open, and no earlier day from the start date is', () => {
    const from = fc.integer({ min: 0, max: 340 }).map((n) => addDays('2026-01-01', n));
    fc.assert(
      fc.property(from, (f) => {
        const { startDate, endDate } = nextPaymentWindow(f, lookup2026);
        for (let d = f; d < startDate; d = addDays(d, 1)) expect(isPaymentWindowOpen(lookup2026(d)!)).toBe(false);
        for (let d = startDate; d <= endDate; d = addDays(d, 1)) expect(isPaymentWindowOpen(lookup2026(d)!)).toBe(true);
        expect(isPaymentWindowOpen(lookup2026(addDays(endDate, 1))!)).toBe(false);
      }),
    );
  });
});

describe('currentOrNextPaymentWindow: the window the console and the app name', () => {
  it('on Monday 7 December 2026, inside the window, names this week\'s whole window, not what is left of it', () => {
    expect(weekdayOf('2026-12-07')).toBe(1);
    expect(currentOrNextPaymentWindow('2026-12-07', lookup2026)).toEqual({ startDate: '2026-12-07', endDate: '2026-12-08' });
  });

  it('on the Tuesday, the last open day, still names the window from its Monday', () => {
    expect(currentOrNextPaymentWindow('2026-12-08', lookup2026)).toEqual({ startDate: '2026-12-07', endDate: '2026-12-08' });
  });

  it('on the Wednesday, closed, names next week\'s window', () => {
    expect(currentOrNextPaymentWindow('2026-12-09', lookup2026)).toEqual({ startDate: '2026-12-14', endDate: '2026-12-15' });
  });

  it('on a holiday Monday names the Tuesday alone; on that Tuesday the window starts with it', () => {
    const mondayOff: DayLookup = (date) => (date === '2026-12-07' ? { ...lookup2026(date)!, isWorkingDay: false, isHoliday: true } : lookup2026(date));
    expect(currentOrNextPaymentWindow('2026-12-07', mondayOff)).toEqual({ startDate: '2026-12-08', endDate: '2026-12-08' });
    expect(currentOrNextPaymentWindow('2026-12-08', mondayOff)).toEqual({ startDate: '2026-12-08', endDate: '2026-12-08' });
  });

  it('on a holiday Monday with the Tuesday off too (National Day) names the week after', () => {
    expect(currentOrNextPaymentWindow('2026-10-05', lookup2026)).toEqual({ startDate: '2026-10-12', endDate: '2026-10-13' });
  });

  it('does not walk back past the loaded calendar', () => {
    const from2026: DayLookup = (date) => (date >= '2026-01-01' && date <= '2026-12-31' ? { date, isWorkingDay: true, isHoliday: false, isVacation: false } : undefined);
    expect(currentOrNextPaymentWindow('2026-01-02', from2026, [1, 2, 3, 4, 5, 6, 7])).toEqual({ startDate: '2026-01-01', endDate: '2026-12-31' });
  });
});
