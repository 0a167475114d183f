import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { hasRequiredConsent } from '../../src/modules/identity/consent.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';

let t: TestApp;
let operator: string;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (url: string, payload: object, token?: string, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url, payload, headers: token ? auth(token) : {}, ...(remoteAddress ? { remoteAddress } : {}) });
const get = (url: string, token: string) => t.app.inject({ url, headers: auth(token) });
const login = (as: string, loginName: string, password: string, remoteAddress?: string) => post('/api/v1/sessions', { as, login: loginName, password }, undefined, remoteAddress);
const codeOf = (res: { json(): unknown }) => (res.json() as { error?: { code: string } }).error?.code;

describe('student sign-in and first password change', () => {
  it('signs in with the birth date, must change it, and the new password replaces it', async () => {
    const s = await t.factory.newStudent({ birthDate: '2011-03-04' });
    await t.ctx.db.updateTable('students').set({ password_hash: null }).where('id', '=', s.id).execute();
    const first = await login('student', s.education_id, '20110304');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ mustChangePassword: true, user: { role: 'student' } });
    const token = (first.json() as { token: string }).token;
    const other = (await login('student', s.education_id, '20110304').then((r) => r.json())) as { token: string };

    expect(codeOf(await post('/api/v1/me/password', { currentPassword: '20110304', newPassword: 'short1' }, token))).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf(await post('/api/v1/me/password', { currentPassword: '20110304', newPassword: '1234567890' }, token))).toBe('PASSWORD_TOO_WEAK');
    expect(codeOf(await post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: 'Better-pass-9' }, token))).toBe('PASSWORD_WRONG');
    expect((await post('/api/v1/me/password', { currentPassword: '20110304', newPassword: 'Better-pass-9' }, token)).statusCode).toBe(204);

    expect((await login('student', s.education_id, '20110304')).statusCode).toBe(401);
    const again = await login('student', s.education_id, 'Better-pass-9');
    expect(again.json()).toMatchObject({ mustChangePassword: false });
    expect((await get('/api/v1/me', other.token)).statusCode).toBe(401); // other sessions signed out
    expect((await get('/api/v1/me', token)).statusCode).toBe(200);
  });
});

