import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { createSession } from '../../src/platform/auth.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const signIn = async (as: string, login: string, password: string) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as, login, password } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { token: string }).token;
};
const me = (token: string) => t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

describe('GET /me says which sign-in the session came from (loginKind)', () => {
  it('student, campus, parent and staff sessions each answer their own kind', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const idNumber = makeIdNumber({ areaCode: '110108', birthDate: '2004-10-09', sequence: 11, gender: 'F' });
    const student = await t.factory.newStudent({ schoolId: school.id, birthDate: '2004-10-09' });
    // The education-ID password is the student's own already; the campus query password is still the initial one.
    await t.ctx.db.updateTable('students').set({ id_number: idNumber, student_no: 'U2024111', gender: 'F', must_change_password: false }).where('id', '=', student.id).execute();
    const parent = await t.factory.newParent({ children: [student.id] });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });

    const byEducationId = await me(await signIn('student', student.education_id, student.password));
    // The same person signed in by campus number: which password must be changed follows the kind.
    const byCampus = await me(await signIn('campus', 'U2024111', idNumber.replace(/X$/, '').slice(-6)));
    expect(byEducationId.json()).toMatchObject({ id: student.id, role: 'student', loginKind: 'student', mustChangePassword: false });
    expect(byCampus.json()).toMatchObject({ id: student.id, role: 'student', loginKind: 'campus', mustChangePassword: true });
    // 我的's 账号 is the account signed in with: the education ID, or on a campus card session the student number.
    expect(byEducationId.json()).toMatchObject({ login: student.education_id });
    expect(byCampus.json()).toMatchObject({ login: 'U2024111' });
    expect((await me(await signIn('parent', parent.phone, parent.password))).json()).toMatchObject({ role: 'parent', loginKind: 'parent' });
    expect((await me(await signIn('staff', manager.username, manager.password))).json()).toMatchObject({ role: 'school_admin', loginKind: 'staff' });
  });

  it('a terminal session has no user: refused as before', async () => {
    const { token } = await createSession(t.ctx.db, t.clock, { role: 'terminal', subjectId: newId(), loginKind: 'terminal' }, 60);
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'AUTH_TOKEN_INVALID' } });
  });

  it('documents loginKind in the OpenAPI response of /me', async () => {
    const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }>; required: string[] } }> }> } }> };
    const schema = doc.paths['/api/v1/me']!.get.responses['200']!.content['application/json']!.schema;
    expect(schema.properties.loginKind!.enum).toEqual(['student', 'parent', 'campus', 'staff']);
    expect(schema.required).toContain('loginKind');
  });
});
