import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';

/**
 * 导出我的数据 (domain rules, "What users ask for" 10: open data export): a student or parent gets
 * a copy of their own data as a JSON file, after their password; nothing of anyone else's.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const exportAs = (token: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/me/data-export', headers: { authorization: `Bearer ${token}` }, payload: { password } });

async function family(birthDate?: string) {
  const student = await t.factory.newStudent({ name: '导出测试生', ...(birthDate ? { birthDate } : {}) });
  const card = await t.factory.newCard(student.id);
  await fund(t, card.id, 2_500);
  const parent = await t.factory.newParent({ children: [student.id] });
  // Passwords of their own (an initial one does not export).
  await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
  await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
  // Texts since the account exists are the parent's; one before it, and a sign-in code, are not exported.
  const { created_at: since } = await t.ctx.db.selectFrom('parents').select('created_at').where('id', '=', parent.id).executeTakeFirstOrThrow();
  const text = (body: string, atMs: number) => t.ctx.db.insertInto('sms_outbox').values({ id: crypto.randomUUID(), phone: parent.phone, body, provider: 'outbox', created_at: new Date(since.getTime() + atMs) }).execute();
  await text('【北京学生卡】之前的号主', -60_000);
  await text('【北京学生卡】测试短信', 1_000);
  await text('【Onecard】您正在重置密码，验证码 123456，10 分钟内有效。', 2_000);
  return {
    student, card, parent,
    studentToken: await t.factory.loginAs('student', student.education_id, student.password),
    parentToken: await t.factory.loginAs('parent', parent.phone, parent.password),
  };
}

describe('导出我的数据', () => {
  it('gives a student their profile, cards with statements, applications and orders, as a file; the parents’ phones masked', async () => {
    const f = await family();
    const other = await family();
    // The card is lost and a replacement applied for: the application is the student's too.
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/cards/${f.card.id}/loss`, headers: auth(f.parentToken) })).statusCode).toBe(200);
    const applied = await t.app.inject({
      method: 'POST', url: '/api/v1/fulfilment/applications', headers: auth(f.parentToken),
      payload: { kind: 'replacement', name: f.student.name, idType: 'resident_id', idNumber: f.student.id_number, educationId: f.student.education_id, cardId: f.card.id, delivery: { method: 'school' } },
    });
    expect(applied.statusCode, applied.body).toBe(201);
    const res = await exportAs(f.studentToken, f.student.password);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="onecard-student-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const doc = res.json();
    expect(doc).toMatchObject({
      format: 'onecard-personal-data/1', role: 'student',
      profile: { name: '导出测试生', educationId: f.student.education_id, idNumberMasked: expect.stringMatching(/^\d{3}\*+\w{4}$/), parents: [{ phoneMasked: expect.stringContaining('****') }] },
      consents: { needsGuardianConsent: expect.any(Boolean), consents: [] },
      cards: [{ card: { id: f.card.id, balanceFen: 2_500, status: 'lost' }, history: [expect.anything(), expect.objectContaining({ toStatus: 'lost' })], transactions: [{ type: 'top_up', amountFen: 2_500 }], trips: [], balanceRefunds: [] }],
      applications: [{ id: applied.json().id, kind: 'replacement', oldCardId: f.card.id }],
      orders: expect.any(Array),
    });
    expect(doc.campus).toBeUndefined(); // a school pupil has no campus services
    // The parent who applied has the application in their copy too.
    const parentCopy = (await exportAs(f.parentToken, f.parent.password)).json();
    expect(parentCopy.applications).toMatchObject([{ id: applied.json().id, studentId: f.student.id }]);
    expect(res.body).not.toContain(f.parent.phone);
    expect(res.body).not.toContain(f.student.id_number);
    expect(res.body).not.toContain(other.card.card_no);
    expect(res.body).not.toContain(other.student.id_number);
    // At most one every ten minutes.
    const again = await exportAs(f.studentToken, f.student.password);
    expect([again.statusCode, again.json().error.code]).toEqual([429, 'DATA_EXPORT_TOO_SOON']);
    t.clock.advance(10 * 60_000 + 1);
    expect((await exportAs(f.studentToken, f.student.password)).statusCode).toBe(200);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', f.student.id).where('action', '=', 'account.data_exported').execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual({ action: 'account.data_exported', after: { format: 'onecard-personal-data/1' } });
  });

  it('gives a parent their profile, each child with the settings, consents and cards (a returned one with its refund), and the texts sent to them', async () => {
    const f = await family('2015-03-01'); // under 14: consents are the parent's to give
    const consent = await t.app.inject({ method: 'POST', url: `/api/v1/students/${f.student.id}/consents`, headers: auth(f.parentToken), payload: { purpose: 'photo' } });
    expect(consent.statusCode, consent.body).toBe(201);
    const returned = await t.app.inject({ method: 'POST', url: `/api/v1/cards/${f.card.id}/return`, headers: auth(f.parentToken) });
    expect(returned.statusCode, returned.body).toBe(200);
    const res = await exportAs(f.parentToken, f.parent.password);
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json();
    expect(doc).toMatchObject({
      role: 'parent',
      profile: { phone: f.parent.phone },
      children: [{
        child: { studentId: f.student.id },
        settings: { balanceAlert: { thresholdFen: null }, spendNotice: { minAmountFen: null }, autoTopUp: { agreementActive: false } },
        consents: { needsGuardianConsent: true, consents: [{ id: consent.json().consentId, purpose: 'photo', parentId: f.parent.id, revokedAt: null }] },
        cards: [{ card: { id: f.card.id, holderNameMasked: '导****', status: 'returned' }, balanceRefunds: [{ amountFen: 2_500 }] }],
      }],
      applications: [],
      paymentAgreement: null,
      textMessages: [{ body: '【北京学生卡】测试短信' }],
    });
    // The child's ID number is the child's: not in the parent's copy.
    expect(res.body).not.toContain(f.student.id_number);
  });

  it('gives a university student their campus services: the network account, repair reports, every booking (a cancelled one too) and their bills', async () => {
    const school = await t.factory.newSchool({ stage: 'university', name: '导出测试大学' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '导出大学生' });
    await t.factory.newCard(student.id, { product: 'campus_card' });
    await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const repair = await t.app.inject({ method: 'POST', url: '/api/v1/campus/repairs', headers: auth(token), payload: { category: 'water', location: '学1楼 101', description: '热水龙头不出水' } });
    expect(repair.statusCode, repair.body).toBe(201);
    const operatorToken = await t.factory.operatorToken();
    const venue = (await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/venues', headers: auth(operatorToken), payload: { schoolId: school.id, name: '琴房 导出' } })).json();
    const book = (hour: number) => t.app.inject({ method: 'POST', url: '/api/v1/campus/bookings', headers: auth(token), payload: { venueId: venue.id, date: '2026-11-24', hour } });
    const kept = await book(14);
    const cancelled = await book(15);
    // A classmate's booking is theirs.
    const classmate = await t.factory.newStudent({ schoolId: school.id });
    await t.factory.newCard(classmate.id, { product: 'campus_card' });
    const classmateToken = await t.factory.loginAs('student', classmate.education_id, classmate.password);
    const theirs = await t.app.inject({ method: 'POST', url: '/api/v1/campus/bookings', headers: auth(classmateToken), payload: { venueId: venue.id, date: '2026-11-24', hour: 16 } });
    expect(theirs.statusCode, theirs.body).toBe(201);
    expect([kept.statusCode, cancelled.statusCode]).toEqual([201, 201]);
    await t.ctx.db.updateTable('students').set({ student_no: `X${student.education_id}` }).where('id', '=', student.id).execute();
    await t.ctx.db.updateTable('students').set({ student_no: `X${classmate.education_id}` }).where('id', '=', classmate.id).execute();
    const issue = (studentNo: string) => t.app.inject({
      method: 'POST', url: '/api/v1/admin/campus/bills', headers: { ...auth(operatorToken), 'idempotency-key': `export-bill-${studentNo}` },
      payload: { schoolId: school.id, studentNo, kind: 'tuition', academicYear: '2026-2027', amountFen: 500_000, dueDate: '2026-12-31' },
    });
    expect((await issue(`X${student.education_id}`)).statusCode).toBe(201);
    expect((await issue(`X${classmate.education_id}`)).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/campus/bookings/${cancelled.json().id}/cancel`, headers: auth(token) })).statusCode).toBe(200);

    const res = await exportAs(token, student.password);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().campus).toMatchObject({
      network: { balanceFen: 0, devices: [], sessions: [] },
      repairs: [{ id: repair.json().id, description: '热水龙头不出水' }],
      bookings: [{ id: cancelled.json().id, hour: 15, status: 'cancelled' }, { id: kept.json().id, hour: 14, status: 'booked' }],
    });
    expect(res.json().campus.bookings).toHaveLength(2);
    // Their own bill, not the classmate's.
    expect(res.json().campus.bills).toMatchObject([{ title: '2026-2027学年学费', amountFen: 500_000, status: 'unpaid' }]);
  });

  it('gives a full-time undergraduate their own timetable and grades (课表, 成绩), and a student who may not read them none', async () => {
    const school = await t.factory.newSchool({ stage: 'university', name: '导出教务大学' });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const newStudent = async (studentNo: string, fullTime: boolean) => {
      const s = await t.factory.newStudent({ schoolId: school.id, name: '导出本科生' });
      await t.ctx.db.updateTable('students').set({ must_change_password: false, student_no: studentNo, study_level: 'undergraduate', full_time: fullTime }).where('id', '=', s.id).execute();
      return { ...s, studentNo, token: await t.factory.loginAs('student', s.education_id, s.password) };
    };
    const me = await newStudent('EXP0001', true);
    const classmate = await newStudent('EXP0002', true);
    const partTime = await newStudent('EXP0003', false);
    const admin = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/academic/terms/2026-2027-1${url}`, headers: { ...auth(managerToken), 'idempotency-key': `export-academic-${url}` }, payload });
    expect((await admin('', { firstMonday: '2026-09-07', weeks: 18 })).statusCode).toBe(200);
    const course = (studentNo: string, courseName: string) => ({ studentNo, courseName, weekday: 1, periods: '1-2', weeks: '1-16' });
    expect((await admin('/timetable', { courses: [course(me.studentNo, '高等数学A'), course(classmate.studentNo, '同学的课'), course(partTime.studentNo, '非全日制的课')] })).statusCode).toBe(200);
    const grade = (studentNo: string, courseName: string) => ({ studentNo, courseName, credits: 4, score: 88, gradePoint: 3.7 });
    expect((await admin('/grades', { grades: [grade(me.studentNo, '高等数学A'), grade(classmate.studentNo, '同学的课'), grade(partTime.studentNo, '非全日制的课')] })).statusCode).toBe(200);

    const mine = await exportAs(me.token, me.password);
    expect(mine.statusCode, mine.body).toBe(200);
    const academic = mine.json().academic as { timetables: { term: { code: string }; entries: { courseName: string }[] }[]; grades: { terms: { code: string; records: { courseName: string; score: string }[] }[]; overall: { gpa: number } } };
    expect(academic.timetables).toEqual([{ term: expect.objectContaining({ code: '2026-2027-1' }), entries: [expect.objectContaining({ courseName: '高等数学A', weeksText: '1-16' })] }]);
    expect(academic.grades.terms).toEqual([expect.objectContaining({ code: '2026-2027-1', records: [expect.objectContaining({ courseName: '高等数学A', score: '88' })] })]);
    expect(academic.grades.overall.gpa).toBe(3.7);
    // Nothing of the classmate's.
    expect(mine.body).not.toContain('同学的课');
    // A part-time student does not read 课表 / 成绩 in the app, so the export has none either.
    const theirs = await exportAs(partTime.token, partTime.password);
    expect(theirs.statusCode, theirs.body).toBe(200);
    expect(theirs.json()).not.toHaveProperty('academic');
    expect(theirs.body).not.toContain('非全日制的课');
  });

  it('needs the password again (a wrong one audited and throttled), not an initial one, and is refused to staff', async () => {
    const f = await family();
    const wrong = await exportAs(f.studentToken, 'not-my-password');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([400, 'PASSWORD_WRONG']);
    const failures = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', f.student.id).where('action', '=', 'own_password.failed').execute();
    expect(failures).toHaveLength(1);
    expect((await exportAs(f.studentToken, '')).json().error.code).toBe('VALIDATION_FAILED');
    // Throttled like sign-in: after a run of failures the right password waits too.
    for (let i = 0; i < 6; i++) await exportAs(f.studentToken, 'not-my-password');
    expect((await exportAs(f.studentToken, f.student.password)).json().error.code).toBe('AUTH_THROTTLED');

    // A parent still on the initial 123456 (which anyone could try) exports nothing.
    const fresh = await t.factory.newParent({ children: [f.student.id] });
    const freshToken = await t.factory.loginAs('parent', fresh.phone, fresh.password);
    expect((await exportAs(freshToken, fresh.password)).json()).toMatchObject({ error: { code: 'DATA_EXPORT_PASSWORD_INITIAL' } });

    const operator = await t.factory.operatorToken();
    expect((await exportAs(operator, 'whatever')).statusCode).toBe(403);
    expect(await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'account.data_exported').where('actor_role', 'not in', ['student', 'parent']).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'account.data_exported').where('entity_id', 'in', [f.student.id, fresh.id]).execute()).toEqual([]);
  });
});
