import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { api, cardRow, expectError, k12Student, newPhone, oldWalletPhone, openBody, purseFen } from './ecards-support.js';

/** 小升初 / 初升高 upgrades and the lost-phone move of K-12 e-cards. */

let t: TestApp;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  t = await createTestApp();
  call = api(t);
});
afterAll(() => t?.close());

async function withEcard(stage: 'primary' | 'middle' | 'high' = 'primary') {
  const s = await k12Student(t, { stage });
  const res = await call('POST', '/ecards/k12', s.token, openBody(s));
  expect(res.statusCode, res.body).toBe(201);
  return { ...s, ecardId: res.json().card.id as string };
}

/** The roster promotes the student: a new school of the next stage (as a roster import would). */
async function promote(studentId: string, stage: 'middle' | 'high') {
  const school = await t.factory.newSchool({ stage });
  await t.ctx.db.updateTable('students').set({ school_id: school.id, stage }).where('id', '=', studentId).execute();
  return school;
}

/** The upgrade form: the school the student is enrolled in now (as they would choose it) and their details. */
async function proof(s: { student: { id: string; name: string; id_number: string; education_id: string } }) {
  const { school_id: schoolId } = await t.ctx.db.selectFrom('students').select('school_id').where('id', '=', s.student.id).executeTakeFirstOrThrow();
  return { schoolId, name: s.student.name, idNumber: s.student.id_number, educationId: s.student.education_id };
}

describe('小升初 / 初升高 upgrades', () => {
  it('is not offered while the stage is unchanged', async () => {
    const s = await withEcard();
    expect((await call('GET', `/ecards/k12/${s.ecardId}/upgrade`, s.token)).json()).toMatchObject({ needed: false, kind: null });
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, await proof(s)), 409, 'ECARD_UPGRADE_NOT_NEEDED');
  });

  it('小升初: re-verified, a middle-school card on the same phone, the balance moved and the history linked', async () => {
    const s = await withEcard('primary');
    await fund(t, s.ecardId, 3_250);
    const middle = await promote(s.student.id, 'middle');
    expect((await call('GET', `/ecards/k12/${s.ecardId}/upgrade`, s.token)).json()).toMatchObject({ needed: true, kind: '小升初', fromStage: 'primary', toStage: 'middle' });

    // The school chosen must be the roster's; a wrong one is refused without counting as a guess.
    const previousSchool = (await t.factory.newSchool({ stage: 'middle' })).id;
    const elsewhere = await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, { ...(await proof(s)), schoolId: previousSchool });
    expectError(elsewhere, 409, 'ECARD_UPGRADE_SCHOOL_MISMATCH');
    expect(elsewhere.json().error.message).toContain('学籍');
    expect(await t.ctx.db.selectFrom('auth_attempts').select('id').where('account_key', '=', `ecard-real-name:${s.student.id}`).where('succeeded', '=', false).execute()).toEqual([]);
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, { ...(await proof(s)), schoolId: undefined }), 400, 'VALIDATION_FAILED');

    // Re-verified: the details must match the roster.
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, { ...(await proof(s)), name: '李小宇' }), 400, 'ECARD_REAL_NAME_FAILED');
    const res = await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, await proof(s));
    expect(res.statusCode, res.body).toBe(200);
    const { card, previousCard, balanceMovedFen } = res.json();
    expect(card).toMatchObject({ product: 'k12_ecard', status: 'active', stage: 'middle', balanceFen: 3_250, school: { id: middle.id }, device: { model: 'HUAWEI Mate 40 Pro' } });
    expect(previousCard).toMatchObject({ id: s.ecardId, status: 'replaced', balanceFen: 0 });
    // The new stage's card is on the yearly extension's cycle too: upgraded after 2026's October window, until 2027's ends.
    expect(card.validUntil).toBe('2027-10-31');
    expect(balanceMovedFen).toBe(3_250);
    expect(await purseFen(t, card.id)).toBe(3_250);
    expect((await cardRow(t, card.id)).replaces_card_id).toBe(s.ecardId);
    // The history is kept: the old card and its transactions stay readable, the move is a transfer on both.
    const oldTx = (await call('GET', `/cards/${s.ecardId}/transactions`, s.token)).json();
    expect(oldTx.items.map((i: { type: string; amountFen: number }) => [i.type, i.amountFen])).toEqual([['transfer', -3_250], ['top_up', 3_250]]);
    const newTx = (await call('GET', `/cards/${card.id}/transactions`, s.token)).json();
    expect(newTx.items.map((i: { type: string; amountFen: number }) => [i.type, i.amountFen])).toEqual([['transfer', 3_250]]);
    expect((await call('GET', `/cards/${s.ecardId}/history`, s.token)).json().items.map((e: { toStatus: string }) => e.toStatus)).toEqual(['active', 'replaced']);

    // Done once: the old card cannot be upgraded again, and the new one is not due.
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, await proof(s)), 409, 'ECARD_NOT_ACTIVE');
    expect((await call('GET', `/ecards/k12/${card.id}/upgrade`, s.token)).json().needed).toBe(false);

    // 初升高 later on.
    await promote(s.student.id, 'high');
    const again = await call('POST', `/ecards/k12/${card.id}/upgrade`, s.token, await proof(s));
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ card: { stage: 'high', balanceFen: 3_250 }, previousCard: { stage: 'middle', status: 'replaced' }, balanceMovedFen: 3_250 });
    const active = await t.ctx.db.selectFrom('cards').select(['id', 'stage']).where('student_id', '=', s.student.id).where('status', '=', 'active').execute();
    expect(active).toEqual([{ id: again.json().card.id, stage: 'high' }]);
  });

  it('a promotion that skips a stage is not an upgrade', async () => {
    const s = await withEcard('primary');
    await promote(s.student.id, 'high');
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, await proof(s)), 409, 'ECARD_UPGRADE_NOT_NEEDED');
  });

  it('a parent upgrades a child’s card; a stranger may not look or act', async () => {
    const s = await withEcard('middle');
    await promote(s.student.id, 'high');
    const parent = await t.factory.newParent({ children: [s.student.id] });
    const stranger = await t.factory.newParent();
    const strangerToken = await t.factory.loginAs('parent', stranger.phone, stranger.password);
    expectError(await call('GET', `/ecards/k12/${s.ecardId}/upgrade`, strangerToken), 403, 'ACCESS_DENIED');
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, strangerToken, await proof(s)), 403, 'ACCESS_DENIED');
    const res = await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, await t.factory.loginAs('parent', parent.phone, parent.password), await proof(s));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().card.stage).toBe('high');
  });

  it('a suspended e-card is not upgraded (move it to a phone first)', async () => {
    const s = await withEcard('primary');
    await promote(s.student.id, 'middle');
    expect((await call('POST', `/cards/${s.ecardId}/loss`, s.token)).json().status).toBe('suspended');
    expectError(await call('POST', `/ecards/k12/${s.ecardId}/upgrade`, s.token, await proof(s)), 409, 'ECARD_NOT_ACTIVE');
  });
});

