import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCardNo } from '../../src/domain/card-numbers.js';
import { changeCardStatus } from '../../src/modules/cards/card-status.js';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST', url: string, token?: string) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function family() {
  const student = await t.factory.newStudent({ name: '王小红' });
  const parent = await t.factory.newParent({ children: [student.id] });
  return {
    student,
    studentToken: await t.factory.loginAs('student', student.education_id, student.password),
    parentToken: await t.factory.loginAs('parent', parent.phone, parent.password),
  };
}

const eventsOf = (cardId: string) => t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', cardId).orderBy('version').execute();

describe('the public card status query', () => {
  it('answers "卡正常状态" for a normal card and reveals nothing personal', async () => {
    const { student } = await family();
    const card = await t.factory.newCard(student.id, { validUntil: '2027-08-31' });
    const res = await call('GET', `/cards/${card.card_no}/status`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ cardNo: card.card_no, status: 'active', transitValid: true, transitValidity: 'valid', validUntil: '2027-08-31', validity: 'valid', graceUntil: null, message: '卡正常状态', messageEn: 'The card is normal' });
    expect(res.body).not.toContain(student.name);
    expect(res.body).not.toContain(student.id_number);
    expect(res.body).not.toContain(student.education_id);
  });

  it('says why a card is not normal: lost, not yet activated, expired', async () => {
    const { student, studentToken } = await family();
    const card = await t.factory.newCard(student.id);
    await call('POST', `/cards/${card.id}/loss`, studentToken);
    expect((await call('GET', `/cards/${card.card_no}/status`)).json()).toMatchObject({ status: 'lost', transitValid: false, message: '已挂失' });
    const other = await family();
    const fresh = await t.factory.newCard(other.student.id, { active: false });
    expect((await call('GET', `/cards/${fresh.card_no}/status`)).json()).toMatchObject({ status: 'inactive', transitValid: false, message: '未激活' });
    const third = await family();
    const old = await t.factory.newCard(third.student.id, { validUntil: '2026-09-30' });
    expect((await call('GET', `/cards/${old.card_no}/status`)).json()).toMatchObject({ status: 'active', transitValid: false, message: expect.stringContaining('有效期') });
  });

  it('shows 公交有效性 as the card view does: by its dates, a lost card within them still 有效卡, an expired one 无效卡 and told to extend', async () => {
    const { student, studentToken } = await family();
    const statusOf = async (cardNo: string) => (await call('GET', `/cards/${cardNo}/status`)).json() as { transitValidity: string | null };
    const viewOf = async (cardId: string) => (await call('GET', `/cards/${cardId}`, studentToken)).json() as { transitValidity: string | null };
    // Lost within its dates: not normal (no student fare now), yet 有效卡 as the replacement wizard and the card page say.
    const lost = await t.factory.newCard(student.id, { validUntil: '2027-10-31' });
    await call('POST', `/cards/${lost.id}/loss`, studentToken);
    expect(await statusOf(lost.card_no)).toMatchObject({ status: 'lost', transitValid: false, transitValidity: 'valid' });
    expect((await statusOf(lost.card_no)).transitValidity).toBe((await viewOf(lost.id)).transitValidity);
    // Expired by date, past its grace, in normal status: 无效卡, and the hint to extend it.
    const other = await family();
    const expired = await t.factory.newCard(other.student.id, { validUntil: '2026-09-30' });
    expect(await statusOf(expired.card_no)).toMatchObject({ status: 'active', validity: 'expired', transitValid: false, transitValidity: 'invalid', message: '卡已过有效期（2026-09-30），请办理延期', messageEn: 'The card expired on 2026-09-30; please extend it' });
    // In its grace period it still rides: 有效卡.
    const third = await family();
    const inGrace = await t.factory.newCard(third.student.id, { validUntil: '2026-11-10' });
    expect(await statusOf(inGrace.card_no)).toMatchObject({ validity: 'grace', transitValid: true, transitValidity: 'valid' });
    // Not activated: 无效卡; a campus card has no 公交有效性 at all.
    const fresh = await t.factory.newCard((await family()).student.id, { active: false, validUntil: '2027-10-31' });
    expect(await statusOf(fresh.card_no)).toMatchObject({ status: 'inactive', transitValidity: 'invalid' });
    const campus = await t.factory.newCard((await family()).student.id, { product: 'campus_card' });
    expect(await statusOf(campus.card_no)).toMatchObject({ status: 'active', transitValidity: null });
  });

  it('refuses a malformed number or a bad check digit with a 400, and an unknown one with a 404', async () => {
    const malformed = await call('GET', '/cards/12-34/status');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'CARD_NO_FORMAT', message: '卡号格式不正确', messageEn: expect.any(String) } });
    const good = generateCardNo('beijing_tong');
    const typo = good.slice(0, -1) + String((Number(good.at(-1)) + 3) % 10);
    const bad = await call('GET', `/cards/${typo}/status`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'CARD_NO_CHECK_DIGIT' } });
    expect((await call('GET', `/cards/${good}/status`)).json()).toMatchObject({ error: { code: 'CARD_NOT_FOUND' } });
  });
});

