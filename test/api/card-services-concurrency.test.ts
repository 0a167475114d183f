import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** Two identical requests at the same moment (real parallel connections on PostgreSQL): exactly one wins. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-10-15T02:00:00Z'));
  const operator = await t.factory.operatorToken();
  await call('PUT', '/admin/card-extension-windows/2026', operator, { startsOn: '2026-10-01', endsOn: '2026-10-31' });
});
afterAll(async () => t.close());

const call = (method: 'POST' | 'PUT', url: string, token: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

async function fund(cardId: string, amountFen: number) {
  const suspense = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.suspense(), type: 'suspense', actor: systemActor });
  await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `fund-${newId()}`, type: 'adjustment', postings: [{ accountId: suspense.id, debitFen: amountFen }, { accountId: (await findAccountByCode(t.ctx.db, accountCodes.purse(cardId))).id, creditFen: amountFen }], actor: systemActor });
}
const purseFen = async (cardId: string) => (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, accountCodes.purse(cardId))).id)).postedFen;

async function both(request: () => ReturnType<typeof call>) {
  const results = await Promise.all([request(), request()]);
  return results.map((r) => r.statusCode).sort();
}

describe('racing requests', () => {
  it('two extensions of one card: one extends, the other is told it is done', async () => {
    const student = await t.factory.newStudent();
    const card = await t.factory.newCard(student.id, { validUntil: '2026-10-31' });
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    expect(await both(() => call('POST', `/cards/${card.id}/extend`, token))).toEqual([200, 409]);
    expect(await t.ctx.db.selectFrom('card_extensions').select('id').where('card_id', '=', card.id).execute()).toHaveLength(1);
    expect(await t.ctx.db.selectFrom('transit_card_actions').select('id').where('card_id', '=', card.id).execute()).toHaveLength(1);
  });

  it('two returns of one card: one return, one refund', async () => {
    const student = await t.factory.newStudent();
    const card = await t.factory.newCard(student.id);
    await fund(card.id, 30_000);
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    expect(await both(() => call('POST', `/cards/${card.id}/return`, token))).toEqual([200, 409]);
    expect(await t.ctx.db.selectFrom('balance_refunds').select('amount_fen').where('purse_code', '=', accountCodes.purse(card.id)).execute()).toEqual([{ amount_fen: 30_000 }]);
    expect(await purseFen(card.id)).toBe(0);
  });

  it('two kiosk replacements of one campus card: one new card, one fee', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: school.id });
    const token = await t.factory.loginAs('staff', kiosk.username, kiosk.password);
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(card.id, 5_000);
    expect(await both(() => call('POST', '/kiosk/campus-card-replacements', token, { idNumber: student.id_number, cardNo: card.card_no }))).toEqual([201, 409]);
    const cards = await t.ctx.db.selectFrom('cards').select(['status', 'id']).where('student_id', '=', student.id).execute();
    expect(cards.map((c) => c.status).sort()).toEqual(['active', 'replaced']);
    const fresh = cards.find((c) => c.status === 'active');
    expect(await purseFen(fresh?.id ?? '')).toBe(3_400);
  });

  it('two exchanges of one temporary card: one formal card', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    const student = await t.factory.newStudent({ schoolId: school.id });
    const temp = (await call('POST', '/admin/temporary-cards', token, { educationId: student.education_id })).json();
    await fund(temp.id, 1_000);
    expect(await both(() => call('POST', `/admin/temporary-cards/${temp.id}/exchange`, token))).toEqual([200, 409]);
    const cards = await t.ctx.db.selectFrom('cards').select(['product', 'status']).where('student_id', '=', student.id).orderBy('product').execute();
    expect(cards).toEqual([{ product: 'campus_card', status: 'active' }, { product: 'temporary_card', status: 'closed' }]);
  });
});
