import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextYearMissing, workingDaysAfter } from '../../src/modules/calendar/calendar.js';
import { seedCalendar, type OfficialDays } from '../../src/modules/calendar/seed-calendar.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operator: string;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
/** 10:00 in Beijing on the given day. */
const at = (date: string) => t.clock.set(`${date}T02:00:00Z`);
const windowNow = async () => (await t.app.inject('/api/v1/payment-window')).json() as { open: boolean; next: { startDate: string; endDate: string } | null; error?: { code: string } };

describe('calendar seeded from chinese-days', () => {
  it('knows holidays and make-up working days', async () => {
    const res = await t.app.inject({ url: '/api/v1/admin/calendar?year=2026&month=10', headers: auth(operator) });
    const days = new Map((res.json() as { days: { date: string; isWorkingDay: boolean; isHoliday: boolean; name: string | null }[] }).days.map((d) => [d.date, d]));
    expect(days.get('2026-10-01')).toMatchObject({ isHoliday: true, isWorkingDay: false, name: '国庆节' });
    expect(days.get('2026-10-10')).toMatchObject({ isHoliday: false, isWorkingDay: true }); // a Saturday made a working day
    expect(days.get('2026-10-11')).toMatchObject({ isWorkingDay: false }); // an ordinary Sunday
    expect(days.size).toBe(31);
  });
});

