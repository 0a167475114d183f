import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../src/domain/calendar.js';
import { accountCodes, balanceOf, checkLedger } from '../../src/modules/ledger/ledger.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { purseFen } from './ecards-support.js';

/** 借阅图书 (seed 004: "使用校园卡 APP 借阅图书"; rules in src/domain/library.ts). */

let t: TestApp;
let operator: string;
let campusId: string;
let managerToken: string;
beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
  campusId = (await t.factory.newSchool({ stage: 'university' })).id;
  const manager = await t.factory.newStaff('school_admin', { schoolId: campusId });
  managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const queryPassword = '246813';
let serial = 0;

async function reader(balanceFen = 5_000, schoolId = campusId) {
  const student = await t.factory.newStudent({ schoolId, name: '借书测试生', queryPassword });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  if (balanceFen > 0) await fund(t, card.id, balanceFen);
  return { student, card, token: await t.factory.loginAs('student', student.education_id, student.password) };
}

/** A book added through the console, with a barcode of its own. */
async function book(title = '平凡的世界', schoolId = campusId, token = operator) {
  const barcode = `LIB-${process.pid}-${++serial}`;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/books', headers: auth(token), payload: { schoolId, barcode, title, author: '路遥', callNo: 'I247.5/12' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; barcode: string };
}

const borrow = (token: string, barcode: string) => t.app.inject({ method: 'POST', url: '/api/v1/campus/library/loans', headers: auth(token), payload: { barcode } });
const renew = (token: string, loanId: string) => t.app.inject({ method: 'POST', url: `/api/v1/campus/library/loans/${loanId}/renew`, headers: auth(token) });
const giveBack = (barcode: string, token = managerToken) => t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/returns', headers: auth(token), payload: { barcode } });
const loans = async (token: string) => (await t.app.inject({ url: '/api/v1/campus/library/loans', headers: auth(token) })).json();
const payFines = (token: string, password = queryPassword) => t.app.inject({ method: 'POST', url: '/api/v1/campus/library/fines/pay', headers: auth(token), payload: { queryPassword: password } });
/** Moves a loan's due date, as if it had been borrowed earlier. */
const dueOn = (loanId: string, date: string) => t.ctx.db.updateTable('library_loans').set({ due_on: date }).where('id', '=', loanId).execute();
const today = () => shanghaiDate(t.clock.now());