describe('loss, unloss and activation', () => {
  it('take effect at once from the app, each publishing a versioned status event', async () => {
    const { student, studentToken, parentToken } = await family();
    const card = await t.factory.newCard(student.id, { active: false });
    const activated = await call('POST', `/cards/${card.id}/activate`, parentToken);
    expect(activated.json()).toMatchObject({ status: 'active', transitValid: true, canTopUp: true });
    expect((await call('POST', `/cards/${card.id}/loss`, studentToken)).json()).toMatchObject({ status: 'lost', transitValid: false, canTopUp: false, topUpBlockedReason: 'lost' });
    expect((await call('POST', `/cards/${card.id}/unloss`, parentToken)).json()).toMatchObject({ status: 'active' });
    const events = await eventsOf(card.id);
    expect(events.map((e) => [e.from_status, e.to_status, e.denied])).toEqual([[null, 'inactive', false], ['inactive', 'active', false], ['active', 'lost', true], ['lost', 'active', false]]);
    const versions = events.map((e) => Number(e.version));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    const history = (await call('GET', `/cards/${card.id}/history`, studentToken)).json();
    expect(history.items.map((h: { reason: string }) => h.reason)).toEqual(['test', 'app', 'app', 'app']);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', card.id).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['cards.issue', 'cards.activate', 'cards.report_loss', 'cards.unloss']);
  });

  it('works from the console and the kiosk too, and the channel is recorded', async () => {
    const { student } = await family();
    const card = await t.factory.newCard(student.id);
    const school = await t.ctx.db.selectFrom('students').select('school_id').where('id', '=', student.id).executeTakeFirstOrThrow();
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.school_id });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    const kiosk = await t.factory.newStaff('kiosk', { schoolId: school.school_id });
    const kioskToken = await t.factory.loginAs('staff', kiosk.username, kiosk.password);
    expect((await call('POST', `/cards/${card.id}/loss`, managerToken)).json()).toMatchObject({ status: 'lost' });
    expect((await call('POST', `/cards/${card.id}/unloss`, kioskToken)).json()).toMatchObject({ status: 'active' });
    expect((await eventsOf(card.id)).map((e) => e.reason)).toEqual(['test', 'console', 'kiosk']);
  });

  it('refuses what the state machine forbids, with nothing written', async () => {
    const { student, studentToken } = await family();
    const card = await t.factory.newCard(student.id);
    const res = await call('POST', `/cards/${card.id}/unloss`, studentToken);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });
    expect((await call('POST', `/cards/${card.id}/activate`, studentToken)).json()).toMatchObject({ error: { code: 'CARD_TRANSITION_INVALID' } });
    expect(await eventsOf(card.id)).toHaveLength(1);
  });

  it('a phone e-card is suspended, not "lost", and resumes', async () => {
    const { student, studentToken } = await family();
    const card = await t.factory.newCard(student.id, { product: 'k12_ecard' });
    expect((await call('POST', `/cards/${card.id}/loss`, studentToken)).json()).toMatchObject({ status: 'suspended' });
    expect((await call('POST', `/cards/${card.id}/unloss`, studentToken)).json()).toMatchObject({ status: 'active' });
  });
});

