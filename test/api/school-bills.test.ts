import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { accountCodes } from '../../src/modules/ledger/ledger.js';
import type { OrderView } from '../../src/modules/payments/order-view.js';
import { fund } from '../support/money.js';
import { PaymentsDriver } from './payments-driver.js';

/**
 * 学费及重修费缴费 (seed 004: 校园卡APP…学费及重修费缴费等支付): the university's finance office
 * bills its students in the console, one by one or by file; the student pays in the app from the
 * campus card (query password) or by Alipay / WeChat Pay, once; the money reaches the university.
 */

let d: PaymentsDriver;
let n = 0;
beforeAll(async () => {
  d = await PaymentsDriver.start();
});
afterAll(async () => d.close());
beforeEach(() => d.t.clock.set('2026-09-01T02:00:00Z'));

const queryPassword = '246813';

async function university() {
  const school = await d.t.factory.newSchool({ stage: 'university', name: `缴费大学${++n}` });
  const manager = await d.t.factory.newStaff('school_admin', { schoolId: school.id });
  return { school, managerToken: await d.t.factory.loginAs('staff', manager.username, manager.password) };
}

/** A student of the university with a student number, a campus card holding `campusFen`, signed in. */
async function undergraduate(schoolId: string, campusFen = 0) {
  const student = await d.t.factory.newStudent({ schoolId, name: '缴费学生', queryPassword });
  const studentNo = `2026${String(++n).padStart(6, '0')}`;
  await d.t.ctx.db.updateTable('students').set({ student_no: studentNo }).where('id', '=', student.id).execute();
  const card = await d.t.factory.newCard(student.id, { product: 'campus_card' });
  if (campusFen > 0) await fund(d.t, card.id, campusFen);
  return { student, studentNo, card, token: await d.t.factory.loginAs('student', student.education_id, student.password) };
}

const key = () => ({ 'idempotency-key': `bill-${Math.random()}` });
const issue = (token: string, body: Record<string, unknown>) => d.request('POST', '/admin/campus/bills', token, body, key());
const tuition = (studentNo: string, extra: Record<string, unknown> = {}) => ({ studentNo, kind: 'tuition', academicYear: '2026-2027', amountFen: 500_000, dueDate: '2026-09-30', ...extra });
const myBills = async (token: string) => (await d.request('GET', '/campus/bills', token)).json() as { items: { id: string; status: string; title: string; overdue: boolean; cancelReason: string | null; paidVia: string | null; schoolName: string }[]; unpaidFen: number };
const payFromCard = (token: string, billId: string, password = queryPassword) => d.request('POST', `/campus/bills/${billId}/pay`, token, { queryPassword: password }, key());
const orderFor = (token: string, billId: string) => d.request('POST', '/orders/school-bill', token, { billId }, key());
const tuitionFen = (schoolId: string) => d.balanceFen(accountCodes.merchant(`tuition.${schoolId}`));
const purseFen = (cardId: string) => d.balanceFen(accountCodes.purse(cardId));
const upload = (token: string, csv: string | Buffer, schoolId?: string) =>
  d.t.app.inject({ method: 'POST', url: `/api/v1/admin/campus/bills/file${schoolId ? `?schoolId=${schoolId}` : ''}`, headers: { ...d.headers(token, key()), 'content-type': 'text/csv' }, payload: csv });

/** The issue id of the school's (only) bill issue, from its audit row. */
async function issueIdOf(schoolId: string): Promise<string> {
  const row = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', schoolId).where('action', '=', 'campus.bill.issued').executeTakeFirstOrThrow();
  return (row.after as { issueId: string }).issueId;
}

async function billOf(token: string) {
  const [bill] = (await myBills(token)).items;
  if (!bill) throw new Error('no bill');
  return bill;
}

