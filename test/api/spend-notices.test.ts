import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSpendNotices, spendNoticeText } from '../../src/modules/payments/spend-notices.js';
import { lockBinding } from '../../src/platform/access.js';
import { constraintError } from '../../src/platform/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { registerTerminal } from '../support/terminals.js';
import { newTerminal, signedTap, uploadOk, type TestTerminal } from './transit-support.js';

/**
 * 消费提醒 (domain rules, "What users ask for" 4: tap notifications): a bound parent is texted
 * about the child's canteen purchases and rides of at least an amount, each once, a card's new
 * ones together.
 */

let t: TestApp;
let operator: string;
let campusId: string;
beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
  campusId = (await t.factory.newSchool({ stage: 'university' })).id;
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const noticePath = (studentId: string) => `/api/v1/me/children/${studentId}/spend-notice`;
const textsTo = async (phone: string) => (await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').orderBy('id').execute()).map((m) => m.body);

async function family(product: 'campus_card' | 'k12_card' = 'campus_card') {
  const student = await t.factory.newStudent({ name: '提醒测试生', ...(product === 'campus_card' ? { schoolId: campusId } : {}) });
  const card = await t.factory.newCard(student.id, { product });
  await fund(t, card.id, 20_000);
  const parent = await t.factory.newParent({ children: [student.id] });
  const token = await t.factory.loginAs('parent', parent.phone, parent.password);
  return { student, card, parent, token };
}

let purchaseNo = 0;
async function buyAtCanteen(pos: { id: string; token: string }, cardNo: string, amountFen: number) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases`, headers: auth(pos.token), payload: { purchaseId: `NOTICE-${process.pid}-${++purchaseNo}`, amountFen, cardNo } });
  expect(res.statusCode, res.body).toBe(201);
}

describe('消费提醒 (spending notices to parents)', () => {
  it('texts the parent about canteen purchases at or above the amount, each once, a card’s new ones in one text', async () => {
    const f = await family();
    const pos = await registerTerminal(t, { kind: 'pos', operatorName: '一食堂', schoolId: campusId });
    // Before it is switched on: never told.
    await buyAtCanteen(pos, f.card.card_no, 900);
    expect((await t.app.inject({ url: noticePath(f.student.id), headers: auth(f.token) })).json()).toEqual({ minAmountFen: null });
    const set = await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 500 } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ minAmountFen: 500 });
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });

    t.clock.advance(60_000);
    await buyAtCanteen(pos, f.card.card_no, 1_250);
    await buyAtCanteen(pos, f.card.card_no, 300);
    await buyAtCanteen(pos, f.card.card_no, 500);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1, failed: 0 });
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    const texts = await textsTo(f.parent.phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(new RegExp(`^【北京学生卡】您孩子提\\*{4}的卡（尾号 ${f.card.card_no.slice(-4)}）有 2 笔新消费，共 ¥17\\.50：\\d{2}-\\d{2} \\d{2}:\\d{2} 一食堂 ¥12\\.50；\\d{2}-\\d{2} \\d{2}:\\d{2} 一食堂 ¥5\\.00。$`));
    expect(texts[0]).not.toContain('¥3.00');

    // The next purchase is the next text; turned off, nothing more.
    await buyAtCanteen(pos, f.card.card_no, 800);
    await sendSpendNotices(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
    expect((await t.app.inject({ method: 'DELETE', url: noticePath(f.student.id), headers: auth(f.token) })).json()).toEqual({ minAmountFen: null });
    await buyAtCanteen(pos, f.card.card_no, 800);
    await sendSpendNotices(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', f.student.id).where('action', 'like', 'spend_notice.%').orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['spend_notice.set', 'spend_notice.removed']);
  });

  it('tells rides when their terminal uploads them, and not a ride tapped before it was switched on', async () => {
    const f = await family('k12_card');
    const bus: TestTerminal = await newTerminal(t, operator, 'bjbus');
    const masterKey = t.ctx.config.secrets.cardMasterKey;
    const ride = (seq: number, counter: number, at: Date) => signedTap(masterKey, bus.code, { seq, cardNo: f.card.card_no, cardCounter: counter, amountFen: 50, balanceAfterFen: 20_000 - counter * 50, at: at.toISOString() });
    const before = new Date(t.clock.now().getTime() - 60_000);
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 1 } });
    const later = (minutes: number) => new Date(t.clock.now().getTime() + minutes * 60_000);
    await uploadOk(t, bus, [ride(1, 1, before), ride(2, 2, later(1)), ride(3, 3, later(2)), ride(4, 4, later(3)), ride(5, 5, later(4))]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1 });
    const [text] = await textsTo(f.parent.phone);
    // Four rides after it was switched on: three listed, the fourth counted.
    expect(text).toContain('有 4 笔新消费，共 ¥2.00');
    expect(text!.match(/公交 ¥0\.50/g)).toHaveLength(3);
    expect(text).toMatch(/ 等。$/);
    await uploadOk(t, bus, [ride(6, 6, later(5))]);
    await sendSpendNotices(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
    await sendSpendNotices(t.ctx);
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
  });

  it('a ride uploaded late is told in its turn: the job waits for a missing counter, for a day at most', async () => {
    const f = await family('k12_card');
    const bus = await newTerminal(t, operator, 'bjbus');
    const gate = await newTerminal(t, operator, 'bjmtr');
    const masterKey = t.ctx.config.secrets.cardMasterKey;
    // Rides from before the notice are marked read when it is switched on.
    const ride = (terminal: TestTerminal, seq: number, counter: number, at: Date, kind: 'bus' | 'rail_exit' = 'bus') =>
      signedTap(masterKey, terminal.code, { seq, cardNo: f.card.card_no, cardCounter: counter, amountFen: kind === 'bus' ? 50 : 300, balanceAfterFen: 20_000 - counter * 100, at: at.toISOString(), kind });
    const minutes = (n: number) => new Date(t.clock.now().getTime() + n * 60_000);
    await uploadOk(t, bus, [ride(bus, 1, 1, minutes(-30))]);
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 1 } });
    // Counter 2 (a bus ride) is still on the bus; counter 3 (the metro) arrives first: it waits.
    await uploadOk(t, gate, [ride(gate, 1, 3, minutes(20), 'rail_exit')]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    await uploadOk(t, bus, [ride(bus, 2, 2, minutes(10))]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1 });
    const [text] = await textsTo(f.parent.phone);
    expect(text).toMatch(/有 2 笔新消费，共 ¥3\.50：.* 公交 ¥0\.50；.* 地铁 ¥3\.00。$/);
    // Counter 4 never arrives: counter 5 is told once it is a day old.
    await uploadOk(t, gate, [ride(gate, 2, 5, minutes(40), 'rail_exit')]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    t.clock.advance(25 * 3600_000);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1 });
    expect(await textsTo(f.parent.phone)).toHaveLength(2);
  });

  it('a card issued after it was switched on is read from its first counter: its rides wait for each other too', async () => {
    const f = await family('k12_card');
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 1 } });
    // The child moves to a phone e-card (the card it replaces leaves service first: one active student card).
    await t.ctx.db.updateTable('cards').set({ status: 'superseded' }).where('id', '=', f.card.id).execute();
    const spare = await t.factory.newCard(f.student.id, { product: 'k12_ecard' });
    await fund(t, spare.id, 5_000);
    // A fresh operator session: an earlier test moved the clock on a day.
    const freshOperator = await t.factory.operatorToken();
    const bus = await newTerminal(t, freshOperator, 'bjbus');
    const gate = await newTerminal(t, freshOperator, 'bjmtr');
    const masterKey = t.ctx.config.secrets.cardMasterKey;
    const at = new Date(t.clock.now().getTime() + 60_000).toISOString();
    await uploadOk(t, gate, [signedTap(masterKey, gate.code, { seq: 1, cardNo: spare.card_no, cardCounter: 2, amountFen: 300, balanceAfterFen: 4_650, at, kind: 'rail_exit' })]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    await uploadOk(t, bus, [signedTap(masterKey, bus.code, { seq: 1, cardNo: spare.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 4_950, at })]);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1 });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('有 2 笔新消费，共 ¥3.50')]);
  });

  it('a lower amount is for what comes next: what was read is not told again', async () => {
    const f = await family();
    const pos = await registerTerminal(t, { kind: 'pos', operatorName: '三食堂', schoolId: campusId });
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 5_000 } });
    t.clock.advance(60_000);
    await buyAtCanteen(pos, f.card.card_no, 1_000);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 100 } });
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 0 });
    await buyAtCanteen(pos, f.card.card_no, 200);
    expect(await sendSpendNotices(t.ctx)).toMatchObject({ sent: 1 });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('有 1 笔新消费，共 ¥2.00')]);
  });

  it('two runs at once tell each purchase once', async () => {
    const f = await family();
    const pos = await registerTerminal(t, { kind: 'pos', operatorName: '二食堂', schoolId: campusId });
    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 100 } });
    t.clock.advance(60_000);
    await buyAtCanteen(pos, f.card.card_no, 1_000);
    const runs = await Promise.all([sendSpendNotices(t.ctx), sendSpendNotices(t.ctx)]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(await textsTo(f.parent.phone)).toHaveLength(1);
  });

  it('only a bound parent sets it, within ¥0.01–¥500; unbinding ends it, and binding again starts afresh', async () => {
    const f = await family();
    for (const minAmountFen of [0, 50_001, 1.5, '100', null]) {
      expect((await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen } })).statusCode, String(minAmountFen)).toBe(400);
    }
    expect((await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 0 } })).json()).toMatchObject({ error: { code: 'SPEND_NOTICE_AMOUNT' } });
    const stranger = await t.factory.newParent();
    const strangerToken = await t.factory.loginAs('parent', stranger.phone, stranger.password);
    expect((await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(strangerToken), payload: { minAmountFen: 100 } })).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    const studentToken = await t.factory.loginAs('student', f.student.education_id, f.student.password);
    expect((await t.app.inject({ url: noticePath(f.student.id), headers: auth(studentToken) })).statusCode).toBe(403);

    await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 100 } });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/children/${f.student.id}`, headers: auth(f.token) })).statusCode).toBe(204);
    expect(await t.ctx.db.selectFrom('spend_notices').select('parent_id').where('student_id', '=', f.student.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('spend_notice_marks').select('parent_id').where('student_id', '=', f.student.id).execute()).toEqual([]);
    // A notice for a binding that has ended is refused, not left behind: by the access check, by
    // the binding's lock (an unbinding racing the check), and by the key to the binding.
    expect((await t.app.inject({ method: 'PUT', url: noticePath(f.student.id), headers: auth(f.token), payload: { minAmountFen: 100 } })).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    await expect(lockBinding(t.ctx.db, f.parent.id, f.student.id)).rejects.toMatchObject({ code: 'BINDING_NOT_FOUND' });
    const orphan = await t.ctx.db.insertInto('spend_notices').values({ parent_id: f.parent.id, student_id: f.student.id, min_amount_fen: 100, armed_at: t.clock.now(), updated_at: t.clock.now() }).execute().catch((error: unknown) => error);
    expect(constraintError(orphan)).toMatchObject({ code: 'BINDING_NOT_FOUND' });
  });

  it('writes one text per card: the first three events, the rest counted, the total', () => {
    const at = new Date('2026-12-06T04:03:00Z');
    expect(spendNoticeText('王小明', '1000223344', [{ kind: 'canteen', place: '一食堂', amount_fen: 1_250, at }, { kind: 'rail_exit', place: 'bjmtr', amount_fen: 300, at }]))
      .toBe('【北京学生卡】您孩子王**的卡（尾号 3344）有 2 笔新消费，共 ¥15.50：12-06 12:03 一食堂 ¥12.50；12-06 12:03 地铁 ¥3.00。');
  });
});
