import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCardNo } from '../../src/domain/card-numbers.js';
import { accountCodes, balanceOf, checkLedger, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });

const purseFen = async (cardId: string) => (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, accountCodes.purse(cardId))).id)).postedFen;
const feesFen = async () => {
  const fees = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.fees(), type: 'fee_income', actor: systemActor });
  return (await balanceOf(t.ctx.db, fees.id)).postedFen;
};
const cardRow = (id: string) => t.ctx.db.selectFrom('cards').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const cardsOfStudent = (studentId: string) => t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', studentId).orderBy('created_at').execute();

/** Money on a purse, as a cash top-up at the service desk would put it there. */
async function fund(cardId: string, amountFen: number) {
  const suspense = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.suspense(), type: 'suspense', actor: systemActor });
  await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `fund-${cardId}-${newId()}`, type: 'adjustment', postings: [{ accountId: suspense.id, debitFen: amountFen }, { accountId: (await findAccountByCode(t.ctx.db, accountCodes.purse(cardId))).id, creditFen: amountFen }], actor: systemActor });
}

async function university() {
  const school = await t.factory.newSchool({ stage: 'university' });
  const kiosk = await t.factory.newStaff('kiosk', { schoolId: school.id });
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  return { school, kioskToken: await t.factory.loginAs('staff', kiosk.username, kiosk.password), managerToken: await t.factory.loginAs('staff', manager.username, manager.password) };
}

describe('campus card replacement at the kiosk', () => {
  it('with the ID card: ¥16 from the balance to fee income, a new card active at once, the rest moved, the old one replaced', async () => {
    const { school, kioskToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const old = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(old.id, 2_000);
    const feesBefore = await feesFen();
    const res = await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: student.id_number, cardNo: old.card_no });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ feeFen: 1_600, oldCard: { id: old.id, status: 'replaced', balanceFen: 0 }, newCard: { product: 'campus_card', status: 'active', balanceFen: 400 } });
    expect(await cardRow(body.newCard.id)).toMatchObject({ replaces_card_id: old.id, status: 'active' });
    expect(await purseFen(old.id)).toBe(0);
    expect(await purseFen(body.newCard.id)).toBe(400);
    expect(await feesFen()).toBe(feesBefore + 1_600);
    const events = await t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', old.id).orderBy('version').execute();
    expect(events.at(-1)).toMatchObject({ from_status: 'active', to_status: 'replaced', denied: true, reason: 'kiosk' });
    // The same submission again: the shown card is already replaced, so nothing more happens.
    const twice = await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: student.id_number, cardNo: old.card_no });
    expect(twice.json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });
    expect(await cardsOfStudent(student.id)).toHaveLength(2);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('replaces a lost card too, found by the ID number alone', async () => {
    const { school, kioskToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const old = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(old.id, 5_000);
    expect((await call('POST', `/cards/${old.id}/loss`, kioskToken)).json()).toMatchObject({ status: 'lost' });
    const res = await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: student.id_number.toLowerCase() });
    expect(res.json()).toMatchObject({ oldCard: { status: 'replaced' }, newCard: { status: 'active', balanceFen: 3_400 } });
  });

  it('refuses when the balance does not exceed the ¥16 fee, with nothing written', async () => {
    const { school, kioskToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const old = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(old.id, 1_600);
    const feesBefore = await feesFen();
    const res = await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: student.id_number });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'CARD_BALANCE_TOO_LOW', details: { balanceFen: 1_600, feeFen: 1_600 } } });
    expect(await cardRow(old.id)).toMatchObject({ status: 'active' });
    expect(await cardsOfStudent(student.id)).toHaveLength(1);
    expect(await purseFen(old.id)).toBe(1_600);
    expect(await feesFen()).toBe(feesBefore);
    await fund(old.id, 1);
    expect((await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: student.id_number })).statusCode).toBe(201);
  });

  it('is a kiosk’s, for its own school’s students, and the ID must be the holder’s', async () => {
    const { school, kioskToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(card.id, 5_000);
    const other = await university();
    expect((await call('POST', '/kiosk/campus-card-replacements', other.kioskToken, { idNumber: student.id_number })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NONE' } });
    const someoneElse = await t.factory.newStudent({ schoolId: school.id });
    expect((await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: someoneElse.id_number, cardNo: card.card_no })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NONE' } });
    const studentToken = await t.factory.loginAs('student', student.education_id, student.password);
    expect((await call('POST', '/kiosk/campus-card-replacements', studentToken, { idNumber: student.id_number })).statusCode).toBe(403);
    expect((await call('POST', '/kiosk/campus-card-replacements', kioskToken, { idNumber: '12345' })).statusCode).toBe(400);
    expect(await cardRow(card.id)).toMatchObject({ status: 'active' });
  });
});

describe('temporary cards for new students', () => {
  it('school staff issue a numbered temporary card, one at a time, only for their own school', async () => {
    const { school, managerToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const cardNo = generateCardNo('yikatong');
    const res = await call('POST', '/admin/temporary-cards', managerToken, { educationId: student.education_id, cardNo });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ cardNo, product: 'temporary_card', status: 'active', studentId: student.id });
    expect((await call('POST', '/admin/temporary-cards', managerToken, { educationId: student.education_id })).json()).toMatchObject({ error: { code: 'TEMPORARY_CARD_OPEN' } });
    const other = await university();
    const stranger = await t.factory.newStudent({ schoolId: school.id });
    expect((await call('POST', '/admin/temporary-cards', other.managerToken, { educationId: stranger.education_id })).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    const typo = cardNo.slice(0, -1) + String((Number(cardNo.at(-1)) + 1) % 10);
    expect((await call('POST', '/admin/temporary-cards', managerToken, { educationId: stranger.education_id, cardNo: typo })).json()).toMatchObject({ error: { code: 'CARD_NO_CHECK_DIGIT' } });
    expect(await cardsOfStudent(stranger.id)).toEqual([]);
  });

  it('next semester it is exchanged for the formal campus card: balance moved, temporary card closed', async () => {
    const { school, managerToken } = await university();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const temp = (await call('POST', '/admin/temporary-cards', managerToken, { educationId: student.education_id })).json();
    await fund(temp.id, 3_000);
    const res = await call('POST', `/admin/temporary-cards/${temp.id}/exchange`, managerToken);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ temporaryCard: { id: temp.id, status: 'closed', balanceFen: 0 }, campusCard: { product: 'campus_card', status: 'active', balanceFen: 3_000 } });
    expect(await cardRow(body.campusCard.id)).toMatchObject({ replaces_card_id: temp.id });
    expect(await purseFen(temp.id)).toBe(0);
    expect(await purseFen(body.campusCard.id)).toBe(3_000);
    const twice = await call('POST', `/admin/temporary-cards/${temp.id}/exchange`, managerToken);
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });
    expect((await call('POST', `/admin/temporary-cards/${body.campusCard.id}/exchange`, managerToken)).json()).toMatchObject({ error: { code: 'TEMPORARY_CARD_EXPECTED' } });
    expect((await call('POST', '/admin/temporary-cards', managerToken, { educationId: student.education_id })).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_EXISTS' } });
    expect(await cardsOfStudent(student.id)).toHaveLength(2);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});