describe('school bills: issued by the university, paid by the student', () => {
  it('are paid from the campus card with the query password, once, into the university’s account', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    const issued = await issue(managerToken, tuition(u.studentNo));
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json()).toEqual({ issued: 1, totalFen: 500_000 });

    const listed = await myBills(u.token);
    expect(listed).toMatchObject({ unpaidFen: 500_000, items: [{ title: '2026-2027学年学费', schoolName: school.name, status: 'unpaid', overdue: false }] });
    const bill = listed.items[0]!;

    expect((await payFromCard(u.token, bill.id, '000000')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect(await purseFen(u.card.id)).toBe(600_000);

    const paid = await payFromCard(u.token, bill.id);
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ bill: { status: 'paid', paidVia: 'campus_card' }, balanceAfterFen: 100_000 });
    expect(await purseFen(u.card.id)).toBe(100_000);
    expect(await tuitionFen(school.id)).toBe(500_000);
    expect((await myBills(u.token)).unpaidFen).toBe(0);

    const again = await payFromCard(u.token, bill.id);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_NOT_UNPAID' } });
    expect((await orderFor(u.token, bill.id)).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_NOT_UNPAID' } });
    expect(await purseFen(u.card.id)).toBe(100_000);

    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', bill.id).orderBy('at').execute();
    expect(audit).toEqual([{ action: 'campus.bill.paid', actor_role: 'student' }]);
    await d.expectLedgerClean();
  });

  it('refuse a payment the card cannot cover, and move nothing', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 10_000);
    await issue(managerToken, { ...tuition(u.studentNo), kind: 'retake', course: '高等数学A', amountFen: 40_000 });
    const bill = await billOf(u.token);
    expect(bill.title).toBe('重修费：高等数学A');
    const short = await payFromCard(u.token, bill.id);
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await billOf(u.token)).toMatchObject({ status: 'unpaid' });
    expect(await purseFen(u.card.id)).toBe(10_000);
    expect(await tuitionFen(school.id)).toBe(0);
  });

  it.each(['alipay', 'wechat'] as const)('are paid at the %s cashier: the order names the university, and pays the bill once', async (gateway) => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);

    const ordered = await orderFor(u.token, bill.id);
    expect(ordered.statusCode, ordered.body).toBe(201);
    const order = ordered.json() as OrderView;
    expect(order).toMatchObject({ kind: 'school_bill', amountFen: 500_000, item: { name: '学费', projectName: '2026-2027学年学费', payee: school.name } });
    // Asked again while it waits: the same order, not a second one.
    expect((await orderFor(u.token, bill.id)).json()).toMatchObject({ id: order.id });
    // Meanwhile neither the card nor the school can settle the bill another way.
    expect((await payFromCard(u.token, bill.id)).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_ORDER_OPEN' } });
    const cancel = await d.request('POST', `/admin/campus/bills/${bill.id}/cancel`, managerToken, { reason: '金额有误' }, key());
    expect(cancel.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_ORDER_OPEN' } });

    await d.payAtCashier(u.token, order.id, gateway);
    await d.runJobs();
    expect(await d.order(u.token, order.id)).toMatchObject({ status: 'fulfilled', gateway });
    expect(await billOf(u.token)).toMatchObject({ status: 'paid', paidVia: 'order' });
    expect(await tuitionFen(school.id)).toBe(500_000);
    expect(await purseFen(u.card.id)).toBe(600_000);
    expect((await d.ledgerTransactionsOf(order.id)).map((tx) => tx.type)).toEqual(['fee']);
    await d.expectLedgerClean();
  });

  it('can be paid from the card once the student cancels the order waiting at the cashier', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 500_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    const order = (await orderFor(u.token, bill.id)).json() as OrderView;
    expect((await d.request('POST', `/orders/${order.id}/cancel`, u.token, undefined, key())).statusCode).toBe(200);
    expect((await payFromCard(u.token, bill.id)).json()).toMatchObject({ bill: { status: 'paid', paidVia: 'campus_card' }, balanceAfterFen: 0 });
  });

  it('are each student’s own: another student sees none and pays none; an unbound parent neither', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    const other = await undergraduate(school.id, 600_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    expect((await myBills(other.token)).items).toEqual([]);
    expect((await d.request('GET', `/campus/bills?studentId=${u.student.id}`, other.token)).statusCode).toBe(403);
    expect((await payFromCard(other.token, bill.id)).statusCode).toBe(404);
    expect((await orderFor(other.token, bill.id)).statusCode).toBe(404);
    const { parentToken } = await d.family();
    expect((await d.request('GET', '/campus/bills', parentToken)).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await d.request('GET', `/campus/bills?studentId=${u.student.id}`, parentToken)).statusCode).toBe(403);
    expect((await orderFor(parentToken, bill.id)).statusCode).toBe(404);
    expect(await purseFen(other.card.id)).toBe(600_000);
  });

  it('are paid by a bound parent at the cashier, never from the child’s card', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    const parent = await d.t.factory.newParent({ children: [u.student.id] });
    const parentToken = await d.t.factory.loginAs('parent', parent.phone, parent.password);
    await issue(managerToken, tuition(u.studentNo));
    const listed = (await d.request('GET', `/campus/bills?studentId=${u.student.id}`, parentToken)).json();
    expect(listed).toMatchObject({ unpaidFen: 500_000, items: [{ title: '2026-2027学年学费', status: 'unpaid' }] });
    const bill = listed.items[0];
    expect((await payFromCard(parentToken, bill.id)).statusCode).toBe(403);

    const ordered = await orderFor(parentToken, bill.id);
    expect(ordered.statusCode, ordered.body).toBe(201);
    const order = ordered.json() as OrderView;
    expect(order).toMatchObject({ kind: 'school_bill', studentId: u.student.id, item: { payee: school.name } });
    // The student asking meanwhile gets the parent's order, not a second one.
    expect((await orderFor(u.token, bill.id)).json()).toMatchObject({ id: order.id });
    await d.payAtCashier(parentToken, order.id, 'wechat');
    await d.runJobs();
    expect(await billOf(u.token)).toMatchObject({ status: 'paid', paidVia: 'order' });
    expect(await purseFen(u.card.id)).toBe(600_000);
    const placed = await d.t.ctx.db.selectFrom('payment_orders').select(['created_by_role', 'created_by']).where('id', '=', order.id).executeTakeFirstOrThrow();
    expect(placed).toEqual({ created_by_role: 'parent', created_by: parent.id });
    await d.expectLedgerClean();
  });

  it('are overdue after their due date, and can still be paid', async () => {
    d.t.clock.set('2026-09-30T08:00:00Z');
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 500_000);
    await issue(managerToken, tuition(u.studentNo));
    d.t.clock.set('2026-09-30T15:59:00Z');
    expect(await billOf(u.token)).toMatchObject({ overdue: false });
    d.t.clock.set('2026-09-30T16:00:00Z');
    const bill = await billOf(u.token);
    expect(bill).toMatchObject({ overdue: true });
    expect((await payFromCard(u.token, bill.id)).json()).toMatchObject({ bill: { status: 'paid', overdue: false } });
  });
});