describe('payment window (Mondays and Tuesdays, not holidays or vacations)', () => {
  it('is open on an ordinary Monday and Tuesday, closed on Wednesday with the next window named', async () => {
    at('2026-11-23');
    expect(await windowNow()).toMatchObject({ open: true, next: { startDate: '2026-11-23', endDate: '2026-11-24' } }); // the window open now, whole
    at('2026-11-24');
    expect(await windowNow()).toMatchObject({ open: true, next: { startDate: '2026-11-23', endDate: '2026-11-24' } });
    at('2026-11-25');
    expect(await windowNow()).toMatchObject({ open: false, next: { startDate: '2026-11-30', endDate: '2026-12-01' } });
  });

  it('is closed on a Monday that is a public holiday', async () => {
    at('2026-10-05');
    expect(await windowNow()).toMatchObject({ open: false, next: { startDate: '2026-10-12' } });
  });

  it('is closed on a make-up working Saturday', async () => {
    at('2026-10-10');
    expect(await windowNow()).toMatchObject({ open: false });
  });

  it('refuses to guess for a year that is not loaded', async () => {
    at('2031-03-03');
    const res = await t.app.inject('/api/v1/payment-window');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'CALENDAR_YEAR_NOT_LOADED' } });
  });

  it('follows operator edits: vacation days close the window, and weekdays are configurable', async () => {
    at('2026-11-25');
    const token = await t.factory.operatorToken();
    for (const date of ['2026-11-30', '2026-12-01']) {
      const res = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/calendar/days/${date}`, headers: auth(token), payload: { isWorkingDay: true, isHoliday: false, isVacation: true, name: '寒假' } });
      expect(res.statusCode).toBe(200);
    }
    expect(await windowNow()).toMatchObject({ open: false, next: { startDate: '2026-12-07', endDate: '2026-12-08' } });
    const weekdays = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/settings/payment-weekdays', headers: auth(token), payload: { weekdays: [3] } });
    expect(weekdays.json()).toEqual({ weekdays: [3] });
    expect(await windowNow()).toMatchObject({ open: true });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', 'in', ['2026-11-30', 'payment_window_weekdays']).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['calendar.day_edited', 'settings.payment_weekdays']);
  });

  it('only operators edit the calendar; a day outside the loaded years is refused', async () => {
    at('2026-11-25');
    const operator = await t.factory.operatorToken(); // the clock moved past the first token's expiry
    const manager = await t.factory.newStaff('school_admin');
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    const body = { isWorkingDay: false, isHoliday: true, isVacation: false };
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/calendar/days/2026-12-24', headers: auth(token), payload: body })).statusCode).toBe(403);
    const missing = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/calendar/days/2031-01-02', headers: auth(operator), payload: body });
    expect(missing.json()).toMatchObject({ error: { code: 'CALENDAR_YEAR_NOT_LOADED' } });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/settings/payment-weekdays', headers: auth(operator), payload: { weekdays: [0, 8] } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('working days (replacement cards are ready 20 working days after payment)', () => {
  it('skips National Day and the Mid-Autumn holiday, and counts the make-up Saturday', async () => {
    // Sep 25 holiday; Sep 28–30 = 3; Oct 1–7 off; Oct 8, 9, 10 (make-up Saturday) = 6; then 14 weekdays.
    expect(await workingDaysAfter(t.ctx.db, '2026-09-24', 20)).toBe('2026-10-29');
  });

  it('skips the Spring Festival and counts its make-up Saturday', async () => {
    expect(await workingDaysAfter(t.ctx.db, '2026-02-12', 5)).toBe('2026-02-26');
  });

  it('refuses to run into a year that is not loaded', async () => {
    await expect(workingDaysAfter(t.ctx.db, '2030-12-20', 20)).rejects.toMatchObject({ code: 'CALENDAR_YEAR_NOT_LOADED' });
  });
});

describe('a year the calendar library does not know yet', () => {
  it('an operator opens it from weekdays, marks a holiday, and the payment window and ready dates run into it', async () => {
    // From October on, `onecard serve` warns that next year is missing.
    at('2030-09-30');
    expect(await nextYearMissing(t.ctx.db, t.clock)).toBeNull();
    at('2030-10-01');
    expect(await nextYearMissing(t.ctx.db, t.clock)).toBe(2031);
    at('2030-12-18');
    const operator = await t.factory.operatorToken();
    const open = (token: string, year: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/admin/calendar/years', headers: auth(token), payload: { year } });
    await expect(workingDaysAfter(t.ctx.db, '2030-12-20', 20)).rejects.toMatchObject({ code: 'CALENDAR_YEAR_NOT_LOADED' });
    const manager = await t.factory.newStaff('school_admin');
    expect((await open(await t.factory.loginAs('staff', manager.username, manager.password), 2031)).statusCode).toBe(403);
    expect((await open(operator, 1999)).statusCode).toBe(400);
    expect((await open(operator, 2026)).json()).toMatchObject({ error: { code: 'CALENDAR_YEAR_LOADED' } });

    // 2030 and 2031 are beyond the library: open both (the ready date crosses the new year).
    expect((await open(operator, 2030)).json()).toEqual({ year: 2030, source: 'operator' });
    expect((await open(operator, 2031)).statusCode).toBe(201);
    expect(await nextYearMissing(t.ctx.db, t.clock)).toBeNull();
    expect((await open(operator, 2031)).json()).toMatchObject({ error: { code: 'CALENDAR_YEAR_LOADED' } });
    const month = (await t.app.inject({ url: '/api/v1/admin/calendar?year=2031&month=1', headers: auth(operator) })).json() as { provisionalYears: number[]; days: { date: string; isWorkingDay: boolean; isHoliday: boolean }[] };
    expect(month.provisionalYears).toEqual([2030, 2031]);
    expect(month.days).toHaveLength(31);
    // 1 January 2031 is a Wednesday: a working day until an operator marks it, a Saturday is not.
    expect(month.days.find((d) => d.date === '2031-01-01')).toMatchObject({ isWorkingDay: true, isHoliday: false });
    expect(month.days.find((d) => d.date === '2031-01-04')).toMatchObject({ isWorkingDay: false });
    // Weekdays only: 2030-12-23 … 12-31 are 7, then 13 more from 2 January (New Year's Day marked off).
    const holiday = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/calendar/days/2031-01-01', headers: auth(operator), payload: { isWorkingDay: false, isHoliday: true, isVacation: false, name: '元旦' } });
    expect(holiday.statusCode).toBe(200);
    expect(await workingDaysAfter(t.ctx.db, '2030-12-20', 20)).toBe('2031-01-20');
    // Fees are payable on Wednesdays since the test above: New Year's Day is one, but a holiday.
    at('2031-01-01');
    expect(await windowNow()).toMatchObject({ open: false, next: { startDate: '2031-01-08' } });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'calendar.year_opened').orderBy('at').orderBy('id').execute();
    expect(audit).toEqual([{ action: 'calendar.year_opened', entity_id: '2030' }, { action: 'calendar.year_opened', entity_id: '2031' }]);
  });

  it('when the library learns an opened year, its days become the official ones, except those operators edited', async () => {
    const official: OfficialDays = {
      holidays: { '2032-01-01': "New Year's Day,元旦,1", '2032-02-11': 'Spring Festival,春节,3' },
      workdays: { '2032-02-07': 'Spring Festival,春节,3' }, // a Saturday made a working day
    };
    const operator = await t.factory.operatorToken();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/calendar/years', headers: auth(operator), payload: { year: 2032 } })).statusCode).toBe(201);
    const edit = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/calendar/days/2032-02-11', headers: auth(operator), payload: { isWorkingDay: false, isHoliday: true, isVacation: true, name: '寒假（学校）' } });
    expect(edit.statusCode).toBe(200);

    expect(await seedCalendar(t.ctx.db, t.clock, official)).toEqual([2032]);
    const day = (date: string) => t.ctx.db.selectFrom('calendar_days').selectAll().where('date', '=', date).executeTakeFirstOrThrow();
    expect(await day('2032-01-01')).toMatchObject({ is_working_day: false, is_holiday: true, name: '元旦' });
    expect(await day('2032-02-07')).toMatchObject({ is_working_day: true, name: '春节' });
    expect(await day('2032-02-11')).toMatchObject({ is_vacation: true, name: '寒假（学校）' }); // the operator's edit stays
    const year = await t.ctx.db.selectFrom('calendar_years').select('source').where('year', '=', 2032).executeTakeFirstOrThrow();
    expect(year.source).toBe('chinese-days');
    // Taken over once: a second start-up changes nothing.
    expect(await seedCalendar(t.ctx.db, t.clock, official)).toEqual([]);
  });
});
