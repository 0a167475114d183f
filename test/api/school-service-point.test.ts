import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * 服务点 (seed 004: a campus card is replaced, and its consumption password changed, at the
 * university's kiosk): the school's card manager or an operator says where the kiosk is, and the
 * campus card's view carries it to the app.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const put = (token: string, schoolId: string, servicePoint: unknown) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/admin/schools/${schoolId}/service-point`, headers: { authorization: `Bearer ${token}`, 'idempotency-key': `sp-${Math.random()}` }, payload: { servicePoint } });

describe('a university’s service point', () => {
  it('is set by its card manager, shown on its campus cards, listed in the console and audited', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    const studentToken = await t.factory.loginAs('student', student.education_id, student.password);
    const cardView = async () => (await t.app.inject({ method: 'GET', url: `/api/v1/cards/${card.id}`, headers: { authorization: `Bearer ${studentToken}` } })).json();
    expect((await cardView()).school).toMatchObject({ servicePoint: null });

    const set = await put(token, school.id, '  公共实验楼大厅 ');
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ schoolId: school.id, servicePoint: '公共实验楼大厅' });
    expect((await cardView()).school).toMatchObject({ servicePoint: '公共实验楼大厅' });
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/schools', headers: { authorization: `Bearer ${token}` } })).json();
    expect(listed.items).toMatchObject([{ id: school.id, servicePoint: '公共实验楼大厅' }]);

    expect((await put(token, school.id, null)).json()).toEqual({ schoolId: school.id, servicePoint: null });
    expect((await cardView()).school).toMatchObject({ servicePoint: null });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['after']).where('entity_id', '=', school.id).where('action', '=', 'school.service_point_changed').orderBy('at').execute();
    expect(audit.map((a) => a.after)).toEqual([{ servicePoint: '公共实验楼大厅' }, { servicePoint: null }]);
  });

  it('is a university’s or college’s, set by its own card manager or an operator; bad text is refused', async () => {
    const school = await t.factory.newSchool({ stage: 'vocational' });
    const other = await t.factory.newStaff('school_admin');
    const otherToken = await t.factory.loginAs('staff', other.username, other.password);
    expect((await put(otherToken, school.id, '图书馆一楼')).statusCode).toBe(403);
    const operator = await t.factory.operatorToken();
    expect((await put(operator, school.id, '图书馆一楼')).statusCode).toBe(200);
    const k12 = await t.factory.newSchool({ stage: 'primary' });
    expect((await put(operator, k12.id, '门卫室')).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_INVALID' } });
    for (const bad of ['', ' ', 'x'.repeat(61), '一楼\n大厅', 42]) {
      const res = await put(operator, school.id, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const stored = await t.ctx.db.selectFrom('schools').select('service_point').where('id', '=', school.id).executeTakeFirstOrThrow();
    expect(stored.service_point).toBe('图书馆一楼');
  });
});
