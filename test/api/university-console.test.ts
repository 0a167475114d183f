import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A university's console services (campus services, 学费 bills, 新生临时卡, 课表与成绩) are refused to
 * a K-12 school's card manager with CONSOLE_UNIVERSITY_ONLY, whatever they ask, not answered with an
 * empty list or a form that cannot work; a university's card manager and operators still use them.
 *
 * The routes are named here, one by one, not taken from the guard's own list
 * (src/modules/shared/university-console.ts): a route dropped from the guard fails below, and a new
 * route in these areas fails until it is named.
 */
const universityOnly = [
  // 学费 bills
  'GET /api/v1/admin/campus/bills',
  'POST /api/v1/admin/campus/bills',
  'POST /api/v1/admin/campus/bills/file',
  'POST /api/v1/admin/campus/bills/{billId}/cancel',
  // Canteen purchases and electricity
  'GET /api/v1/admin/campus/purchases',
  'POST /api/v1/admin/campus/purchases/{id}/refund',
  'GET /api/v1/admin/campus/electricity',
  'POST /api/v1/admin/campus/electricity/{id}/resend',
  // Dorm rooms, venues, repairs, library
  'GET /api/v1/admin/campus/rooms',
  'POST /api/v1/admin/campus/rooms',
  'PUT /api/v1/admin/campus/rooms/{roomId}/meter',
  'GET /api/v1/admin/campus/venues',
  'POST /api/v1/admin/campus/venues',
  'PUT /api/v1/admin/campus/venues/{venueId}/audience',
  'GET /api/v1/admin/campus/repairs',
  'POST /api/v1/admin/campus/repairs/{repairId}/accept',
  'POST /api/v1/admin/campus/repairs/{repairId}/finish',
  'GET /api/v1/admin/campus/library/books',
  'POST /api/v1/admin/campus/library/books',
  'POST /api/v1/admin/campus/library/returns',
  // 新生临时卡
  'POST /api/v1/admin/temporary-cards',
  'POST /api/v1/admin/temporary-cards/{cardId}/exchange',
  // 课表与成绩 (the 教务系统's uploads)
  'GET /api/v1/admin/academic/terms',
  'PUT /api/v1/admin/academic/terms/{termCode}',
  'PUT /api/v1/admin/academic/terms/{termCode}/timetable',
  'PUT /api/v1/admin/academic/terms/{termCode}/grades',
  'DELETE /api/v1/admin/academic/terms/{termCode}/timetable',
  'DELETE /api/v1/admin/academic/terms/{termCode}/grades',
  'PUT /api/v1/admin/academic/terms/{termCode}/timetable/file',
  'PUT /api/v1/admin/academic/terms/{termCode}/grades/file',
] as const;

/** Where a university's own console routes live: a new route here must be named above. */
const universityAreas = /^\/api\/v1\/admin\/(campus\/|temporary-cards|academic\/)/;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let t: TestApp;
let apiRoutes: string[];
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-12-07T02:00:00Z'));
  const spec = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  apiRoutes = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function managerOf(stage: 'middle' | 'primary' | 'university' | 'vocational') {
  const school = await t.factory.newSchool({ stage });
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  return { school, token: await t.factory.loginAs('staff', manager.username, manager.password) };
}

/** Asks `route` (`METHOD /path/{param}`) as `token`, made-up ids in the path and an empty body. */
async function ask(route: string, token: string) {
  const [method, path] = route.split(' ') as [Method, string];
  const url = path.replace(/\{\w+\}/g, newId());
  return t.app.inject({ method, url, headers: { ...auth(token), 'idempotency-key': newId() }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
}

const refusedAsUniversityOnly = (res: { statusCode: number; body: string }) => res.statusCode === 403 && res.body.includes('"CONSOLE_UNIVERSITY_ONLY"');

describe('a university’s console services', () => {
  it('are routes the API has, and every route of those areas is named here', () => {
    expect(universityOnly.filter((route) => !apiRoutes.includes(route)), 'named routes the API does not have').toEqual([]);
    const unnamed = apiRoutes.filter((route) => universityAreas.test(route.split(' ')[1]!) && !(universityOnly as readonly string[]).includes(route));
    expect(unnamed, 'university console routes not named in this test').toEqual([]);
  });

  it('refuse a K-12 school’s card manager with CONSOLE_UNIVERSITY_ONLY, each of them, before reading what was sent', async () => {
    const { token } = await managerOf('middle');
    for (const route of universityOnly) {
      const res = await ask(route, token);
      expect(res.statusCode, route).toBe(403);
      expect(res.json(), route).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY', message: expect.stringContaining('高校'), messageEn: expect.stringContaining('universities') } });
    }
  });

  it('let a university’s card manager through the guard on each of them (whatever the route then says of a made-up id or an empty body)', async () => {
    const { token } = await managerOf('university');
    for (const route of universityOnly) expect([route, refusedAsUniversityOnly(await ask(route, token))]).toEqual([route, false]);
  });

  it('refuse a K-12 manager nothing else: no other console page is refused as university-only', async () => {
    const { token } = await managerOf('primary');
    // Reads only (GET), so that asking every page writes nothing.
    const others = apiRoutes.filter((route) => route.startsWith('GET /api/v1/admin/') && !(universityOnly as readonly string[]).includes(route));
    expect(others.length).toBeGreaterThan(20);
    const refused = [];
    for (const route of others) if (refusedAsUniversityOnly(await ask(route, token))) refused.push(route);
    expect(refused).toEqual([]);
  });

  it('the bills page and the temporary-card form: refused to a middle school, open to a university and an operator', async () => {
    const k12 = await managerOf('primary');
    const bills = await t.app.inject({ url: '/api/v1/admin/campus/bills', headers: auth(k12.token) });
    expect(bills.json()).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY' } });
    const pupil = await t.factory.newStudent({ schoolId: k12.school.id });
    const temporary = await t.app.inject({ method: 'POST', url: '/api/v1/admin/temporary-cards', headers: { ...auth(k12.token), 'idempotency-key': newId() }, payload: { educationId: pupil.education_id } });
    expect(temporary.statusCode).toBe(403);
    expect(temporary.json()).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY' } });
    expect(await t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', pupil.id).execute()).toEqual([]);

    for (const stage of ['university', 'vocational'] as const) {
      const campus = await managerOf(stage);
      const own = await t.app.inject({ url: '/api/v1/admin/campus/bills', headers: auth(campus.token) });
      expect(own.statusCode, stage).toBe(200);
      expect(own.json()).toMatchObject({ items: [], total: 0 });
    }
    const operator = await t.factory.operatorToken();
    const university = await managerOf('university');
    expect((await t.app.inject({ url: `/api/v1/admin/campus/bills?schoolId=${university.school.id}`, headers: auth(operator) })).statusCode).toBe(200);
  });

  it('leave a K-12 manager’s own pages alone (students, cards)', async () => {
    const { token } = await managerOf('middle');
    expect((await t.app.inject({ url: '/api/v1/admin/cards', headers: auth(token) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/admin/students', headers: auth(token) })).statusCode).toBe(200);
  });
});
