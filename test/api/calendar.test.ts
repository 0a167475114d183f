import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workingDaysAfter } from '../../src/modules/calendar/calendar.js';
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
    expect(await windowNow()).toMatchObject({ open: true });
    at('2026-11-24');
    expect(await windowNow()).toMatchObject({ open: true });
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
