import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { fees } from '../../src/modules/payments/order-rules.js';
import { systemActor } from '../../src/platform/audit.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The English app shows no Chinese the code wrote: order names and transaction memos come with their English (UX review). */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'idempotency-key': newId() }, ...(payload ? { payload } : {}) });

describe('English beside the official Chinese', () => {
  it('an order’s item has its English name, the Chinese one unchanged', async () => {
    const school = await t.factory.newSchool();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id);
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const placed = await call('POST', '/orders/top-up', token, { cardId: card.id, amountFen: 5_000 });
    expect(placed.statusCode, placed.body).toBe(201);
    expect((await call('GET', `/orders/${placed.json().id}`, token)).json().item).toMatchObject({ name: '学生卡充值', nameEn: 'Student card top-up', projectNameEn: null });
    // The fee's official 收费项目 name stays as it is; its English is beside it.
    expect(fees['174011']!.item.name).toBe('北京市中小学生学习卡补卡工本费');
  });

  it('a card transaction’s memo has its English', async () => {
    const school = await t.factory.newSchool();
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id);
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const clearing = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.clearing('test'), type: 'gateway_clearing', actor: systemActor });
    const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(card.id));
    await postTransaction(t.ctx.db, t.clock, {
      idempotencyKey: `test-fund:${randomUUID()}`, type: 'top_up', actor: systemActor, memo: '充值 P20260101',
      postings: [{ accountId: clearing.id, debitFen: 1_000 }, { accountId: purse.id, creditFen: 1_000 }],
    });
    const lines = (await call('GET', `/cards/${card.id}/transactions`, token)).json().items;
    expect(lines).toEqual([expect.objectContaining({ memo: '充值 P20260101', memoEn: 'Top-up P20260101' })]);
  });
});