describe('parents', () => {
  it('a student binds a parent phone; the parent signs in with 123456, must change it, and sees the child', async () => {
    const s = await t.factory.newStudent({ name: '王小丫' });
    const studentToken = await t.factory.loginAs('student', s.education_id, s.password);
    const bound = await post(`/api/v1/students/${s.id}/parents`, { phone: '13900001111', relation: '母亲' }, studentToken);
    expect(bound.statusCode).toBe(201);
    expect(bound.json()).toMatchObject({ phone: '139****1111', accountCreated: true });
    const sms = await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', '13900001111').execute();
    expect(sms[0]?.body).toContain('123456');

    const first = await login('parent', '13900001111', '123456');
    expect(first.json()).toMatchObject({ mustChangePassword: true, user: { role: 'parent' } });
    const token = (first.json() as { token: string }).token;
    expect((await post('/api/v1/me/password', { currentPassword: '123456', newPassword: 'Parent-pass-1' }, token)).statusCode).toBe(204);
    const children = (await get('/api/v1/me/children', token)).json() as { studentId: string; name: string }[];
    expect(children).toEqual([expect.objectContaining({ studentId: s.id, name: '王**' })]);

    expect(codeOf(await post(`/api/v1/students/${s.id}/parents`, { phone: '13900001111' }, studentToken))).toBe('PARENT_ALREADY_BOUND');
    expect(codeOf(await post(`/api/v1/students/${s.id}/parents`, { phone: '12345' }, studentToken))).toBe('VALIDATION_FAILED');
  });

  it('a parent adds a child by proving who the child is, and unbinds', async () => {
    const parent = await t.factory.newParent();
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);
    const child = await t.factory.newStudent({ name: '李明', birthDate: '2014-08-08' });
    const wrongName = await post('/api/v1/me/children', { educationId: child.education_id, name: '李朋', birthDate: '2014-08-08' }, token);
    expect(wrongName.statusCode).toBe(400);
    expect(codeOf(wrongName)).toBe('IDENTITY_NOT_VERIFIED');
    const unknown = await post('/api/v1/me/children', { educationId: '99999999', name: '李明', birthDate: '2014-08-08' }, token);
    expect(unknown.json()).toEqual(wrongName.json()); // no hint which detail was wrong
    expect(codeOf(await post('/api/v1/me/children', { educationId: child.education_id, name: '李明' }, token))).toBe('VALIDATION_FAILED');

    const byLast6 = await post('/api/v1/me/children', { educationId: child.education_id, name: '李明', idNumberLast6: child.id_number.slice(-6) }, token);
    expect(byLast6.statusCode).toBe(201);
    expect(codeOf(await post('/api/v1/me/children', { educationId: child.education_id, name: '李明', birthDate: '2014-08-08' }, token))).toBe('PARENT_ALREADY_BOUND');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${child.id}`, headers: auth(token) })).statusCode).toBe(204);
    expect((await get('/api/v1/me/children', token)).json()).toEqual([]);
  });

  it('a parent account holds at most three K-12 children and one university student, however they are bound', async () => {
    const k12 = await Promise.all([1, 2, 3, 4].map(() => t.factory.newStudent()));
    const parent = await t.factory.newParent({ children: k12.slice(0, 3).map((c) => c.id) });
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);
    const prove = (c: { education_id: string; name: string; birth_date: string }) => post('/api/v1/me/children', { educationId: c.education_id, name: c.name, birthDate: c.birth_date }, token);

    const fourth = await prove(k12[3]!);
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json()).toMatchObject({ error: { code: 'PARENT_CHILD_LIMIT', details: { kind: 'k12', limit: 3 }, message: expect.stringContaining('3') } });
    // The student's own way in is held to the same limit, and nothing is sent or written.
    const studentToken = await t.factory.loginAs('student', k12[3]!.education_id, k12[3]!.password);
    expect(codeOf(await post(`/api/v1/students/${k12[3]!.id}/parents`, { phone: parent.phone }, studentToken))).toBe('PARENT_CHILD_LIMIT');
    expect(await t.ctx.db.selectFrom('sms_outbox').select('id').where('phone', '=', parent.phone).execute()).toEqual([]);

    // A university student is counted apart: one.
    const university = await t.factory.newSchool({ stage: 'university' });
    const [first, second] = await Promise.all([t.factory.newStudent({ schoolId: university.id }), t.factory.newStudent({ schoolId: university.id })]);
    expect((await prove(first!)).statusCode).toBe(201);
    expect(codeOf(await prove(second!))).toBe('PARENT_CHILD_LIMIT');
    expect(((await get('/api/v1/me/children', token)).json() as unknown[]).length).toBe(4);

    // Unbinding frees the place.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${k12[0]!.id}`, headers: auth(token) })).statusCode).toBe(204);
    expect((await prove(k12[3]!)).statusCode).toBe(201);
  });

  it('counts a vocational student as the university one, and two bindings racing for the last place take it once', async () => {
    const vocational = await t.factory.newStudent({ schoolId: (await t.factory.newSchool({ stage: 'vocational' })).id });
    const undergraduate = await t.factory.newStudent({ schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const k12 = await Promise.all([1, 2, 3, 4].map(() => t.factory.newStudent()));
    const parent = await t.factory.newParent({ children: [vocational.id, k12[0]!.id, k12[1]!.id] });
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);
    const prove = (c: { education_id: string; name: string; birth_date: string }) => post('/api/v1/me/children', { educationId: c.education_id, name: c.name, birthDate: c.birth_date }, token);
    expect(codeOf(await prove(undergraduate))).toBe('PARENT_CHILD_LIMIT');
    const raced = await Promise.all([prove(k12[2]!), prove(k12[3]!)]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(codeOf(raced.find((r) => r.statusCode === 409)!)).toBe('PARENT_CHILD_LIMIT');
    const bound = await t.ctx.db.selectFrom('parent_students').select('student_id').where('parent_id', '=', parent.id).execute();
    expect(bound).toHaveLength(4);
  });

  it('a student can unbind a parent', async () => {
    const s = await t.factory.newStudent();
    const parent = await t.factory.newParent({ children: [s.id] });
    const token = await t.factory.loginAs('student', s.education_id, s.password);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/students/${s.id}/parents/${parent.id}`, headers: auth(token) })).statusCode).toBe(204);
    expect((await get(`/api/v1/students/${s.id}/parents`, token)).json()).toEqual([]);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/students/${s.id}/parents/${parent.id}`, headers: auth(token) });
    expect(codeOf(again)).toBe('BINDING_NOT_FOUND');
  });
});

