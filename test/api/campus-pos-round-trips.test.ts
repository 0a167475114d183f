import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { queryCounter } from '../support/query-count.js';
import { registerTerminal } from '../support/terminals.js';

/**
 * How many database round trips a canteen purchase costs, the whole request counted (the
 * terminal's token, begin and commit included). A cashier at noon waits on each, so a change
 * that adds one fails here and must say why (decision 0007, "Round trips"). A count, not a timing.
 */

const counter = queryCounter();
let t: TestApp;
let campusId: string;
beforeAll(async () => {
  t = await createTestApp({ log: (event) => counter.log(event) });
  campusId = (await t.factory.newSchool({ stage: 'university' })).id;
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A window that has sold once already (its till is open, as at any lunch after the first sale). */
async function openWindow() {
  const pos = await registerTerminal(t, { kind: 'pos', operatorName: '二食堂', schoolId: campusId });
  const opener = await student();
  expect((await buy(pos, { purchaseId: 'OPEN-0001', amountFen: 100, cardNo: opener.card.card_no })).statusCode).toBe(201);
  return pos;
}

async function student() {
  const queryPassword = '246813';
  const s = await t.factory.newStudent({ schoolId: campusId, queryPassword });
  const card = await t.factory.newCard(s.id, { product: 'campus_card' });
  await fund(t, card.id, 10_000);
  return { student: s, card, queryPassword };
}

const buy = (pos: { id: string; token: string }, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases`, headers: auth(pos.token), payload: body });

/** The purchase's statements, checked to have succeeded; their number is the round trips. */
async function roundTrips(pos: { id: string; token: string }, body: Record<string, unknown>) {
  const { result, statements } = await counter.during(() => buy(pos, body));
  expect(result.statusCode, result.body).toBe(201);
  return statements;
}

describe('round trips of a canteen purchase', () => {
  it('a card read at the counter', async () => {
    const pos = await openWindow();
    const u = await student();
    const statements = await roundTrips(pos, { purchaseId: 'RT-CARD-01', amountFen: 1_200, cardNo: u.card.card_no });
    expect(statements.length, statements.join('\n')).toBe(12);
    // Asked again with the same id: the stored receipt.
    const replay = await roundTrips(pos, { purchaseId: 'RT-CARD-01', amountFen: 1_200, cardNo: u.card.card_no });
    expect(replay.length, replay.join('\n')).toBe(3);
  });

  it('a payment code', async () => {
    const pos = await openWindow();
    const u = await student();
    const token = await t.factory.loginAs('student', u.student.education_id, u.student.password);
    const code = (await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: auth(token), payload: { queryPassword: u.queryPassword } })).json().code as string;
    const statements = await roundTrips(pos, { purchaseId: 'RT-CODE-01', amountFen: 1_200, paymentCode: code });
    expect(statements.length, statements.join('\n')).toBe(13);
  });

  it('a child whose parent set a daily limit', async () => {
    const pos = await openWindow();
    const u = await student();
    const parent = await t.factory.newParent({ children: [u.student.id] });
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
    const limit = await t.app.inject({ method: 'PUT', url: `/api/v1/me/children/${u.student.id}/campus-daily-limit`, headers: auth(parentToken), payload: { limitFen: 5_000 } });
    expect(limit.statusCode, limit.body).toBe(200);
    const statements = await roundTrips(pos, { purchaseId: 'RT-LIMIT-01', amountFen: 1_200, cardNo: u.card.card_no });
    expect(statements.length, statements.join('\n')).toBe(14);
  });
});
