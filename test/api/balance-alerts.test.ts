import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { sendLowBalanceAlerts } from '../../src/modules/payments/balance-alerts.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';

/**
 * 余额提醒 (domain rules, "What users ask for" 4: low-balance alerts for parents): one text when a
 * child's card falls below the parent's amount, the next only after a top-up brought it back.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A purchase of `amountFen` from the card, as a canteen's would be posted. */
async function spend(cardId: string, amountFen: number): Promise<void> {
  const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(cardId));
  const merchant = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.merchant('test-canteen'), type: 'merchant', actor: systemActor });
  await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `test-spend:${randomUUID()}`, type: 'purchase', actor: systemActor, postings: [{ accountId: purse.id, debitFen: amountFen }, { accountId: merchant.id, creditFen: amountFen }] });
}

async function family(balanceFen: number) {
  const student = await t.factory.newStudent({ name: '提醒测试生' });
  const card = await t.factory.newCard(student.id);
  await fund(t, card.id, balanceFen);
  const parent = await t.factory.newParent({ children: [student.id] });
  const token = await t.factory.loginAs('parent', parent.phone, parent.password);
  return { student, card, parent, token };
}

const alertPath = (studentId: string) => `/api/v1/me/children/${studentId}/balance-alert`;
const textsTo = async (phone: string) => (await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').execute()).map((m) => m.body);

describe('余额提醒 (low-balance alerts to parents)', () => {
  it('texts the parent once when the balance falls below the amount, and again only after a top-up brought it back', async () => {
    const f = await family(3_000);
    expect((await t.app.inject({ url: alertPath(f.student.id), headers: auth(f.token) })).json()).toEqual({ thresholdFen: null, alertedAt: null });
    const set = await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 1_000 } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ thresholdFen: 1_000, alertedAt: null });

    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual([]);
    await spend(f.card.id, 2_150);
    await sendLowBalanceAlerts(t.ctx);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual(['【北京学生卡】您孩子提****的学生卡余额为 ¥8.50，低于您设置的提醒金额 ¥10.00，请及时充值。']);
    expect((await t.app.inject({ url: alertPath(f.student.id), headers: auth(f.token) })).json()).toMatchObject({ thresholdFen: 1_000, alertedAt: expect.any(String) });

    // Still low after more spending: no second text. A top-up back above re-arms it; the next fall texts again.
    await spend(f.card.id, 100);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);
    await fund(t, f.card.id, 2_000);
    expect(await sendLowBalanceAlerts(t.ctx)).toMatchObject({ sent: 0, rearmed: 1 });
    await spend(f.card.id, 2_500);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
    expect((await textsTo(f.parent.phone))[1]).toContain('¥2.50');
  });

  it('a changed amount is armed again; turned off, nothing is sent; an unbound parent gets nothing', async () => {
    const f = await family(500);
    await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 300 } });
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual([]);
    // Raised above the balance: told at the next check. Saved again unchanged: no second text.
    await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 800 } });
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);
    expect((await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 800 } })).json()).toMatchObject({ thresholdFen: 800, alertedAt: expect.any(String) });
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);

    const off = await t.app.inject({ method: 'DELETE', url: alertPath(f.student.id), headers: auth(f.token) });
    expect(off.json()).toEqual({ thresholdFen: null, alertedAt: null });
    await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 900 } });
    await t.app.inject({ method: 'DELETE', url: alertPath(f.student.id), headers: auth(f.token) });
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);

    // Set, then the parent unbinds the child: the alert texts nobody.
    await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 1_000 } });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${f.student.id}`, headers: auth(f.token) })).statusCode).toBe(204);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);
    expect(await t.ctx.db.selectFrom('balance_alerts').select('threshold_fen').where('parent_id', '=', f.parent.id).execute()).toEqual([]);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', f.student.id).where('action', 'like', 'balance_alert.%').orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['balance_alert.set', 'balance_alert.set', 'balance_alert.removed', 'balance_alert.set', 'balance_alert.removed', 'balance_alert.set']);
  });

  it('texts each card of the child once: a spare card left at ¥0 does not silence the alert for the card in daily use', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '两卡测试生' });
    const campus = await t.factory.newCard(student.id, { product: 'campus_card' });
    const ecard = await t.factory.newCard(student.id, { product: 'university_ecard' });
    await fund(t, campus.id, 3_000);
    const parent = await t.factory.newParent({ children: [student.id] });
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);
    await t.app.inject({ method: 'PUT', url: alertPath(student.id), headers: auth(token), payload: { thresholdFen: 1_000 } });

    // The e-card holds ¥0: one text about it, and no more however often the job runs.
    await sendLowBalanceAlerts(t.ctx);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(parent.phone)).toEqual([expect.stringContaining('余额为 ¥0.00')]);
    // The campus card falls below: a text of its own; topped up, it is armed again, while the e-card stays texted.
    await spend(campus.id, 2_500);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(parent.phone)).toHaveLength(2);
    expect((await textsTo(parent.phone))[1]).toContain('余额为 ¥5.00');
    await fund(t, campus.id, 1_000);
    expect(await sendLowBalanceAlerts(t.ctx)).toMatchObject({ sent: 0, rearmed: 1 });
    await spend(campus.id, 600);
    await sendLowBalanceAlerts(t.ctx);
    expect(await textsTo(parent.phone)).toHaveLength(3);
    expect(await t.ctx.db.selectFrom('balance_alert_texts').select('card_id').where('student_id', '=', student.id).orderBy('card_id').execute()).toEqual([{ card_id: campus.id }, { card_id: ecard.id }].sort((a, b) => a.card_id.localeCompare(b.card_id)));
  });

  it('is for the child’s bound parents only, within ¥1–¥500', async () => {
    const f = await family(1_000);
    const stranger = await t.factory.newParent();
    const strangerToken = await t.factory.loginAs('parent', stranger.phone, stranger.password);
    expect((await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(strangerToken), payload: { thresholdFen: 1_000 } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: alertPath(f.student.id), headers: auth(strangerToken) })).statusCode).toBe(403);
    const studentToken = await t.factory.loginAs('student', f.student.education_id, f.student.password);
    expect((await t.app.inject({ url: alertPath(f.student.id), headers: auth(studentToken) })).statusCode).toBe(403);
    for (const thresholdFen of [99, 50_001, 1.5]) {
      const bad = await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen } });
      expect(bad.statusCode).toBe(400);
    }
    const low = await t.app.inject({ method: 'PUT', url: alertPath(f.student.id), headers: auth(f.token), payload: { thresholdFen: 99 } });
    expect(low.json()).toMatchObject({ error: { code: 'BALANCE_ALERT_AMOUNT', message: '提醒金额须在 ¥1.00 至 ¥500.00 之间' } });
    expect((await t.app.inject({ url: '/api/v1/me/children/not-a-uuid/balance-alert', headers: auth(f.token) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await t.ctx.db.selectFrom('balance_alerts').select('threshold_fen').where('student_id', '=', f.student.id).execute()).toEqual([]);
  });
});
