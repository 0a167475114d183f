import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCardNo } from '../../src/domain/card-numbers.js';
import { fund } from '../support/money.js';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { PaymentsDriver } from './payments-driver.js';
import { cardRow, expectError, goodPhone, newPhone, oldWalletPhone, purseFen } from './ecards-support.js';

/** University e-card (seeds 002/003): eligibility, linking, one per identity, validity, extension, return. */

let d: PaymentsDriver;
let operator: string;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  operator = await d.t.factory.operatorToken();
});
afterAll(() => d?.close());
afterEach(() => d.t.clock.set('2026-11-23T02:00:00Z'));

/** Moves the clock; sessions signed in "now" stay valid across the jump (they are not under test here). */
async function travel(at: string) {
  d.t.clock.set(at);
  await d.t.ctx.db.updateTable('sessions').set({ expires_at: new Date('2100-01-01T00:00:00Z') }).where('revoked_at', 'is', null).execute();
}

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown) =>
  d.t.app.inject({ method, url: `/api/v1${url}`, headers: d.headers(token), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

async function undergraduate(options: { partnered?: boolean; stage?: 'university' | 'vocational' } = {}) {
  const school = await d.t.factory.newSchool({ stage: options.stage ?? 'university', name: `北京交通大学${Math.random().toString(36).slice(2, 8)}` });
  if (options.partnered !== false) expect((await call('PUT', `/ecards/university/partner-schools/${school.id}`, operator)).statusCode).toBe(204);
  const student = await d.t.factory.newStudent({ schoolId: school.id, birthDate: '2004-09-01', name: '王大学' });
  const studentNo = `S${student.education_id}`;
  await d.t.ctx.db.updateTable('students').set({ student_no: studentNo }).where('id', '=', student.id).execute();
  const token = await d.t.factory.loginAs('student', student.education_id, student.password);
  return { school, student, studentNo, token };
}

type U = Awaited<ReturnType<typeof undergraduate>>;
const linkBody = (u: U, overrides: Record<string, unknown> = {}) => ({
  studentId: u.student.id, schoolId: u.school.id, interopCardNo: generateCardNo('interoperable'), name: u.student.name, studentNo: u.studentNo, idNumber: u.student.id_number, phone: goodPhone, ...overrides,
});

async function linked(u: U) {
  const res = await call('POST', '/ecards/university', u.token, linkBody(u));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().card as { id: string; validUntil: string; cardNo: string };
}

describe('eligibility', () => {
  it('enrolled, not salaried, at a partnered school, no other transit card', async () => {
    const u = await undergraduate({ partnered: false });
    const check = async () => (await call('GET', `/ecards/university/eligibility?studentId=${u.student.id}`, u.token)).json();
    expect(await check()).toMatchObject({ eligible: false, problems: [{ reason: 'SCHOOL_NOT_PARTNERED' }], validUntilIfOpenedToday: '2027-09-30' });
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u)), 422, 'ECARD_UNIVERSITY_INELIGIBLE');
    expect((await call('PUT', `/ecards/university/partner-schools/${u.school.id}`, operator)).statusCode).toBe(204);
    expect((await call('GET', '/ecards/university/partner-schools')).json().items.map((s: { id: string }) => s.id)).toContain(u.school.id);
    expect(await check()).toMatchObject({ eligible: true, problems: [] });

    await d.t.ctx.db.updateTable('students').set({ salaried: true, status: 'graduated' }).where('id', '=', u.student.id).execute();
    expect((await check()).problems.map((p: { reason: string }) => p.reason)).toEqual(['NOT_ENROLLED', 'SALARIED']);
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u)), 422, 'ECARD_UNIVERSITY_INELIGIBLE');
  });

  it('a vocational school student qualifies; a K-12 student does not', async () => {
    const v = await undergraduate({ stage: 'vocational' });
    expect((await call('GET', `/ecards/university/eligibility?studentId=${v.student.id}`, v.token)).json().eligible).toBe(true);
    const school = await d.t.factory.newSchool({ stage: 'middle' });
    await call('PUT', `/ecards/university/partner-schools/${school.id}`, operator);
    const k12 = await d.t.factory.newStudent({ schoolId: school.id });
    const token = await d.t.factory.loginAs('student', k12.education_id, k12.password);
    expect((await call('GET', `/ecards/university/eligibility?studentId=${k12.id}`, token)).json().problems.map((p: { reason: string }) => p.reason)).toEqual(['NOT_UNIVERSITY']);
  });

  it('only operators change the partner list', async () => {
    const u = await undergraduate({ partnered: false });
    expectError(await call('PUT', `/ecards/university/partner-schools/${u.school.id}`, u.token), 403, 'FORBIDDEN');
    expect((await call('PUT', `/ecards/university/partner-schools/${u.school.id}`, operator)).statusCode).toBe(204);
    expect((await call('DELETE', `/ecards/university/partner-schools/${u.school.id}`, operator)).statusCode).toBe(204);
    expectError(await call('DELETE', `/ecards/university/partner-schools/${u.school.id}`, operator), 404, 'NOT_FOUND');
  });
});