describe('who sees which card', () => {
  it('a parent sees their children’s cards, masked, and nobody else’s', async () => {
    const mine = await family();
    const theirs = await family();
    const myCard = await t.factory.newCard(mine.student.id);
    const theirCard = await t.factory.newCard(theirs.student.id);
    const list = (await call('GET', '/cards', mine.parentToken)).json();
    expect(list.items.map((c: { id: string }) => c.id)).toEqual([myCard.id]);
    expect(list.items[0]).toMatchObject({ holderNameMasked: '王**', cardNoMasked: expect.stringContaining('*'), school: { theme: 'stage-middle' }, balanceFen: 0 });
    for (const url of [`/cards/${theirCard.id}`, `/cards/${theirCard.id}/history`, `/cards/${theirCard.id}/transactions`]) {
      expect((await call('GET', url, mine.parentToken)).json(), url).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    }
    for (const action of ['loss', 'unloss']) {
      expect((await call('POST', `/cards/${theirCard.id}/${action}`, mine.parentToken)).statusCode).toBe(403);
    }
    expect((await call('GET', `/cards?studentId=${theirs.student.id}`, mine.parentToken)).statusCode).toBe(403);
    expect((await call('GET', '/cards')).statusCode).toBe(401);
  });
});

describe('the card’s transactions', () => {
  it('are empty for a new card and list purse movements with the running balance, filterable by type', async () => {
    const { student, studentToken } = await family();
    const card = await t.factory.newCard(student.id);
    expect((await call('GET', `/cards/${card.id}/transactions`, studentToken)).json()).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(card.id));
    const clearing = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor: systemActor });
    const revenue = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.fareRevenue('bus'), type: 'fare_revenue', actor: systemActor });
    await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `t-${card.id}-1`, type: 'top_up', postings: [{ accountId: clearing.id, debitFen: 5000 }, { accountId: purse.id, creditFen: 5000 }], memo: '充值', actor: systemActor });
    t.clock.advance(60_000);
    await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `t-${card.id}-2`, type: 'fare', postings: [{ accountId: purse.id, debitFen: 50 }, { accountId: revenue.id, creditFen: 50 }], memo: '公交', actor: systemActor });
    const all = (await call('GET', `/cards/${card.id}/transactions`, studentToken)).json();
    expect(all.items.map((l: { type: string; amountFen: number; balanceAfterFen: number }) => [l.type, l.amountFen, l.balanceAfterFen])).toEqual([['fare', -50, 4950], ['top_up', 5000, 5000]]);
    const fares = (await call('GET', `/cards/${card.id}/transactions?type=fare`, studentToken)).json();
    expect(fares).toMatchObject({ total: 1, items: [{ type: 'fare', balanceAfterFen: 4950 }] });
    expect((await call('GET', `/cards/${card.id}`, studentToken)).json()).toMatchObject({ balanceFen: 4950, availableFen: 4950 });
  });
});

describe('one active student transit card per identity', () => {
  it('is refused when a second active transit card is issued, but a returned card frees the place', async () => {
    const { student } = await family();
    const first = await t.factory.newCard(student.id);
    await expect(t.factory.newCard(student.id, { product: 'k12_ecard' })).rejects.toMatchObject({ code: 'CARD_ONE_ACTIVE' });
    // A campus card is not a transit card.
    await expect(t.factory.newCard(student.id, { product: 'campus_card' })).resolves.toMatchObject({ status: 'active' });
    await changeCardStatus(t.ctx.db, t.clock, { cardId: first.id, event: 'return', reason: 'test', actor: systemActor, requestId: null });
    await expect(t.factory.newCard(student.id, { product: 'k12_ecard' })).resolves.toMatchObject({ status: 'active' });
  });
});