describe('campus accounts', () => {
  it('sign in by student number or ID number with the last 6 of the ID number; the query password rule holds', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const idNumber = makeIdNumber({ areaCode: '110108', birthDate: '2004-10-09', sequence: 7, gender: 'F' });
    const s = await t.factory.newStudent({ schoolId: school.id, birthDate: '2004-10-09' });
    await t.ctx.db.updateTable('students').set({ id_number: idNumber, student_no: 'U2024001', gender: 'F' }).where('id', '=', s.id).execute();
    const initial = idNumber.replace(/X$/, '').slice(-6);

    const first = await login('campus', 'U2024001', initial);
    expect(first.json()).toMatchObject({ mustChangePassword: true });
    const token = (first.json() as { token: string }).token;
    for (const [pw, code] of [['123456', 'PASSWORD_RUN'], ['654321', 'PASSWORD_RUN'], ['111111', 'PASSWORD_REPEAT'], ['12a456', 'PASSWORD_FORMAT'], [initial, 'PASSWORD_SAME_AS_INITIAL']] as const) {
      expect(codeOf(await post('/api/v1/me/password', { currentPassword: initial, newPassword: pw }, token))).toBe(code);
    }
    expect((await post('/api/v1/me/password', { currentPassword: initial, newPassword: '135790' }, token)).statusCode).toBe(204);
    const byId = await login('campus', idNumber, '135790');
    expect(byId.json()).toMatchObject({ mustChangePassword: false });
    // The campus query password and the education-ID password are separate.
    expect((await login('student', s.education_id, s.password)).statusCode).toBe(201);
  });

  it('a student number two universities share signs in whoever the password belongs to', async () => {
    const students = [];
    for (const sequence of [21, 43]) {
      const s = await t.factory.newStudent({ schoolId: (await t.factory.newSchool({ stage: 'university' })).id, birthDate: '2005-03-02' });
      const idNumber = makeIdNumber({ areaCode: '110108', birthDate: '2005-03-02', sequence, gender: 'F' });
      await t.ctx.db.updateTable('students').set({ id_number: idNumber, student_no: 'SHARED-0001', gender: 'F' }).where('id', '=', s.id).execute();
      students.push({ id: s.id, initial: idNumber.replace(/X$/, '').slice(-6) });
    }
    for (const s of students) {
      const signedIn = await login('campus', 'SHARED-0001', s.initial);
      expect(signedIn.statusCode, signedIn.body).toBe(201);
      expect(signedIn.json().user.id).toBe(s.id);
    }
    expect(codeOf(await login('campus', 'SHARED-0001', '000000'))).toBe('AUTH_FAILED');
  });

  it('a forgotten query password is put back to the initial one at the service centre, never by the student or another school', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const idNumber = makeIdNumber({ areaCode: '110108', birthDate: '2005-06-21', sequence: 9, gender: 'M' });
    const s = await t.factory.newStudent({ schoolId: school.id, birthDate: '2005-06-21' });
    await t.ctx.db.updateTable('students').set({ id_number: idNumber, student_no: 'U2024009', gender: 'M' }).where('id', '=', s.id).execute();
    const initial = idNumber.replace(/X$/, '').slice(-6);
    const campusToken = (await login('campus', 'U2024009', initial)).json().token as string;
    expect((await post('/api/v1/me/password', { currentPassword: initial, newPassword: '135790' }, campusToken)).statusCode).toBe(204);
    const session = (await login('campus', 'U2024009', '135790')).json().token as string;
    const educationIdSession = await t.factory.loginAs('student', s.education_id, s.password);

    const reset = (token: string, studentId = s.id) => t.app.inject({ method: 'POST', url: `/api/v1/admin/students/${studentId}/query-password-reset`, headers: auth(token) });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const otherManager = await t.factory.newStaff('school_admin', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    expect((await reset(session)).statusCode).toBe(403);
    expect(codeOf(await reset(await t.factory.loginAs('staff', otherManager.username, otherManager.password)))).toBe('ACCESS_DENIED');
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const k12 = await t.factory.newStudent();
    expect(codeOf(await reset(await t.factory.operatorToken(), k12.id))).toBe('CAMPUS_ACCOUNT_NONE');

    const otherKiosk = await t.factory.newStaff('kiosk', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    expect(codeOf(await reset(await t.factory.loginAs('staff', otherKiosk.username, otherKiosk.password)))).toBe('ACCESS_DENIED');
    // The student guessed, by student number and by ID number, until throttled; from the phone's address and another.
    for (let i = 0; i < 5; i++) expect((await login('campus', 'U2024009', `99${i}999`, '10.5.0.1')).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await login('campus', idNumber, `98${i}999`, '10.5.0.2')).statusCode).toBe(401);
    expect(codeOf(await login('campus', 'U2024009', '135790', '10.5.0.1'))).toBe('AUTH_THROTTLED');
    const someoneElse = `campus:${'U2024010'}`;
    await t.ctx.db.insertInto('auth_attempts').values([
      { id: crypto.randomUUID(), account_key: someoneElse, source: '10.5.0.1', succeeded: false, at: t.clock.now() },
      { id: crypto.randomUUID(), account_key: `campus-secret:${s.id}`, source: '10.5.0.1', succeeded: false, at: t.clock.now() }, // a top-up's wrong query password
    ]).execute();
    expect((await reset(managerToken)).statusCode).toBe(204);
    // Identified in person, the student signs in there and then, by either login, from where they guessed.
    expect((await login('campus', 'U2024009', initial, '10.5.0.1')).statusCode).toBe(201);
    expect((await login('campus', idNumber, initial, '10.5.0.2')).statusCode).toBe(201);
    const failuresLeft = await t.ctx.db.selectFrom('auth_attempts').select('account_key').where('succeeded', '=', false).where('account_key', 'in', [`campus:U2024009`, `campus:${idNumber}`, `campus-secret:${s.id}`, someoneElse]).execute();
    expect(failuresLeft).toEqual([{ account_key: someoneElse }]);
    // The audit log still holds every failed attempt.
    const failedInAudit = await t.ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).where('entity_id', '=', s.id).where('action', '=', 'login.failed').executeTakeFirstOrThrow();
    expect(Number(failedInAudit.n)).toBe(10);
    // The campus sessions are signed out; the education-ID session is another account and stays.
    expect((await get('/api/v1/me', session)).statusCode).toBe(401);
    expect((await get('/api/v1/me', educationIdSession)).statusCode).toBe(200);
    expect((await login('campus', 'U2024009', '135790')).statusCode).toBe(401);
    expect((await login('campus', 'U2024009', initial)).json()).toMatchObject({ mustChangePassword: true });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role', 'actor_id']).where('entity_id', '=', s.id).where('action', '=', 'campus_password.reset').execute();
    expect(audit).toEqual([{ action: 'campus_password.reset', actor_role: 'school_admin', actor_id: manager.id }]);
    // The centre's own kiosk may do it too.
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: school.id });
    expect((await reset(await t.factory.loginAs('staff', kiosk.username, kiosk.password))).statusCode).toBe(204);
  });

  it('only a kiosk sets the consumption password, and only for its own school', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const s = await t.factory.newStudent({ schoolId: school.id });
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: school.id });
    const otherKiosk = await t.factory.newStaff('kiosk', { schoolId: (await t.factory.newSchool({ stage: 'university' })).id });
    const studentToken = await t.factory.loginAs('student', s.education_id, s.password);
    const kioskToken = await t.factory.loginAs('staff', kiosk.username, kiosk.password);
    const otherToken = await t.factory.loginAs('staff', otherKiosk.username, otherKiosk.password);
    const put = (token: string, newPin: string) => t.app.inject({ method: 'PUT', url: `/api/v1/kiosk/students/${s.id}/consumption-pin`, headers: auth(token), payload: { newPin } });

    expect(codeOf(await put(studentToken, '135790'))).toBe('PASSWORD_CHANGE_CHANNEL');
    expect((await put(otherToken, '135790')).statusCode).toBe(404);
    expect(codeOf(await put(kioskToken, '123456'))).toBe('PASSWORD_RUN');
    expect((await put(kioskToken, '135790')).statusCode).toBe(204);
    const row = await t.ctx.db.selectFrom('students').select('campus_pin_hash').where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(row.campus_pin_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('throttling', () => {
  it('after 5 failures in a row, waits grow; the right password must wait too; then it works', async () => {
    const staff = await t.factory.newStaff('operator');
    for (let i = 0; i < 5; i++) expect((await login('staff', staff.username, 'wrong-1', '10.9.0.1')).statusCode).toBe(401);
    const blocked = await login('staff', staff.username, staff.password, '10.9.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: { code: 'AUTH_THROTTLED', details: { retryAfterSeconds: 1 } } });
    // Another place is not slowed by this one's guessing.
    expect((await login('staff', staff.username, staff.password, '10.9.0.2')).statusCode).toBe(201);
    t.clock.advance(1_001);
    expect((await login('staff', staff.username, staff.password, '10.9.0.1')).statusCode).toBe(201);
  });

  it('an unknown account is throttled exactly like a known one', async () => {
    for (let i = 0; i < 5; i++) await login('staff', 'ghost-account', 'wrong-1', '10.9.1.1');
    expect(codeOf(await login('staff', 'ghost-account', 'wrong-1', '10.9.1.1'))).toBe('AUTH_THROTTLED');
  });

  it('locks an account after 100 failures an hour from anywhere, and lifts the lock as the hour passes', async () => {
    const staff = await t.factory.newStaff('operator');
    const key = `staff:${staff.username.toUpperCase()}`;
    const now = t.clock.now();
    await t.ctx.db.insertInto('auth_attempts').values(Array.from({ length: 100 }, (_, i) => ({ id: crypto.randomUUID(), account_key: key, source: `10.8.${i}.1`, succeeded: false, at: new Date(now.getTime() - 60_000) }))).execute();
    expect(codeOf(await login('staff', staff.username, staff.password, '10.7.0.1'))).toBe('AUTH_LOCKED');
    t.clock.advance(3_600_000);
    expect((await login('staff', staff.username, staff.password, '10.7.0.1')).statusCode).toBe(201);
  });

  it('limits one source sweeping many accounts', async () => {
    const now = t.clock.now();
    await t.ctx.db.insertInto('auth_attempts').values(Array.from({ length: 300 }, (_, i) => ({ id: crypto.randomUUID(), account_key: `student:${i}`, source: '10.6.6.6', succeeded: false, at: new Date(now.getTime() - 1_000) }))).execute();
    const staff = await t.factory.newStaff('operator');
    expect(codeOf(await login('staff', staff.username, staff.password, '10.6.6.6'))).toBe('RATE_LIMITED');
  });
});

describe('recovery', () => {
  it('resets a student password from identity details; a typo in the name fails', async () => {
    const s = await t.factory.newStudent({ name: '赵晓燕', birthDate: '2010-02-02' });
    const proof = { name: '赵晓燕', idNumber: s.id_number, birthDate: '2010-02-02', newPassword: 'Reset-pass-1' };
    expect(codeOf(await post('/api/v1/password-resets/student', { ...proof, name: '赵小燕' }, undefined, '10.5.0.1'))).toBe('IDENTITY_NOT_VERIFIED');
    expect(codeOf(await post('/api/v1/password-resets/student', { ...proof, newPassword: 'weak' }, undefined, '10.5.0.1'))).toBe('PASSWORD_TOO_SHORT');
    expect((await post('/api/v1/password-resets/student', proof, undefined, '10.5.0.1')).statusCode).toBe(204);
    expect((await login('student', s.education_id, 'Reset-pass-1')).statusCode).toBe(201);
  });

  it('finds the education ID from name, ID number, birth date and school', async () => {
    const s = await t.factory.newStudent({ name: '钱多多', birthDate: '2012-05-20' });
    const proof = { name: '钱多多', idNumber: s.id_number, birthDate: '2012-05-20', schoolId: s.school_id };
    expect((await post('/api/v1/education-id-lookups', proof, undefined, '10.5.1.1')).json()).toEqual({ educationId: s.education_id });
    const otherSchool = await t.factory.newSchool();
    expect(codeOf(await post('/api/v1/education-id-lookups', { ...proof, schoolId: otherSchool.id }, undefined, '10.5.1.1'))).toBe('IDENTITY_NOT_VERIFIED');
  });

  it('resets a parent password with a one-time code; wrong codes are limited; unknown phones look the same', async () => {
    const parent = await t.factory.newParent();
    const unknown = await post('/api/v1/password-resets/parent/codes', { phone: '13700000000' }, undefined, '10.5.2.1');
    const known = await post('/api/v1/password-resets/parent/codes', { phone: parent.phone }, undefined, '10.5.2.2');
    expect(unknown.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json());
    expect(await t.ctx.db.selectFrom('sms_outbox').select('id').where('phone', '=', '13700000000').execute()).toEqual([]);
    const sms = await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const code = /验证码 (\d{6})/.exec(sms.body)![1]!;
    const wrongCode = code === '000000' ? '000001' : '000000';
    expect(codeOf(await post('/api/v1/password-resets/parent', { phone: parent.phone, code: wrongCode, newPassword: 'Parent-new-1' }))).toBe('OTP_INVALID');
    expect((await post('/api/v1/password-resets/parent', { phone: parent.phone, code, newPassword: 'Parent-new-1' })).statusCode).toBe(204);
    expect(codeOf(await post('/api/v1/password-resets/parent', { phone: parent.phone, code, newPassword: 'Parent-new-2' }))).toBe('OTP_INVALID'); // used once
    expect((await login('parent', parent.phone, 'Parent-new-1')).statusCode).toBe(201);
  });

  it('a code dies after five wrong tries', async () => {
    const parent = await t.factory.newParent();
    await post('/api/v1/password-resets/parent/codes', { phone: parent.phone }, undefined, '10.5.3.1');
    const sms = await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).executeTakeFirstOrThrow();
    const code = /验证码 (\d{6})/.exec(sms.body)![1]!;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) await post('/api/v1/password-resets/parent', { phone: parent.phone, code: wrong, newPassword: 'Parent-new-1' });
    expect(codeOf(await post('/api/v1/password-resets/parent', { phone: parent.phone, code, newPassword: 'Parent-new-1' }))).toBe('OTP_INVALID');
  });
});