describe('linking an interoperable card', () => {
  it('after real-name (school, name, student number, ID number), valid until the next 30 September', async () => {
    const u = await undergraduate();
    for (const wrong of [{ studentNo: 'S0' }, { name: '王小学' }, { idNumber: '110108200409010011' }]) {
      expectError(await call('POST', '/ecards/university', u.token, linkBody(u, wrong)), 400, 'ECARD_REAL_NAME_FAILED');
    }
    const interop = generateCardNo('interoperable');
    const res = await call('POST', '/ecards/university', u.token, linkBody(u, { interopCardNo: interop }));
    expect(res.statusCode, res.body).toBe(201);
    const card = res.json().card;
    expect(card).toMatchObject({ product: 'university_ecard', status: 'active', validUntil: '2027-09-30', transitValid: true, school: { id: u.school.id } });
    expect(card.linkedCardNoMasked).toBe(`${interop.slice(0, 2)}${'*'.repeat(14)}${interop.slice(-3)}`);
    expect((await cardRow(d.t, card.id)).linked_card_no).toBe(interop);
  });

  it('checks the interoperable number and the phone before anything else', async () => {
    const u = await undergraduate();
    const good = generateCardNo('interoperable');
    const typo = good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u, { interopCardNo: typo })), 400, 'CARD_NO_CHECK_DIGIT');
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u, { interopCardNo: generateCardNo('yikatong') })), 400, 'CARD_NO_FORMAT');
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u, { phone: oldWalletPhone })), 422, 'ECARD_PHONE_INELIGIBLE');
  });

  it('one per identity, and one e-card per interoperable number', async () => {
    const u = await undergraduate();
    const interop = generateCardNo('interoperable');
    expect((await call('POST', '/ecards/university', u.token, linkBody(u, { interopCardNo: interop }))).statusCode).toBe(201);
    expectError(await call('POST', '/ecards/university', u.token, linkBody(u)), 409, 'CARD_ONE_ACTIVE');
    const other = await undergraduate();
    expectError(await call('POST', '/ecards/university', other.token, linkBody(other, { interopCardNo: interop })), 409, 'ECARD_LINKED_CARD_TAKEN');
  });

  it('a lost phone: suspended, then a new phone links its own interoperable card (seed 003: 挂失后重新开卡)', async () => {
    const u = await undergraduate();
    const first = await linked(u);
    expect((await call('POST', `/cards/${first.id}/loss`, u.token)).json().status).toBe('suspended');
    const res = await call('POST', '/ecards/university', u.token, linkBody(u, { phone: newPhone }));
    expect(res.statusCode, res.body).toBe(201);
    // Only one is in use: the old one cannot be found again...
    expect((await d.t.ctx.db.selectFrom('cards').select('status').where('student_id', '=', u.student.id).orderBy('created_at').execute()).map((c) => c.status)).toEqual(['suspended', 'active']);
    expectError(await call('POST', `/cards/${first.id}/unloss`, u.token), 409, 'CARD_ONE_ACTIVE');
    // ...but it is returned for the money left on it.
    await fund(d.t, first.id, 1_800);
    const returned = await call('POST', `/ecards/university/${first.id}/return`, u.token);
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ card: { status: 'returned' }, refund: { amountFen: 1_800 } });
    expect(await purseFen(d.t, first.id)).toBe(0);
    expect((await call('GET', `/balance-refunds?cardId=${first.id}`, u.token)).json().items).toHaveLength(1);
    await d.expectLedgerClean();
  });
});

