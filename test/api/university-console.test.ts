import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniversityOnlyRoute } from '../../src/modules/shared/university-console.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A university's console services (campus services, 学费 bills, 新生临时卡) are refused to a K-12
 * school's card manager with CONSOLE_UNIVERSITY_ONLY, whatever they ask, not answered with an
 * empty list or a form that cannot work; a university's card manager and operators still use them.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-12-07T02:00:00Z'));
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function managerOf(stage: 'middle' | 'primary' | 'university' | 'vocational') {
  const school = await t.factory.newSchool({ stage });
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  return { school, token: await t.factory.loginAs('staff', manager.username, manager.password) };
}

/** Every console route of a university's own services, from the API's own description. */
async function universityOnlyRoutes() {
  const spec = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(spec.paths)
    .filter(([path]) => isUniversityOnlyRoute(path))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase() as 'GET' | 'POST' | 'PUT', path })));
}

describe('a university’s console services', () => {
  it('are every /admin/campus/ and /admin/temporary-cards route', async () => {
    const paths = (await universityOnlyRoutes()).map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /api/v1/admin/campus/bills', 'POST /api/v1/admin/campus/bills/file', 'GET /api/v1/admin/campus/repairs', 'POST /api/v1/admin/temporary-cards']));
    expect(paths.length).toBeGreaterThan(15);
  });

  it('refuse a K-12 school’s card manager with CONSOLE_UNIVERSITY_ONLY, before reading what was sent', async () => {
    const { token } = await managerOf('middle');
    for (const { method, path } of await universityOnlyRoutes()) {
      const url = path.replace(/\{\w+\}/g, newId());
      const res = await t.app.inject({ method, url, headers: { ...auth(token), 'idempotency-key': newId() }, ...(method === 'GET' ? {} : { payload: {} }) });
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect(res.json(), `${method} ${path}`).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY', message: expect.stringContaining('高校'), messageEn: expect.stringContaining('universities') } });
    }
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
