import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The demo (npm start) lets seeds 002/003 be walked: the university is a partner school of the university e-card. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-12-07T02:00:00Z');
  expect(await seedDemo(t.ctx.db, t.clock)).toBe(true);
});
afterAll(async () => t.close());

describe('demo university e-card', () => {
  it('lists the demo university as a partner school, and 周晓东 may add the university e-card', async () => {
    const partners = (await t.app.inject({ url: '/api/v1/ecards/university/partner-schools' })).json() as { items: { name: string }[] };
    expect(partners.items.map((p) => p.name)).toContain('北京交通科技大学');

    const student = await t.ctx.db.selectFrom('students').select(['id', 'id_number']).where('student_no', '=', '2023110501').executeTakeFirstOrThrow();
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'campus', login: '2023110501', password: student.id_number.replace(/X$/, '').slice(-6) } });
    expect(login.statusCode, login.body).toBe(201);
    const eligibility = await t.app.inject({ url: `/api/v1/ecards/university/eligibility?studentId=${student.id}`, headers: { authorization: `Bearer ${login.json().token}` } });
    expect(eligibility.statusCode, eligibility.body).toBe(200);
    expect(eligibility.json().problems.map((p: { reason: string }) => p.reason)).not.toContain('SCHOOL_NOT_PARTNERED');
  });
});