describe('lost phone: remote suspend, then a new phone', () => {
  it('moves the suspended card to an eligible new phone as a new number with the balance', async () => {
    const s = await withEcard('middle');
    await fund(t, s.ecardId, 8_800);
    const old = await cardRow(t, s.ecardId);

    // Not before it is suspended.
    expectError(await call('POST', `/ecards/${s.ecardId}/move`, s.token, { phone: newPhone }), 409, 'ECARD_NOT_SUSPENDED');
    const suspended = await call('POST', `/cards/${s.ecardId}/loss`, s.token);
    expect(suspended.json()).toMatchObject({ status: 'suspended', canTopUp: false, transitValid: false });
    expect((await call('GET', `/cards/${old.card_no}/status`)).json()).toMatchObject({ status: 'suspended', transitValid: false });

    // The new phone is checked like any other.
    const refused = await call('POST', `/ecards/${s.ecardId}/move`, s.token, { phone: oldWalletPhone });
    expectError(refused, 422, 'ECARD_PHONE_INELIGIBLE');
    expect((await cardRow(t, s.ecardId)).status).toBe('suspended');

    const res = await call('POST', `/ecards/${s.ecardId}/move`, s.token, { phone: newPhone });
    expect(res.statusCode, res.body).toBe(200);
    const { card, previousCard, balanceMovedFen } = res.json();
    expect(card).toMatchObject({ status: 'active', stage: 'middle', balanceFen: 8_800, device: { model: 'Apple iPhone 14 Pro', os: 'ios', walletVersion: null } });
    expect(card.cardNo).not.toBe(old.card_no);
    expect(previousCard).toMatchObject({ status: 'replaced', balanceFen: 0 });
    expect(balanceMovedFen).toBe(8_800);
    expect((await cardRow(t, card.id)).replaces_card_id).toBe(s.ecardId);
    // The lost phone's number stays refused at terminals; the new one is good.
    const deny = await t.ctx.db.selectFrom('card_status_events').select(['to_status', 'denied']).where('card_id', '=', s.ecardId).orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(deny).toEqual({ to_status: 'replaced', denied: true });
    expect((await call('GET', `/cards/${card.cardNo}/status`)).json()).toMatchObject({ status: 'active', transitValid: true });
    // And only once.
    expectError(await call('POST', `/ecards/${s.ecardId}/move`, s.token, { phone: newPhone }), 409, 'ECARD_NOT_SUSPENDED');
  });

  it('a found phone is resumed instead (unloss)', async () => {
    const s = await withEcard();
    await call('POST', `/cards/${s.ecardId}/loss`, s.token);
    expect((await call('POST', `/cards/${s.ecardId}/unloss`, s.token)).json()).toMatchObject({ status: 'active' });
  });

  it('only K-12 e-cards move this way', async () => {
    const s = await k12Student(t);
    expectError(await call('POST', `/ecards/${s.card!.id}/move`, s.token, { phone: newPhone }), 422, 'ECARD_NOT_K12');
  });
});