describe('extension', () => {
  it('opens on 30 July, re-checks enrolment, runs to the next 30 September, once a year', async () => {
    const u = await undergraduate();
    const card = await linked(u);
    const status = async () => (await call('GET', `/ecards/university/${card.id}/extension`, u.token)).json();
    expect(await status()).toMatchObject({ validUntil: '2027-09-30', opensOn: '2027-07-30', canExtend: false });
    expectError(await call('POST', `/ecards/university/${card.id}/extend`, u.token), 422, 'ECARD_EXTENSION_NOT_YET');

    await travel('2027-07-29T15:59:00Z'); // 23:59 on 29 July in Beijing
    expectError(await call('POST', `/ecards/university/${card.id}/extend`, u.token), 422, 'ECARD_EXTENSION_NOT_YET');
    await travel('2027-07-29T16:00:00Z'); // 00:00 on 30 July in Beijing
    expect(await status()).toMatchObject({ canExtend: true, extendsTo: '2028-09-30' });

    // Enrolment is re-checked.
    await d.t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', u.student.id).execute();
    expectError(await call('POST', `/ecards/university/${card.id}/extend`, u.token), 422, 'ECARD_UNIVERSITY_INELIGIBLE');
    await d.t.ctx.db.updateTable('students').set({ status: 'enrolled' }).where('id', '=', u.student.id).execute();

    const res = await call('POST', `/ecards/university/${card.id}/extend`, u.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ validUntil: '2028-09-30', transitValid: true });
    expectError(await call('POST', `/ecards/university/${card.id}/extend`, u.token), 422, 'ECARD_EXTENSION_NOT_YET');

    // Past 30 September it still rides in its grace period (30 days), then it is expired; an
    // expired card is extended after the re-check too, to the next 30 September.
    await travel('2028-10-08T02:00:00Z');
    expect((await call('GET', `/cards/${card.id}`, u.token)).json()).toMatchObject({ validity: 'grace', graceUntil: '2028-10-30', transitValid: true, topUpBlockedReason: null });
    await travel('2028-10-31T02:00:00Z');
    expect((await call('GET', `/cards/${card.id}`, u.token)).json()).toMatchObject({ validity: 'expired', transitValid: false, topUpBlockedReason: 'expired' });
    expect((await call('POST', `/ecards/university/${card.id}/extend`, u.token)).json()).toMatchObject({ validUntil: '2029-09-30', transitValid: true });
  });

  it('a suspended card is not extended', async () => {
    const u = await undergraduate();
    const card = await linked(u);
    await call('POST', `/cards/${card.id}/loss`, u.token);
    await travel('2027-08-01T02:00:00Z');
    expectError(await call('POST', `/ecards/university/${card.id}/extend`, u.token), 409, 'ECARD_NOT_ACTIVE');
  });
});