describe('school bills in the console', () => {
  it('are issued to enrolled students of the card manager’s own university only, one live bill per item', async () => {
    const { school, managerToken } = await university();
    const other = await university();
    const u = await undergraduate(school.id);
    const stranger = await undergraduate(other.school.id);

    const unknown = await issue(managerToken, tuition(stranger.studentNo));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_STUDENT_UNKNOWN' } });
    // A card manager's bills are their own university's, whatever school the body names.
    expect((await issue(managerToken, { ...tuition(stranger.studentNo), schoolId: other.school.id })).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_STUDENT_UNKNOWN' } });

    const refused: [Record<string, unknown>, string][] = [
      [{ kind: 'retake' }, 'SCHOOL_BILL_FIELDS'], [{ course: '大学物理' }, 'SCHOOL_BILL_FIELDS'], [{ kind: 'retake', course: '大学\t物理' }, 'VALIDATION_FAILED'],
      [{ academicYear: '2026-2028' }, 'SCHOOL_BILL_FIELDS'], [{ academicYear: '0000-0001' }, 'SCHOOL_BILL_FIELDS'],
      [{ amountFen: 50 }, 'VALIDATION_FAILED'], [{ amountFen: 10_000_001 }, 'VALIDATION_FAILED'], [{ dueDate: '2026-02-30' }, 'VALIDATION_FAILED'],
    ];
    for (const [bad, code] of refused) {
      const res = await issue(managerToken, tuition(u.studentNo, bad));
      expect([res.statusCode, res.json().error.code], JSON.stringify(bad)).toEqual([400, code]);
    }
    expect((await issue(managerToken, tuition(u.studentNo))).statusCode).toBe(201);
    const twice = await issue(managerToken, tuition(u.studentNo, { amountFen: 450_000 }));
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_DUPLICATE' } });
    // A retake of another course, or next year's tuition, is another item.
    expect((await issue(managerToken, tuition(u.studentNo, { kind: 'retake', course: '大学物理', amountFen: 30_000 }))).statusCode).toBe(201);
    expect((await issue(managerToken, tuition(u.studentNo, { academicYear: '2027-2028' }))).statusCode).toBe(201);

    const k12 = await d.t.factory.newSchool({ stage: 'middle' });
    const operator = await d.t.factory.operatorToken();
    expect((await issue(operator, { ...tuition(u.studentNo), schoolId: k12.id })).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_INVALID' } });
    expect((await issue(operator, tuition(u.studentNo))).json()).toMatchObject({ error: { code: 'CAMPUS_SCHOOL_REQUIRED' } });
    expect((await d.request('GET', `/admin/campus/bills?schoolId=${school.id}`, other.managerToken)).json()).toMatchObject({ items: [], total: 0 });
    const listed = (await d.request('GET', `/admin/campus/bills?schoolId=${school.id}`, operator)).json();
    expect(listed).toMatchObject({ total: 3, totals: { unpaid: { count: 3, amountFen: 1_030_000 }, paid: { count: 0 } } });
    expect(listed.items[0]).toMatchObject({ studentNo: u.studentNo, studentNameMasked: '缴***' });
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', school.id).where('action', '=', 'campus.bill.issued').execute();
    expect(audit).toHaveLength(3);
  });

  it('cancel an unpaid bill with a reason the student sees; its item may then be billed again', async () => {
    const { school, managerToken } = await university();
    const other = await university();
    const u = await undergraduate(school.id, 600_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    expect((await d.request('POST', `/admin/campus/bills/${bill.id}/cancel`, other.managerToken, { reason: '金额有误' }, key())).statusCode).toBe(403);
    const cancelled = await d.request('POST', `/admin/campus/bills/${bill.id}/cancel`, managerToken, { reason: '金额有误，已重新开具' }, key());
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await billOf(u.token)).toMatchObject({ status: 'cancelled', cancelReason: '金额有误，已重新开具' });
    expect((await payFromCard(u.token, bill.id)).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_NOT_UNPAID' } });
    expect((await d.request('POST', `/admin/campus/bills/${bill.id}/cancel`, managerToken, { reason: '再撤销' }, key())).statusCode).toBe(409);
    expect((await issue(managerToken, tuition(u.studentNo, { amountFen: 450_000 }))).statusCode).toBe(201);
    expect((await myBills(u.token)).unpaidFen).toBe(450_000);
    expect(await purseFen(u.card.id)).toBe(600_000);
  });

  it('issue a file all or nothing: every bad row is reported, then the corrected file issues every bill', async () => {
    const { school, managerToken } = await university();
    const a = await undergraduate(school.id);
    const b = await undergraduate(school.id);
    const header = '学号,类别,学年,课程,金额（元）,截止日期';
    const bad = [
      header,
      `${a.studentNo},学费,2026-2027,,"5,000.00",2026/9/30`,
      `${b.studentNo},重修费,2026-2027,,300,2026-09-30`,
      `99999999,学费,2026-2027,,5000,2026-09-30`,
      `${a.studentNo},学费,2026-2027,,5000,2026-09-30`,
      `${b.studentNo},补考费,2026-2027,,300,2026-09-30`,
    ].join('\r\n');
    const refused = await upload(managerToken, bad);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({
      error: {
        code: 'SCHOOL_BILL_FILE_INVALID',
        details: {
          problemCount: 4,
          problems: [
            { row: 3, field: 'course', code: 'SCHOOL_BILL_FIELDS' },
            { row: 4, field: 'studentNo', code: 'SCHOOL_BILL_STUDENT_UNKNOWN' },
            { row: 5, field: 'academicYear', code: 'SCHOOL_BILL_DUPLICATE' },
            { row: 6, field: 'kind', code: 'SCHOOL_BILL_FIELDS' },
          ],
        },
      },
    });
    expect((await d.request('GET', '/admin/campus/bills', managerToken)).json()).toMatchObject({ total: 0 });

    const good = [header, `${a.studentNo},学费,2026-2027,,"5,000.00",2026/9/30`, `${b.studentNo},重修费,2026-2027,大学物理,300,20260930`, ''].join('\r\n');
    // Excel's "CSV UTF-8" starts with a BOM (GBK files are read as the roster's are, by the same reader).
    const issued = await upload(managerToken, `\uFEFF${good}`);
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json()).toEqual({ issued: 2, totalFen: 530_000 });
    expect(await billOf(b.token)).toMatchObject({ title: '重修费：大学物理', dueDate: '2026-09-30' });
    expect((await upload(managerToken, 'a,b,c\r\n1,2,3')).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_FILE_COLUMNS' } });
  });

  it('refuse a file whose amounts, courses or size are wrong, and a K-12 school’s file, before reading it', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id);
    const header = '学号*,类别,学年,课程（重修填写）,金额 (元),截止日期';
    const bad = [header, `${u.studentNo},学费,2026-2027,,"5,00",2026-09-30`, `${u.studentNo},重修费,2026-2027,"大学\t物理",300,2026-09-30`, `${u.studentNo},学费,2026-2027,,1e5,2026-09-30`].join('\n');
    expect((await upload(managerToken, bad)).json()).toMatchObject({
      error: { code: 'SCHOOL_BILL_FILE_INVALID', details: { problems: [{ row: 2, field: 'amount' }, { row: 3, field: 'course' }, { row: 4, field: 'amount' }] } },
    });
    const k12Manager = await d.t.factory.newStaff('school_admin', { schoolId: (await d.t.factory.newSchool({ stage: 'primary' })).id });
    const k12Token = await d.t.factory.loginAs('staff', k12Manager.username, k12Manager.password);
    expect((await upload(k12Token, 'no header at all')).json()).toMatchObject({ error: { code: 'CONSOLE_UNIVERSITY_ONLY' } }); // refused before the file is read
    const missing = await upload(managerToken, '学号,类别\n1,学费');
    expect(missing.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_FILE_COLUMNS', details: { missing: ['academicYear', 'course', 'amount', 'dueDate'] } } });

    // 5,000 bills (one student's retakes) in one file are issued; 5,001 are refused whole.
    const rows = (n: number) => [header, ...Array.from({ length: n }, (_, i) => `${u.studentNo},重修费,2026-2027,课程${i + 1},100,2026-09-30`)].join('\n');
    expect((await upload(managerToken, rows(5_001))).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_FILE_TOO_LARGE' } });
    const big = await upload(managerToken, rows(5_000));
    expect(big.statusCode, big.body).toBe(201);
    expect(big.json()).toEqual({ issued: 5_000, totalFen: 50_000_000 });
    expect((await myBills(u.token)).unpaidFen).toBe(50_000_000);
    // The families are told by one job after the commit, not by 5,000 texts inside the request.
    const { issueId } = (await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', school.id).where('action', '=', 'campus.bill.issued').executeTakeFirstOrThrow()).after as { issueId: string };
    expect(await d.t.ctx.db.selectFrom('jobs').select(['kind', 'status']).where('unique_key', '=', `campus.bill-texts:${issueId}`).execute()).toEqual([{ kind: 'campus.bill-texts', status: 'queued' }]);
  });
});

describe('school bills: due dates and the families’ texts', () => {
  const textsTo = async (phone: string) => (await d.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').orderBy('id').execute()).map((m) => m.body);
  const header = '学号,类别,学年,课程,金额（元）,截止日期';

  it('refuse a bill due before today in Beijing, from the form and row by row in a file, and issue nothing', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id);
    // 2026-09-01 00:30 in Beijing (still 31 August in UTC): 31 August has passed, today has not.
    d.t.clock.set('2026-08-31T16:30:00Z');
    const past = await issue(managerToken, tuition(u.studentNo, { dueDate: '2026-08-31' }));
    expect(past.statusCode).toBe(422);
    expect(past.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_DUE_PAST', message: expect.stringContaining('截止日期已过'), messageEn: expect.stringContaining('due date has passed'), details: { field: 'dueDate' } } });
    expect((await d.request('GET', '/admin/campus/bills', managerToken)).json()).toMatchObject({ total: 0 });

    const file = [header, `${u.studentNo},学费,2026-2027,,5000,2026-09-01`, `${u.studentNo},重修费,2026-2027,大学物理,300,2026/8/31`, `${u.studentNo},重修费,2026-2027,线性代数,300,2025-09-30`].join('\r\n');
    const refused = await upload(managerToken, file);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({
      error: { code: 'SCHOOL_BILL_FILE_INVALID', details: { problemCount: 2, problems: [{ row: 3, field: 'dueDate', code: 'SCHOOL_BILL_DUE_PAST' }, { row: 4, field: 'dueDate', code: 'SCHOOL_BILL_DUE_PAST' }] } },
    });
    expect((await d.request('GET', '/admin/campus/bills', managerToken)).json()).toMatchObject({ total: 0 });

    // Due today is fine.
    const today = await issue(managerToken, tuition(u.studentNo, { dueDate: '2026-09-01' }));
    expect(today.statusCode, today.body).toBe(201);
  });

  it('text each student’s bound parents once per issue: masked name, items, amounts and due dates; after the commit, by day', async () => {
    const { school, managerToken } = await university();
    const a = await undergraduate(school.id);
    const b = await undergraduate(school.id);
    const alone = await undergraduate(school.id); // no parent bound: nobody to text
    const mother = await d.t.factory.newParent({ children: [a.student.id] });
    const father = await d.t.factory.newParent({ children: [a.student.id, b.student.id] });
    await d.t.ctx.db.updateTable('students').set({ name: '王小明' }).where('id', '=', a.student.id).execute();

    const file = [
      header,
      `${a.studentNo},学费,2026-2027,,"5,000.00",2026-09-30`,
      `${a.studentNo},重修费,2026-2027,大学物理,300,2026-09-20`,
      `${b.studentNo},学费,2026-2027,,4800,2026-10-15`,
      `${alone.studentNo},学费,2026-2027,,4800,2026-10-15`,
    ].join('\r\n');
    expect((await upload(managerToken, file)).statusCode).toBe(201);
    // Nothing is sent inside the request.
    expect(await textsTo(mother.phone)).toEqual([]);

    await d.runJobs();
    const toA = `【北京学生卡】${school.name}为您孩子王**开具了账单：重修费：大学物理 ¥300.00（2026-09-20 前缴纳）；2026-2027学年学费 ¥5000.00（2026-09-30 前缴纳）。请在北京学生卡 App“学费及重修费”中缴纳。`;
    expect(await textsTo(mother.phone)).toEqual([toA]);
    // One text per student: the father of both gets one for each child.
    expect(await textsTo(father.phone)).toEqual([toA, `【北京学生卡】${school.name}为您孩子缴***开具了账单：2026-2027学年学费 ¥4800.00（2026-10-15 前缴纳）。请在北京学生卡 App“学费及重修费”中缴纳。`]);
    const told = await d.t.ctx.db.selectFrom('school_bills').select(['notified_at']).where('school_id', '=', school.id).execute();
    expect(told.every((r) => r.notified_at !== null)).toBe(true);

    // Running the job again (a retry) texts nobody twice.
    const { issueId } = (await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', school.id).where('action', '=', 'campus.bill.issued').executeTakeFirstOrThrow()).after as { issueId: string };
    const { textIssuedBills } = await import('../../src/modules/campus/school-bill-texts.js');
    expect(await textIssuedBills(d.t.ctx, issueId)).toEqual({ texted: 0, students: 0 });
    expect(await textsTo(father.phone)).toHaveLength(2);

    // A bill from the form is an issue of its own, told the same way; one cancelled before the text goes is not told.
    expect((await issue(managerToken, tuition(b.studentNo, { kind: 'retake', course: '线性代数', amountFen: 24_000, dueDate: '2026-10-20' }))).statusCode).toBe(201);
    expect((await issue(managerToken, tuition(b.studentNo, { kind: 'retake', course: '概率论', amountFen: 24_000, dueDate: '2026-10-20' }))).statusCode).toBe(201);
    const [cancelled] = (await d.t.ctx.db.selectFrom('school_bills').select('id').where('course', '=', '概率论').where('student_id', '=', b.student.id).execute());
    expect((await d.request('POST', `/admin/campus/bills/${cancelled!.id}/cancel`, managerToken, { reason: '开错了' }, key())).statusCode).toBe(200);
    await d.runJobs();
    expect((await textsTo(father.phone)).slice(2)).toEqual([`【北京学生卡】${school.name}为您孩子缴***开具了账单：重修费：线性代数 ¥240.00（2026-10-20 前缴纳）。请在北京学生卡 App“学费及重修费”中缴纳。`]);
  });

  it('wait for the morning when bills are issued at night (Beijing 08:00–20:00)', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id);
    const parent = await d.t.factory.newParent({ children: [u.student.id] });
    d.t.clock.set('2026-09-01T13:30:00Z'); // 21:30 in Beijing
    expect((await issue(managerToken, tuition(u.studentNo))).statusCode).toBe(201);
    await d.runJobs();
    expect(await textsTo(parent.phone)).toEqual([]);
    d.t.clock.set('2026-09-01T23:59:00Z'); // 07:59 the next morning
    await d.runJobs();
    expect(await textsTo(parent.phone)).toEqual([]);
    d.t.clock.set('2026-09-02T00:00:00Z');
    await d.runJobs();
    expect(await textsTo(parent.phone)).toHaveLength(1);

    // Issued at 19:59, but the job only runs (held up, or retried) at 20:30: it waits for 08:00 too.
    d.t.clock.set('2026-09-02T11:59:00Z'); // 19:59 in Beijing
    const later = await university();
    const v = await undergraduate(later.school.id);
    const other = await d.t.factory.newParent({ children: [v.student.id] });
    expect((await issue(later.managerToken, tuition(v.studentNo))).statusCode).toBe(201);
    d.t.clock.set('2026-09-02T12:30:00Z'); // 20:30
    await d.runJobs();
    expect(await textsTo(other.phone)).toEqual([]);
    d.t.clock.set('2026-09-03T00:00:00Z'); // 08:00 the next morning
    await d.runJobs();
    expect(await textsTo(other.phone)).toHaveLength(1);
  });
});

describe('school bills: texts that could not be sent', () => {
  const header = '学号,类别,学年,课程,金额（元）,截止日期';
  const textsTo = async (phone: string) => (await d.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').orderBy('id').execute()).map((m) => m.body);

  it('are sent by a new job after a wait once the text job gave up: to the families not yet told, once, and only by day', async () => {
    const { school, managerToken } = await university();
    const a = await undergraduate(school.id);
    const b = await undergraduate(school.id);
    const untold = await d.t.factory.newParent({ children: [a.student.id] });
    const told = await d.t.factory.newParent({ children: [b.student.id] });
    d.t.clock.set('2026-09-01T11:40:00Z'); // 19:40 in Beijing
    // The SMS service refuses the texts to one family's phone.
    const send = d.t.ctx.sms.send.bind(d.t.ctx.sms);
    const down = vi.spyOn(d.t.ctx.sms, 'send').mockImplementation(async (db, message) => {
      if (message.phone === untold.phone) throw new Error('SMS service unavailable');
      return send(db, message);
    });
    try {
      expect((await upload(managerToken, [header, `${a.studentNo},学费,2026-2027,,5000,2026-09-30`, `${b.studentNo},学费,2026-2027,,5000,2026-09-30`].join('\r\n'))).statusCode).toBe(201);
      const issueId = await issueIdOf(school.id);
      // Five quick tries (10, 20, 40 and 80 seconds apart), then the job gives up.
      for (let attempt = 0; attempt < 5; attempt++) {
        await d.runJobs();
        d.t.clock.advance(90_000);
      }
      const textJobs = () => d.t.ctx.db.selectFrom('jobs').select(['status', 'attempts', 'run_at']).where('kind', '=', 'campus.bill-texts').where(sql<boolean>`payload->>'issueId' = ${issueId}`).orderBy('created_at').execute();
      expect(await textJobs()).toEqual([expect.objectContaining({ status: 'failed', attempts: 5 })]);
      expect(await textsTo(told.phone)).toHaveLength(1);
      expect(await textsTo(untold.phone)).toEqual([]);
      // Not taken up before the wait is over.
      d.t.clock.advance(10 * 60_000); // 19:57
      await d.runJobs();
      expect(await textJobs()).toHaveLength(1);
    } finally {
      down.mockRestore();
    }
    // The SMS service is back. The wait is over after 20:00: the new job waits for 08:00.
    d.t.clock.advance(25 * 60_000); // 20:22
    await d.runJobs();
    expect(await textsTo(untold.phone)).toEqual([]);
    const jobs = await d.t.ctx.db.selectFrom('jobs').select(['status', 'run_at']).where('kind', '=', 'campus.bill-texts').where(sql<boolean>`payload->>'issueId' = ${await issueIdOf(school.id)}`).orderBy('created_at').execute();
    expect(jobs).toEqual([{ status: 'failed', run_at: expect.any(Date) }, { status: 'queued', run_at: new Date('2026-09-02T00:00:00Z') }]);
    d.t.clock.set('2026-09-02T00:00:00Z'); // 08:00 the next morning
    await d.runJobs();
    expect(await textsTo(untold.phone)).toEqual([`【北京学生卡】${school.name}为您孩子缴***开具了账单：2026-2027学年学费 ¥5000.00（2026-09-30 前缴纳）。请在北京学生卡 App“学费及重修费”中缴纳。`]);
    expect(await textsTo(told.phone)).toHaveLength(1);
    // All told: nothing more is taken up or sent.
    d.t.clock.advance(24 * 3_600_000);
    await d.runJobs();
    expect(await textsTo(untold.phone)).toHaveLength(1);
    expect(await textsTo(told.phone)).toHaveLength(1);
  });
});

describe('school bills and their orders', () => {
  it('show the order waiting at the cashier; one paid there after its time limit pays the bill, and the card is then refused', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    const order = (await orderFor(u.token, bill.id)).json() as OrderView;
    expect(await billOf(u.token)).toMatchObject({ orderId: order.id, waitingOrderId: order.id });
    // Paid at the cashier, but its notification is not delivered (no job runs); 31 minutes later the student tries the card.
    await d.payAtCashier(u.token, order.id, 'alipay');
    d.t.clock.advance(31 * 60_000);
    expect(await billOf(u.token)).toMatchObject({ status: 'unpaid', waitingOrderId: null });
    const card = await payFromCard(u.token, bill.id);
    expect(card.statusCode).toBe(409);
    expect(card.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_NOT_UNPAID' } });
    expect(await billOf(u.token)).toMatchObject({ status: 'paid', paidVia: 'order' });
    expect(await purseFen(u.card.id)).toBe(600_000);
    expect(await tuitionFen(school.id)).toBe(500_000);
    await d.expectLedgerClean();
  });

  it('wait while the gateway cannot say what became of an order past its time limit', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id, 600_000);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    const order = (await orderFor(u.token, bill.id)).json() as OrderView;
    await d.cashierUrl(u.token, order.id, 'alipay');
    await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: 'http://127.0.0.1:9/gateway.do' }).where('order_id', '=', order.id).execute();
    d.t.clock.advance(31 * 60_000);
    const card = await payFromCard(u.token, bill.id);
    expect(card.statusCode).toBe(409);
    expect(card.json()).toMatchObject({ error: { code: 'SCHOOL_BILL_ORDER_UNSETTLED' } });
    expect((await orderFor(u.token, bill.id)).json()).toMatchObject({ error: { code: 'SCHOOL_BILL_ORDER_UNSETTLED' } });
    expect(await purseFen(u.card.id)).toBe(600_000);
  });

  it('are not refunded by an operator: the finance office refunds tuition', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id);
    await issue(managerToken, tuition(u.studentNo));
    const order = (await orderFor(u.token, (await billOf(u.token)).id)).json() as OrderView;
    await d.payAtCashier(u.token, order.id, 'wechat');
    await d.runJobs();
    const operator = await d.t.factory.operatorToken();
    const detail = (await d.request('GET', `/admin/orders/${order.id}`, operator)).json();
    expect(detail).toMatchObject({ refundableFen: 0 });
    const refund = await d.request('POST', `/admin/orders/${order.id}/refunds`, operator, {}, key());
    expect(refund.statusCode).toBe(409);
    expect(refund.json()).toMatchObject({ error: { code: 'REFUND_SCHOOL_BILL' } });
    expect(await tuitionFen(school.id)).toBe(500_000);
    expect(await billOf(u.token)).toMatchObject({ status: 'paid' });
  });

  it('keep the money of a bill that was no longer unpaid when its order was paid, and say so in the audit log', async () => {
    const { school, managerToken } = await university();
    const u = await undergraduate(school.id);
    await issue(managerToken, tuition(u.studentNo));
    const bill = await billOf(u.token);
    const order = (await orderFor(u.token, bill.id)).json() as OrderView;
    // Behind the guards' back (they keep the school from cancelling while the order waits).
    await d.t.ctx.db.updateTable('school_bills').set({ status: 'cancelled', cancel_reason: '测试' }).where('id', '=', bill.id).execute();
    await d.payAtCashier(u.token, order.id, 'alipay');
    await d.runJobs();
    expect(await billOf(u.token)).toMatchObject({ status: 'cancelled' });
    expect(await tuitionFen(school.id)).toBe(500_000);
    // The test's clock stands still, so both rows have the same time: the id (UUIDv7, made in order) breaks the tie.
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', bill.id).orderBy('at').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'campus.bill.order', after: expect.objectContaining({ orderId: order.id }) },
      { action: 'campus.bill.paid_again', after: expect.objectContaining({ orderId: order.id, amountFen: 500_000 }) },
    ]);
    await d.expectLedgerClean();
  });
});