describe('guardian consent', () => {
  it('a bound parent consents for a child under 14; not needed from 14', async () => {
    t.clock.set('2026-11-23T02:00:00Z');
    const young = await t.factory.newStudent({ birthDate: '2013-06-01' });
    const older = await t.factory.newStudent({ birthDate: '2012-11-23' }); // 14 today
    const parent = await t.factory.newParent({ children: [young.id, older.id] });
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);
    expect(await hasRequiredConsent(t.ctx.db, young.id, 'nfc_ecard', '2026-11-23')).toBe(false);
    expect((await post(`/api/v1/students/${young.id}/consents`, { purpose: 'nfc_ecard' }, token)).statusCode).toBe(201);
    expect(await hasRequiredConsent(t.ctx.db, young.id, 'nfc_ecard', '2026-11-23')).toBe(true);
    expect(codeOf(await post(`/api/v1/students/${older.id}/consents`, { purpose: 'nfc_ecard' }, token))).toBe('CONSENT_NOT_NEEDED');
    expect(await hasRequiredConsent(t.ctx.db, older.id, 'nfc_ecard', '2026-11-23')).toBe(true);
    const otherParent = await t.factory.newParent();
    const otherToken = await t.factory.loginAs('parent', otherParent.phone, otherParent.password);
    expect((await post(`/api/v1/students/${young.id}/consents`, { purpose: 'nfc_ecard' }, otherToken)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/students/${young.id}/consents/nfc_ecard`, headers: auth(token) })).statusCode).toBe(204);
    expect(await hasRequiredConsent(t.ctx.db, young.id, 'nfc_ecard', '2026-11-23')).toBe(false);
  });
});

describe('schools, classes and students in the console', () => {
  it('validates a new student: checksum, birth date against the ID number, education ID', async () => {
    const manager = await t.factory.newStaff('school_admin');
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    const idNumber = makeIdNumber({ areaCode: '110105', birthDate: '2013-01-15', sequence: 3, gender: 'M' });
    const base = { educationId: '41000001', name: '孙小宝', gender: 'M', birthDate: '2013-01-15', idNumber };
    const url = `/api/v1/admin/schools/${manager.school_id}/students`;
    const badCheck = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    expect(codeOf(await post(url, { ...base, idNumber: badCheck }, token))).toBe('ID_NUMBER_CHECKSUM');
    expect(codeOf(await post(url, { ...base, birthDate: '2013-01-16' }, token))).toBe('BIRTH_DATE_MISMATCH');
    expect(codeOf(await post(url, { ...base, educationId: '4100001' }, token))).toBe('EDUCATION_ID_FORMAT');
    const created = await post(url, base, token);
    expect(created.statusCode).toBe(201);
    expect(codeOf(await post(url, base, token))).toBe('EDUCATION_ID_TAKEN');
    const otherSchool = await t.factory.newSchool();
    expect((await post(`/api/v1/admin/schools/${otherSchool.id}/students`, { ...base, educationId: '41000002' }, token)).statusCode).toBe(403);

    const list = (await get('/api/v1/admin/students?q=孙小', token)).json() as { items: { name: string; idNumber: string }[]; total: number };
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ name: '孙**', idNumber: `${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}` });
  });

  it('a transfer keeps the education ID and the history', async () => {
    const from = await t.factory.newSchool({ stage: 'primary' });
    const to = await t.factory.newSchool({ stage: 'middle' });
    const s = await t.factory.newStudent({ schoolId: from.id });
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${s.id}`, headers: auth(operator), payload: { schoolId: to.id } });
    expect(res.json()).toMatchObject({ stage: 'middle', schoolId: to.id, action: 'student.transferred' });
    const detail = (await get(`/api/v1/admin/students/${s.id}`, operator)).json() as { educationId: string; history: { action: string; before: { school_id: string } }[] };
    expect(detail.educationId).toBe(s.education_id);
    expect(detail.history[0]).toMatchObject({ action: 'student.transferred', before: { school_id: from.id } });
    const manager = await t.factory.newStaff('school_admin', { schoolId: to.id });
    const mt = await t.factory.loginAs('staff', manager.username, manager.password);
    const back = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${s.id}`, headers: auth(mt), payload: { schoolId: from.id } });
    expect(back.statusCode).toBe(403);
  });

  it('a student who graduates or leaves with money on their cards: each parent is texted how much and where it comes back, and the card says so (退卡退资)', async () => {
    const texts = async (phone: string) => (await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).execute()).map((m) => m.body);
    const s = await t.factory.newStudent({ name: '毕业测试生' });
    const card = await t.factory.newCard(s.id);
    await fund(t, card.id, 1_250);
    // A physical card superseded by an e-card keeps its money: it counts; a returned one does not.
    const superseded = await t.factory.newCard(s.id, { active: false });
    await fund(t, superseded.id, 500);
    await t.ctx.db.updateTable('cards').set({ status: 'superseded' }).where('id', '=', superseded.id).execute();
    const returned = await t.factory.newCard(s.id, { active: false });
    await fund(t, returned.id, 9_000);
    await t.ctx.db.updateTable('cards').set({ status: 'returned' }).where('id', '=', returned.id).execute();
    const parent = await t.factory.newParent({ children: [s.id] });
    const patch = (id: string, payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${id}`, headers: auth(operator), payload });
    expect((await patch(s.id, { status: 'graduated' })).statusCode).toBe(200);
    expect(await texts(parent.phone)).toEqual(['【北京学生卡】您孩子毕****已毕业，其学生卡余额共 ¥17.50，请在北京学生卡 App 中办理退卡退资，App 会说明每张卡在线退回或到服务网点办理。']);
    const studentToken = await t.factory.loginAs('student', s.education_id, s.password);
    expect((await get(`/api/v1/cards/${card.id}`, studentToken)).json()).toMatchObject({ holderStatus: 'graduated', balanceFen: 1_250 });
    // Saved again, or changed between leaving statuses: no second text.
    expect((await patch(s.id, { status: 'left' })).statusCode).toBe(200);
    expect(await texts(parent.phone)).toHaveLength(1);

    // Leaving: told too. A transfer keeps the card (it works at any school), and a card with nothing on it has nothing to tell.
    const leaver = await t.factory.newStudent({ name: '离校测试生' });
    await fund(t, (await t.factory.newCard(leaver.id)).id, 30_000);
    const leaverParent = await t.factory.newParent({ children: [leaver.id] });
    await patch(leaver.id, { status: 'left' });
    expect(await texts(leaverParent.phone)).toEqual([expect.stringContaining('您孩子离****已离校，其学生卡余额共 ¥300.00')]);
    const mover = await t.factory.newStudent();
    await fund(t, (await t.factory.newCard(mover.id)).id, 1_000);
    const moverParent = await t.factory.newParent({ children: [mover.id] });
    await patch(mover.id, { status: 'transferred' });
    expect(await texts(moverParent.phone)).toEqual([]);
    const empty = await t.factory.newStudent();
    await t.factory.newCard(empty.id);
    const emptyParent = await t.factory.newParent({ children: [empty.id] });
    await patch(empty.id, { status: 'graduated' });
    expect(await texts(emptyParent.phone)).toEqual([]);
  });

  it('a university student’s college (院系) is set in the console, audited, and cleared with null', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const s = await t.factory.newStudent({ schoolId: school.id });
    const patch = (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${s.id}`, headers: auth(operator), payload });
    expect((await patch({ college: '音乐学院' })).statusCode).toBe(200);
    const detail = (await get(`/api/v1/admin/students/${s.id}`, operator)).json() as { college: string | null; history: { action: string; before: { college: string | null }; after: { college: string | null } }[] };
    expect(detail.college).toBe('音乐学院');
    expect(detail.history[0]).toMatchObject({ action: 'student.updated', before: { college: null }, after: { college: '音乐学院' } });
    expect(codeOf(await patch({ college: '音'.repeat(33) }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await patch({ college: '  ' }))).toBe('VALIDATION_FAILED');
    expect((await patch({ college: null })).statusCode).toBe(200);
    expect(((await get(`/api/v1/admin/students/${s.id}`, operator)).json() as { college: string | null }).college).toBeNull();
    // It belongs to that university: a transfer clears it, and a K-12 school has none.
    await patch({ college: '音乐学院' });
    const other = await t.factory.newSchool({ stage: 'vocational' });
    expect((await patch({ schoolId: other.id })).statusCode).toBe(200);
    expect(((await get(`/api/v1/admin/students/${s.id}`, operator)).json() as { college: string | null }).college).toBeNull();
    const k12 = await t.factory.newStudent();
    const refused = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${k12.id}`, headers: auth(operator), payload: { college: '音乐学院' } });
    expect(refused.json()).toMatchObject({ error: { code: 'STUDENT_COLLEGE_CAMPUS_ONLY', message: '院系仅适用于高校和职业院校的学生' } });
  });

  it('a university student’s major (专业) is set in the console beside the college, audited, cleared on transfer unless given, refused at K-12', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const s = await t.factory.newStudent({ schoolId: school.id });
    const patch = (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${s.id}`, headers: auth(operator), payload });
    type Detail = { college: string | null; major: string | null; history: { action: string; before: Record<string, unknown>; after: Record<string, unknown> }[] };
    const detail = async () => (await get(`/api/v1/admin/students/${s.id}`, operator)).json() as Detail;
    expect((await detail()).major).toBeNull();
    expect((await patch({ college: '高等职业教育与继续教育学院', major: ' 音乐表演 ' })).statusCode).toBe(200);
    expect(await detail()).toMatchObject({ college: '高等职业教育与继续教育学院', major: '音乐表演' });
    expect((await detail()).history[0]).toMatchObject({ action: 'student.updated', before: { college: null, major: null }, after: { college: '高等职业教育与继续教育学院', major: '音乐表演' } });
    // Changing the major alone keeps the college.
    expect((await patch({ major: '会计' })).statusCode).toBe(200);
    expect(await detail()).toMatchObject({ college: '高等职业教育与继续教育学院', major: '会计' });
    for (const bad of ['音'.repeat(33), '  ', '音乐\u0007表演', 42]) expect(codeOf(await patch({ major: bad }))).toBe('VALIDATION_FAILED');
    expect((await detail()).major).toBe('会计');
    expect((await patch({ major: null })).statusCode).toBe(200);
    expect(await detail()).toMatchObject({ college: '高等职业教育与继续教育学院', major: null });
    // A transfer clears it (it belongs to that university) unless the new one is given with the move.
    await patch({ major: '音乐表演' });
    const other = await t.factory.newSchool({ stage: 'vocational' });
    expect((await patch({ schoolId: other.id })).statusCode).toBe(200);
    expect(await detail()).toMatchObject({ college: null, major: null });
    expect((await patch({ schoolId: school.id, college: '音乐学院', major: '音乐教育' })).statusCode).toBe(200);
    expect(await detail()).toMatchObject({ college: '音乐学院', major: '音乐教育' });
    const k12 = await t.factory.newStudent();
    const refused = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${k12.id}`, headers: auth(operator), payload: { major: '音乐表演' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'STUDENT_MAJOR_CAMPUS_ONLY', message: '专业仅适用于高校和职业院校的学生', messageEn: 'A major applies to university and vocational students only' } });
    // Moving a university student to a K-12 school drops the major.
    await patch({ schoolId: (await t.factory.newSchool({ stage: 'high' })).id });
    expect(await detail()).toMatchObject({ college: null, major: null });
  });

  it('creates schools and classes; duplicates are conflicts', async () => {
    const school = await post('/api/v1/admin/schools', { code: 'BJ-T-900', name: '测试第九百中学', stage: 'high' }, operator);
    expect(school.statusCode).toBe(201);
    expect(codeOf(await post('/api/v1/admin/schools', { code: 'BJ-T-900', name: '重复', stage: 'high' }, operator))).toBe('SCHOOL_CODE_TAKEN');
    const id = (school.json() as { id: string }).id;
    expect((await post(`/api/v1/admin/schools/${id}/classes`, { grade: 10, classNo: '3' }, operator)).json()).toMatchObject({ classNo: '03', studentCount: 0 });
    expect(codeOf(await post(`/api/v1/admin/schools/${id}/classes`, { grade: 10, classNo: '03' }, operator))).toBe('CLASS_EXISTS');
    expect((await get(`/api/v1/admin/schools/${id}/classes`, operator)).json()).toHaveLength(1);
  });

  it('photos: only JPEG/PNG, only for those allowed to see the student', async () => {
    const s = await t.factory.newStudent();
    const parent = await t.factory.newParent({ children: [s.id] });
    const stranger = await t.factory.newParent();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const put = (body: Buffer | string, type: string) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/students/${s.id}/photo`, headers: { ...auth(operator), 'content-type': type }, payload: body });
    expect(codeOf(await put('not an image', 'image/png'))).toBe('PHOTO_FORMAT');
    expect((await put(Buffer.alloc(600 * 1024, 1), 'image/jpeg')).statusCode).toBe(413);
    expect((await put(png, 'image/png')).statusCode).toBe(204);
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
    const strangerToken = await t.factory.loginAs('parent', stranger.phone, stranger.password);
    const mine = await get(`/api/v1/students/${s.id}/photo`, parentToken);
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('image/png');
    expect(mine.rawPayload.equals(png)).toBe(true);
    expect((await get(`/api/v1/students/${s.id}/photo`, strangerToken)).statusCode).toBe(403);
  });

  it('shows the SMS outbox to operators with phones masked', async () => {
    const s = await t.factory.newStudent();
    await post(`/api/v1/students/${s.id}/parents`, { phone: '13600002222' }, operator);
    const outbox = (await get('/api/v1/admin/sms-outbox', operator)).json() as { items: { phone: string }[] };
    expect(outbox.items.map((i) => i.phone)).toContain('136****2222');
    expect(JSON.stringify(outbox)).not.toContain('13600002222');
  });
});

/** role × resource over the HTTP API: every cell is asserted, so any leak fails. */
describe('authorisation matrix', () => {
  it('allows exactly the owners', async () => {
    const schoolA = await t.factory.newSchool();
    const schoolB = await t.factory.newSchool();
    const a = await t.factory.newStudent({ schoolId: schoolA.id });
    const b = await t.factory.newStudent({ schoolId: schoolB.id });
    const parentA = await t.factory.newParent({ children: [a.id] });
    const parentB = await t.factory.newParent({ children: [b.id] });
    const managerA = await t.factory.newStaff('school_admin', { schoolId: schoolA.id });
    const managerB = await t.factory.newStaff('school_admin', { schoolId: schoolB.id });
    const tokens: Record<string, string> = {
      studentA: await t.factory.loginAs('student', a.education_id, a.password),
      studentB: await t.factory.loginAs('student', b.education_id, b.password),
      parentA: await t.factory.loginAs('parent', parentA.phone, parentA.password),
      parentB: await t.factory.loginAs('parent', parentB.phone, parentB.password),
      managerA: await t.factory.loginAs('staff', managerA.username, managerA.password),
      managerB: await t.factory.loginAs('staff', managerB.username, managerB.password),
      operator,
    };
    const resources: Record<string, string> = {
      detail: `/api/v1/admin/students/${a.id}`,
      parents: `/api/v1/students/${a.id}/parents`,
      consents: `/api/v1/students/${a.id}/consents`,
      classes: `/api/v1/admin/schools/${schoolA.id}/classes`,
    };
    const allowed: Record<string, string[]> = {
      studentA: ['parents', 'consents'],
      studentB: [],
      parentA: ['parents', 'consents'],
      parentB: [],
      managerA: ['detail', 'parents', 'consents', 'classes'],
      managerB: [],
      operator: ['detail', 'parents', 'consents', 'classes'],
    };
    const seen: Record<string, string[]> = {};
    for (const [who, token] of Object.entries(tokens)) {
      seen[who] = [];
      for (const [name, url] of Object.entries(resources)) {
        const res = await get(url, token);
        expect([200, 403]).toContain(res.statusCode);
        if (res.statusCode === 200) seen[who]!.push(name);
      }
    }
    expect(seen).toEqual(allowed);
  });
});