describe('借阅图书 (library loans)', () => {
  it('a student finds a book, borrows it for 30 days, renews it once, and the desk takes it back on time without a fine', async () => {
    const r = await reader();
    const b = await book('活着');
    const found = await t.app.inject({ url: '/api/v1/campus/library/books?q=活', headers: auth(r.token) });
    expect(found.json().items).toContainEqual({ id: b.id, barcode: b.barcode, title: '活着', author: '路遥', callNo: 'I247.5/12', available: true, dueOn: null });

    const lent = await borrow(r.token, b.barcode);
    expect(lent.statusCode, lent.body).toBe(201);
    expect(lent.json()).toMatchObject({ title: '活着', dueOn: addDays(today(), 30), renewals: 0, renewable: true, overdue: false, returnedAt: null, fineFen: 0 });
    const loanId = lent.json().id as string;
    // On the shelf no more: shown as due back, without saying who has it.
    expect((await t.app.inject({ url: `/api/v1/campus/library/books?q=${b.barcode}`, headers: auth(r.token) })).json().items).toEqual([expect.objectContaining({ available: false, dueOn: addDays(today(), 30) })]);
    expect((await borrow((await reader()).token, b.barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_BOOK_ON_LOAN' } });

    // Renewed ten days before it is due: 30 days from today, once.
    await dueOn(loanId, addDays(today(), 10));
    expect((await renew(r.token, loanId)).json()).toMatchObject({ dueOn: addDays(today(), 30), renewals: 1, renewable: false });
    expect((await renew(r.token, loanId)).json()).toMatchObject({ error: { code: 'LIBRARY_RENEWED_ALREADY' } });
    // Nobody renews another student's loan.
    expect((await renew((await reader()).token, loanId)).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const back = await giveBack(b.barcode);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ loanId, title: '活着', borrowerNameMasked: '借****', daysLate: 0, fineFen: 0 });
    expect((await giveBack(b.barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_NOT_ON_LOAN' } });
    expect(await loans(r.token)).toMatchObject({ items: [expect.objectContaining({ id: loanId, returnedAt: expect.any(String), renewable: false })], onLoan: 0, finesOwedFen: 0, maxLoans: 10 });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', b.id).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['campus.library.book_added', 'campus.library.borrowed', 'campus.library.renewed', 'campus.library.returned']);
  });

  it('a late return is fined ¥0.10 a day up to ¥20; nothing more is lent until it is paid from the card with the query password', async () => {
    const r = await reader(5_000);
    const [late, veryLate, next] = [await book('围城'), await book('呐喊'), await book('边城')];
    const first = (await borrow(r.token, late.barcode)).json().id as string;
    const second = (await borrow(r.token, veryLate.barcode)).json().id as string;
    // Due yesterday: overdue, no renewal, and nothing more lent while it is out.
    await dueOn(first, addDays(today(), -1));
    expect((await renew(r.token, first)).json()).toMatchObject({ error: { code: 'LIBRARY_OVERDUE' } });
    expect((await loans(r.token)).items.find((l: { id: string }) => l.id === first)).toMatchObject({ overdue: true, renewable: false });
    expect((await borrow(r.token, next.barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_BLOCKED', details: { overdue: 1, finesOwedFen: 0 } } });

    // 12 days late: ¥1.20. 400 days late: capped at ¥20.00.
    await dueOn(first, addDays(today(), -12));
    await dueOn(second, addDays(today(), -400));
    expect((await giveBack(late.barcode)).json()).toMatchObject({ daysLate: 12, fineFen: 120 });
    expect((await giveBack(veryLate.barcode, operator)).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_REQUIRED' } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/returns', headers: auth(operator), payload: { schoolId: campusId, barcode: veryLate.barcode } })).json()).toMatchObject({ daysLate: 400, fineFen: 2_000 });
    expect(await loans(r.token)).toMatchObject({ finesOwedFen: 2_120, onLoan: 0 });
    expect((await borrow(r.token, next.barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_BLOCKED', details: { overdue: 0, finesOwedFen: 2_120 } } });

    // A wrong query password pays nothing; the right one pays both fines in one go.
    expect((await payFines(r.token, '975310')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect(await purseFen(t, r.card.id)).toBe(5_000);
    const paid = await payFines(r.token);
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ finesOwedFen: 0 });
    expect(await purseFen(t, r.card.id)).toBe(2_880);
    const library = await t.ctx.db.selectFrom('ledger_accounts').select('id').where('code', '=', accountCodes.merchant(`library.${campusId}`)).executeTakeFirstOrThrow();
    expect((await balanceOf(t.ctx.db, library.id)).postedFen).toBeGreaterThanOrEqual(2_120);
    expect((await payFines(r.token)).json()).toMatchObject({ error: { code: 'LIBRARY_NO_FINE' } });
    expect((await borrow(r.token, next.barcode)).statusCode).toBe(201);
    expect(await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', r.card.id).where('action', '=', 'campus.library.fines_paid').execute())
      .toEqual([{ after: expect.objectContaining({ amountFen: 2_120 }) }]);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('a card that cannot cover the fines pays nothing; the fines stay owed', async () => {
    const r = await reader(30);
    const b = await book('朝花夕拾');
    const loanId = (await borrow(r.token, b.barcode)).json().id as string;
    await dueOn(loanId, addDays(today(), -5));
    await giveBack(b.barcode);
    expect((await payFines(r.token)).json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await purseFen(t, r.card.id)).toBe(30);
    expect(await loans(r.token)).toMatchObject({ finesOwedFen: 50 });
  });

  it('lends at most 10 books at once; two students scanning one book at once: one gets it', async () => {
    const r = await reader();
    for (let i = 0; i < 10; i++) expect((await borrow(r.token, (await book(`丛书 ${i}`)).barcode)).statusCode).toBe(201);
    expect((await borrow(r.token, (await book('第十一本')).barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_LOAN_LIMIT', details: { limit: 10 } } });

    const contested = await book('红楼梦');
    const [a, b] = await Promise.all([borrow((await reader()).token, contested.barcode), borrow((await reader()).token, contested.barcode)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(await t.ctx.db.selectFrom('library_loans').select('id').where('book_id', '=', contested.id).execute()).toHaveLength(1);
  });

  it('a book of another university, an unknown barcode, bad input and anyone but a campus card holder are refused', async () => {
    const r = await reader();
    const otherCampus = (await t.factory.newSchool({ stage: 'university' })).id;
    const foreign = await book('他校藏书', otherCampus);
    expect((await borrow(r.token, foreign.barcode)).json()).toMatchObject({ error: { code: 'LIBRARY_BOOK_UNKNOWN' } });
    expect((await t.app.inject({ url: `/api/v1/campus/library/books?q=${foreign.barcode}`, headers: auth(r.token) })).json().items).toEqual([]);
    for (const barcode of ['', 'ab', 'has space', 'x'.repeat(33), 12345]) expect((await borrow(r.token, barcode as string)).statusCode).toBe(400);

    const pupil = await t.factory.newStudent();
    await t.factory.newCard(pupil.id);
    const pupilToken = await t.factory.loginAs('student', pupil.education_id, pupil.password);
    expect((await borrow(pupilToken, (await book()).barcode)).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
    expect((await t.app.inject({ url: '/api/v1/campus/library/loans', headers: auth(managerToken) })).statusCode).toBe(403);
  });

  it('the console: the catalogue shows who has a book (masked) and what is overdue; a barcode is added once per school; a card manager sees only their own', async () => {
    const r = await reader();
    const b = await book('三体', campusId, managerToken);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/books', headers: auth(managerToken), payload: { schoolId: campusId, barcode: b.barcode, title: '另一本' } })).json())
      .toMatchObject({ error: { code: 'LIBRARY_BARCODE_TAKEN' } });
    const loanId = (await borrow(r.token, b.barcode)).json().id as string;
    await dueOn(loanId, addDays(today(), -3));
    const listed = await t.app.inject({ url: `/api/v1/admin/campus/library/books?q=${b.barcode}`, headers: auth(managerToken) });
    expect(listed.json()).toMatchObject({ total: 1, items: [{ id: b.id, title: '三体', available: false, overdue: true, borrowerNameMasked: '借****' }] });
    expect(listed.body).not.toContain('借书测试生');

    const elsewhere = (await t.factory.newSchool({ stage: 'university' })).id;
    const otherManager = await t.factory.newStaff('school_admin', { schoolId: elsewhere });
    const otherToken = await t.factory.loginAs('staff', otherManager.username, otherManager.password);
    expect((await t.app.inject({ url: `/api/v1/admin/campus/library/books?q=${b.barcode}`, headers: auth(otherToken) })).json()).toMatchObject({ total: 0 });
    expect((await giveBack(b.barcode, otherToken)).json()).toMatchObject({ error: { code: 'LIBRARY_NOT_ON_LOAN' } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/books', headers: auth(otherToken), payload: { schoolId: campusId, barcode: 'X-0001', title: '越权' } })).json())
      .toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    const primary = (await t.factory.newSchool({ stage: 'primary' })).id;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/library/books', headers: auth(operator), payload: { schoolId: primary, barcode: 'X-0002', title: '小学' } })).json())
      .toMatchObject({ error: { code: 'CAMPUS_SCHOOL_INVALID' } });
  });
});