/** Lets the card's purse go ¥5 below zero and spends `fen` from it. */
async function overdraw(cardId: string, fen: number) {
  const purse = await findAccountByCode(d.t.ctx.db, accountCodes.purse(cardId));
  await d.t.ctx.db.updateTable('ledger_accounts').set({ floor_fen: -500 }).where('id', '=', purse.id).execute();
  const merchant = await ensureAccount(d.t.ctx.db, d.t.clock, { code: accountCodes.merchant('test-canteen'), type: 'merchant', actor: systemActor });
  await postTransaction(d.t.ctx.db, d.t.clock, { idempotencyKey: `overdraw:${cardId}`, type: 'purchase', actor: systemActor, postings: [{ accountId: purse.id, debitFen: fen }, { accountId: merchant.id, creditFen: fen }] });
}

describe('return with refund, then apply again', () => {
  it('up to ¥200 the balance goes back in the app through the top-up; the student may apply again', async () => {
    const u = await undergraduate();
    const card = await linked(u);
    const order = await d.topUp(u.token, u.student.id, 5_000);
    expect(order.cardId).toBe(card.id);
    await d.payAtCashier(u.token, order.id, 'alipay');
    await d.runJobs();
    expect(await purseFen(d.t, card.id)).toBe(5_000);

    const res = await call('POST', `/ecards/university/${card.id}/return`, u.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ card: { status: 'returned', balanceFen: 0, transitValid: false }, refund: { amountFen: 5_000, route: 'gateway' } });
    expect(await purseFen(d.t, card.id)).toBe(0);
    expectError(await call('POST', `/ecards/university/${card.id}/return`, u.token), 409, 'ECARD_NOT_ACTIVE');
    await d.expectLedgerClean();

    // Apply again, even with the same interoperable card.
    const row = await cardRow(d.t, card.id);
    const again = await call('POST', '/ecards/university', u.token, linkBody(u, { interopCardNo: row.linked_card_no }));
    expect(again.statusCode, again.body).toBe(201);
  });

  it('above ¥200 the refund waits for a service outlet', async () => {
    const u = await undergraduate();
    const card = await linked(u);
    await fund(d.t, card.id, 25_000);
    const res = await call('POST', `/ecards/university/${card.id}/return`, u.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().refund).toMatchObject({ amountFen: 25_000, route: 'outlet', status: 'awaiting_outlet' });
  });

  it('is recorded in the e-card’s history and refused while negative, whether returned from its page or at an outlet', async () => {
    const applicationsOf = (cardId: string) => d.t.ctx.db.selectFrom('ecard_applications').select(['kind', 'actor_role']).where('card_id', '=', cardId).where('kind', '=', 'university_return').execute();
    const u = await undergraduate();
    const card = await linked(u);
    expect((await call('POST', `/ecards/university/${card.id}/return`, u.token)).statusCode).toBe(200);
    expect(await applicationsOf(card.id)).toEqual([{ kind: 'university_return', actor_role: 'student' }]);

    // At an outlet, the console's 退卡 (the general return): the same record, by the operator.
    const v = await undergraduate();
    const other = await linked(v);
    const operator = await d.t.factory.operatorToken();
    const atOutlet = await call('POST', `/cards/${other.id}/return`, operator);
    expect(atOutlet.statusCode, atOutlet.body).toBe(200);
    expect(await applicationsOf(other.id)).toEqual([{ kind: 'university_return', actor_role: 'operator' }]);

    // A balance below zero (an overdraft used: domain rules 9) is paid first: the return would lose the debt.
    const w = await undergraduate();
    const owing = await linked(w);
    await overdraw(owing.id, 300);
    expectError(await call('POST', `/ecards/university/${owing.id}/return`, w.token), 422, 'CARD_RETURN_NEGATIVE_BALANCE');
    expect((await cardRow(d.t, owing.id)).status).toBe('active');
  });

  it('an empty card is returned without a refund; a stranger cannot return it', async () => {
    const u = await undergraduate();
    const card = await linked(u);
    const stranger = await undergraduate();
    expectError(await call('POST', `/ecards/university/${card.id}/return`, stranger.token), 403, 'ACCESS_DENIED');
    expect((await call('POST', `/ecards/university/${card.id}/return`, u.token)).json()).toMatchObject({ card: { status: 'returned' }, refund: null });
  });
});
