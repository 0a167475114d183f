import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountCodes, balanceOf, checkLedger, findAccountByCode } from '../../src/modules/ledger/ledger.js';
import { initialCampusPassword } from '../../src/domain/passwords.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerTerminal } from '../support/terminals.js';
import { fund } from '../support/money.js';
import { purseFen } from './ecards-support.js';

/**
 * 校园网计时收费 (seed 004; domain rules "Campus payments"): the gateway signs devices on and
 * reports their minutes; each device-hour begun costs ¥0.30 from the network account, at most
 * ¥40.00 a month, two devices on at once; the student tops the account up from the campus card.
 */

let t: TestApp;
let campusId: string;
let otherCampusId: string;
/** Every test starts early in November (the month test moves to its last evening). */
const morning = '2026-11-02T08:00:00+08:00';
beforeAll(async () => {
  t = await createTestApp();
  campusId = (await t.factory.newSchool({ stage: 'university' })).id;
  otherCampusId = (await t.factory.newSchool({ stage: 'university' })).id;
});
afterAll(async () => t.close());
beforeEach(() => t.clock.set(morning));

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
let sessionNo = 0;

const terminal = (kind: 'network_gateway' | 'pos', schoolId = campusId) => registerTerminal(t, { kind, operatorName: '信息与网络管理中心', schoolId });

/** A student of the campus with a funded campus card, signed in to the app. */
async function undergraduate(campusFen = 10_000, schoolId = campusId) {
  // A query password of their own: the network refuses the initial one (the last six of the ID number).
  const password = '246813';
  const student = await t.factory.newStudent({ schoolId, name: '网费测试生', queryPassword: password });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  if (campusFen > 0) await fund(t, card.id, campusFen);
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  return { student, card, token, password, initial: initialCampusPassword(student.id_number), account: student.id_number };
}
type Student = Awaited<ReturnType<typeof undergraduate>>;

const topUp = (u: Student, amountFen: number, queryPassword = u.password) =>
  t.app.inject({ method: 'POST', url: '/api/v1/campus/network/top-ups', headers: auth(u.token), payload: { amountFen, queryPassword } });
const signOn = (gw: { id: string; token: string }, u: Student, mac: string, sessionId = `S-${++sessionNo}`, password = u.password) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gw.id}/network/sessions`, headers: auth(gw.token), payload: { sessionId, account: u.account, password, mac } });
const report = (gw: { id: string; token: string }, sessionId: string, minutes: number, final = false) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gw.id}/network/sessions/${sessionId}/usage`, headers: auth(gw.token), payload: { minutes, final } });
const overview = async (u: Student) => (await t.app.inject({ method: 'GET', url: '/api/v1/campus/network', headers: auth(u.token) })).json();
const networkFen = async (u: Student) => (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, accountCodes.network(u.student.id))).id)).availableFen;

describe('校园网充值 from the campus card', () => {
  it('moves the amount with the query password; a wrong password or amount moves nothing', async () => {
    const u = await undergraduate(1_000);
    expect((await topUp(u, 500, '000000')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    const tooMuch = await topUp(u, 20_001);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_TOP_UP_AMOUNT', message: '校园网充值金额须在 1 至 200 元之间' } });
    expect((await topUp(u, 99)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_TOP_UP_AMOUNT' } });
    expect((await topUp(u, 2_000)).json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await purseFen(t, u.card.id)).toBe(1_000);
    expect((await overview(u)).balanceFen).toBe(0);

    const paid = await topUp(u, 500);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toEqual({ balanceFen: 500, campusBalanceFen: 500 });
    expect(await purseFen(t, u.card.id)).toBe(500);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'campus.network.topped_up').execute();
    expect(audit).toEqual([{ action: 'campus.network.topped_up', after: expect.objectContaining({ amountFen: 500, cardId: u.card.id }) }]);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
  it('answers a retry of a paid top-up (same Idempotency-Key) from its stored response, even after the password changed', async () => {
    const u = await undergraduate(1_000);
    const withKey = (key: string) => t.app.inject({ method: 'POST', url: '/api/v1/campus/network/top-ups', headers: { ...auth(u.token), 'idempotency-key': key }, payload: { amountFen: 300, queryPassword: u.password } });
    const paid = await withKey('net-top-up-1');
    expect(paid.statusCode, paid.body).toBe(201);
    // The service centre resets the query password (to the initial one) before the app's retry arrives.
    await t.ctx.db.updateTable('students').set({ campus_password_hash: null }).where('id', '=', u.student.id).execute();
    const retry = await withKey('net-top-up-1');
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(paid.json());
    // A new request is asked for the password again, and nothing more moves.
    expect((await withKey('net-top-up-2')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect(await purseFen(t, u.card.id)).toBe(700);
  });
});

describe('the campus network gateway', () => {
  it('signs a device on with the first hour paid, counts its minutes, buys the next hour as it begins and ends it on the last report', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 100)).statusCode).toBe(201);

    const on = await signOn(gw, u, '3c-22-fb-12-34-56', 'RADIUS-0001');
    expect(on.statusCode, on.body).toBe(201);
    expect(on.json()).toEqual({ sessionId: 'RADIUS-0001', minutesLeft: 60, chargedFen: 30, balanceFen: 70, monthChargedFen: 30, ended: false, endReason: null });
    // The gateway lost the answer and asks again: the same answer, nothing charged twice.
    expect((await signOn(gw, u, '3C:22:FB:12:34:56', 'RADIUS-0001')).json()).toEqual(on.json());
    expect(await networkFen(u)).toBe(70);
    expect((await signOn(gw, u, '3C:22:FB:12:34:57', 'RADIUS-0001')).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_SESSION_CONFLICT' } });

    expect((await report(gw, 'RADIUS-0001', 45)).json()).toMatchObject({ minutesLeft: 15, chargedFen: 0, balanceFen: 70 });
    expect((await report(gw, 'RADIUS-0001', 60)).json()).toMatchObject({ minutesLeft: 60, chargedFen: 30, balanceFen: 40, monthChargedFen: 60 });
    // A late, older report counts nothing again.
    expect((await report(gw, 'RADIUS-0001', 50)).json()).toMatchObject({ minutesLeft: 60, chargedFen: 0, balanceFen: 40 });
    const off = (await report(gw, 'RADIUS-0001', 70, true)).json();
    expect(off).toMatchObject({ minutesLeft: 0, chargedFen: 0, balanceFen: 40, monthChargedFen: 60, ended: true, endReason: 'signed_off' });
    expect((await report(gw, 'RADIUS-0001', 80)).json()).toMatchObject({ ended: true, minutesLeft: 0, chargedFen: 0 });

    const seen = await overview(u);
    expect(seen).toMatchObject({ balanceFen: 40, month: '2026-11', monthChargedFen: 60, monthlyCapFen: 4_000, fenPerDeviceHour: 30, maxDevices: 2, devices: [{ deviceMac: '3C:22:FB:12:34:56', minutes: 70, paidHours: 2 }] });
    expect(seen.sessions).toEqual([expect.objectContaining({ deviceMac: '3C:22:FB:12:34:56', minutes: 70, chargedFen: 60, online: false, endReason: 'signed_off' })]);
    expect(await networkFen(u)).toBe(40);
    const actions = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', u.student.id).where('action', 'like', 'campus.network.%').execute();
    expect(actions.map((a) => a.action).sort()).toEqual(['campus.network.charged', 'campus.network.signed_off', 'campus.network.signed_on', 'campus.network.topped_up']);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('refuses an unknown account, a wrong password and another university’s student alike, and the initial password; a short balance signs nothing on', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    const stranger = await undergraduate(10_000, otherCampusId);
    expect((await topUp(stranger, 500)).statusCode).toBe(201);
    expect((await signOn(gw, stranger, 'AA:00:00:00:00:01')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    expect((await signOn(gw, u, 'AA:00:00:00:00:02', undefined, '000000')).json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });
    const unknown = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gw.id}/network/sessions`, headers: auth(gw.token), payload: { sessionId: 'X-1', account: '19990000', password: '123456', mac: 'AA:00:00:00:00:03' } });
    expect(unknown.json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_WRONG' } });

    // The initial query password is right, but the network takes only one the student chose.
    await t.ctx.db.updateTable('students').set({ campus_password_hash: null, campus_must_change: true }).where('id', '=', stranger.student.id).execute();
    const ownGateway = await terminal('network_gateway', otherCampusId);
    const initial = await signOn(ownGateway, stranger, 'AA:00:00:00:00:05', undefined, stranger.initial);
    expect(initial.statusCode).toBe(403);
    expect(initial.json()).toMatchObject({ error: { code: 'QUERY_PASSWORD_INITIAL', message: expect.stringContaining('初始查询密码只能用于登录') } });

    const low = await signOn(gw, u, 'AA:00:00:00:00:04');
    expect(low.statusCode).toBe(422);
    expect(low.json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_BALANCE_LOW', message: '网费余额不足以支付下一小时，请先为校园网充值' } });
    expect(await t.ctx.db.selectFrom('campus_network_sessions').select('id').where('student_id', '=', u.student.id).execute()).toEqual([]);
  });

  it('turns away a third device while two are on; the app takes one off, and the gateway learns it at its next report', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 1_000)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'BB:00:00:00:00:01', 'TWO-A')).statusCode).toBe(201);
    expect((await signOn(gw, u, 'BB:00:00:00:00:02', 'TWO-B')).statusCode).toBe(201);
    const third = await signOn(gw, u, 'BB:00:00:00:00:03', 'TWO-C');
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_DEVICES' } });
    // The first device signs on again (the gateway never said it left): its old session ends, no third device.
    expect((await signOn(gw, u, 'BB:00:00:00:00:01', 'TWO-A2')).json()).toMatchObject({ chargedFen: 0, minutesLeft: 60 });
    expect((await report(gw, 'TWO-A', 10)).json()).toMatchObject({ ended: true, endReason: 'replaced', minutesLeft: 0 });

    const sessions = (await overview(u)).sessions as { id: string; deviceMac: string; online: boolean }[];
    const b = sessions.find((s) => s.deviceMac === 'BB:00:00:00:00:02' && s.online)!;
    const other = await undergraduate();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/campus/network/sessions/${b.id}/sign-off`, headers: auth(other.token) })).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_SESSION_UNKNOWN' } });
    const kicked = await t.app.inject({ method: 'POST', url: `/api/v1/campus/network/sessions/${b.id}/sign-off`, headers: auth(u.token) });
    expect(kicked.statusCode, kicked.body).toBe(200);
    expect(kicked.json()).toMatchObject({ online: false, endReason: 'kicked' });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/campus/network/sessions/${b.id}/sign-off`, headers: auth(u.token) })).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_SESSION_ENDED' } });
    expect((await report(gw, 'TWO-B', 20)).json()).toMatchObject({ ended: true, endReason: 'kicked', minutesLeft: 0, chargedFen: 0 });
    expect((await signOn(gw, u, 'BB:00:00:00:00:03', 'TWO-D')).statusCode).toBe(201);
  });

  it('lets two sign-ons race for the last device place: one wins', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 1_000)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'CC:00:00:00:00:01')).statusCode).toBe(201);
    const raced = await Promise.all([signOn(gw, u, 'CC:00:00:00:00:02'), signOn(gw, u, 'CC:00:00:00:00:03')]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('ends sessions whose paid time ran out unheard, freeing their places', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 1_000)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'DD:00:00:00:00:01', 'LOST-1')).statusCode).toBe(201);
    expect((await signOn(gw, u, 'DD:00:00:00:00:02', 'LOST-2')).statusCode).toBe(201);
    t.clock.advance(61 * 60_000);
    expect((await overview(u)).sessions.every((s: { online: boolean }) => !s.online)).toBe(true);
    expect((await signOn(gw, u, 'DD:00:00:00:00:03', 'LOST-3')).statusCode).toBe(201);
    const ended = await t.ctx.db.selectFrom('campus_network_sessions').select(['gateway_session_id', 'end_reason']).where('student_id', '=', u.student.id).orderBy('gateway_session_id').execute();
    expect(ended).toEqual([{ gateway_session_id: 'LOST-1', end_reason: 'expired' }, { gateway_session_id: 'LOST-2', end_reason: 'expired' }, { gateway_session_id: 'LOST-3', end_reason: null }]);
    const audited = await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', u.student.id).where('action', '=', 'campus.network.session_ended').execute();
    expect(audited.map((a) => (a.after as { endReason: string }).endReason)).toEqual(['expired', 'expired']);
  });

  it('signs a device off when the account cannot pay the next hour; minutes past the paid hour are not billed', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 100)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'EE:00:00:00:00:01', 'POOR-1')).json()).toMatchObject({ balanceFen: 70 });
    expect((await report(gw, 'POOR-1', 60)).json()).toMatchObject({ chargedFen: 30, balanceFen: 40, minutesLeft: 60 });
    expect((await report(gw, 'POOR-1', 120)).json()).toMatchObject({ chargedFen: 30, balanceFen: 10, minutesLeft: 60 });
    expect((await report(gw, 'POOR-1', 200)).json()).toMatchObject({ chargedFen: 0, balanceFen: 10, minutesLeft: 0, ended: true, endReason: 'no_balance' });
    const row = await t.ctx.db.selectFrom('campus_network_sessions').select(['minutes', 'overrun_minutes', 'charged_fen']).where('gateway_session_id', '=', 'POOR-1').executeTakeFirstOrThrow();
    expect(row).toEqual({ minutes: 200, overrun_minutes: 20, charged_fen: 90 });
  });

  it('charges at most ¥40.00 a month: past the cap the hours go on free', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate(20_000);
    expect((await topUp(u, 5_000)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'FF:00:00:00:00:01', 'CAP-1')).statusCode).toBe(201);
    let last;
    for (let hour = 1; hour <= 140; hour++) last = (await report(gw, 'CAP-1', hour * 60)).json();
    expect(last).toMatchObject({ chargedFen: 0, minutesLeft: 60, monthChargedFen: 4_000, balanceFen: 1_000 });
    expect(await networkFen(u)).toBe(1_000);
    // The 134th hour cost the ¥0.10 left under the cap.
    const hours = await t.ctx.db.selectFrom('ledger_transactions').select('idempotency_key').where('idempotency_key', 'like', `campus-network:${u.student.id}:%`).execute();
    expect(hours).toHaveLength(134);
  });

  it('buys a new month’s first hour at Beijing midnight: the sign-on’s time stops at the month’s end', async () => {
    t.clock.set('2026-11-30T23:30:00+08:00');
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 1_000)).statusCode).toBe(201);
    expect((await signOn(gw, u, '11:22:33:44:55:66', 'MONTH-1')).json()).toMatchObject({ minutesLeft: 30, chargedFen: 30, monthChargedFen: 30 });
    t.clock.advance(30 * 60_000);
    expect((await report(gw, 'MONTH-1', 30)).json()).toMatchObject({ minutesLeft: 60, chargedFen: 30, monthChargedFen: 30 });
    const months = await t.ctx.db.selectFrom('campus_network_months').select(['month', 'charged_fen']).where('student_id', '=', u.student.id).orderBy('month').execute();
    expect(months).toEqual([{ month: '2026-11', charged_fen: 30 }, { month: '2026-12', charged_fen: 30 }]);
  });

  it('anchors the gateway\'s count at the server\'s clock: a count running ahead never reaches a month to come', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 100)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'AC:00:00:00:00:01', 'AHEAD-1')).statusCode).toBe(201);
    // Forty days of minutes reported one second after sign-on (seconds sent as minutes, say).
    const ahead = (await report(gw, 'AHEAD-1', 60 * 24 * 40)).json();
    expect(ahead).toMatchObject({ ended: false, monthChargedFen: 60 });
    const months = await t.ctx.db.selectFrom('campus_network_months').select('month').where('student_id', '=', u.student.id).execute();
    expect(months.every((m) => m.month <= '2026-11')).toBe(true);
  });

  it('finds the student at the gateway\'s own university when two share a student number', async () => {
    const gw = await terminal('network_gateway');
    const ours = await undergraduate();
    const theirs = await undergraduate(10_000, otherCampusId);
    await t.ctx.db.updateTable('students').set({ student_no: 'S2026-0042' }).where('id', 'in', [ours.student.id, theirs.student.id]).execute();
    expect((await topUp(ours, 100)).statusCode).toBe(201);
    const on = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gw.id}/network/sessions`, headers: auth(gw.token), payload: { sessionId: 'SAME-NO-1', account: 'S2026-0042', password: ours.password, mac: 'AD:00:00:00:00:01' } });
    expect(on.statusCode, on.body).toBe(201);
  });

  it('answers a session id two students race for with a conflict, not a server error', async () => {
    const gw = await terminal('network_gateway');
    const [a, b] = [await undergraduate(), await undergraduate()];
    expect((await topUp(a, 100)).statusCode).toBe(201);
    expect((await topUp(b, 100)).statusCode).toBe(201);
    const raced = await Promise.all([signOn(gw, a, 'AE:00:00:00:00:01', 'SHARED-ID'), signOn(gw, b, 'AE:00:00:00:00:02', 'SHARED-ID')]);
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(raced.find((r) => r.statusCode === 409)!.json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_SESSION_CONFLICT' } });
  });

  it('lets a student whose card is lost still see the account and take a device off', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate();
    expect((await topUp(u, 100)).statusCode).toBe(201);
    expect((await signOn(gw, u, 'AF:00:00:00:00:01', 'LOSTCARD-1')).statusCode).toBe(201);
    await t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', u.card.id).execute();
    const seen = await overview(u);
    expect(seen).toMatchObject({ balanceFen: 70 });
    const kicked = await t.app.inject({ method: 'POST', url: `/api/v1/campus/network/sessions/${seen.sessions[0].id}/sign-off`, headers: auth(u.token) });
    expect(kicked.json()).toMatchObject({ endReason: 'kicked' });
    // Topping up needs the card in use.
    expect((await topUp(u, 100)).json()).toMatchObject({ error: { code: 'CAMPUS_CARD_NOT_IN_USE' } });
  });

  it('takes requests from its own network gateway only, and refuses malformed ones with 400', async () => {
    const gw = await terminal('network_gateway');
    const pos = await terminal('pos');
    const u = await undergraduate();
    const asPos = await signOn(pos, u, 'AB:00:00:00:00:01');
    expect(asPos.statusCode).toBe(403);
    expect(asPos.json()).toMatchObject({ error: { code: 'CAMPUS_TERMINAL_KIND' } });
    const otherPath = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/network/sessions`, headers: auth(gw.token), payload: { sessionId: 'X', account: u.account, password: u.password, mac: 'AB:00:00:00:00:01' } });
    expect(otherPath.json()).toMatchObject({ error: { code: 'TERMINAL_NOT_YOURS' } });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gw.id}/network/sessions`, headers: auth(u.token), payload: { sessionId: 'X', account: u.account, password: u.password, mac: 'AB:00:00:00:00:01' } })).statusCode).toBe(403);
    const badMac = await signOn(gw, u, 'not-a-mac');
    expect(badMac.statusCode).toBe(400);
    expect(badMac.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await report(gw, 'S-unknown', 5)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_SESSION_UNKNOWN' } });
    expect((await report(gw, 'S-unknown', -5)).statusCode).toBe(400);
  });
});

describe('网费转回校园卡, and leaving with the network balance', () => {
  const giveBack = (u: Student) => t.app.inject({ method: 'POST', url: '/api/v1/campus/network/balance-return', headers: auth(u.token) });

  it('moves the whole network balance back onto the campus card once no device is online; then there is nothing to move', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate(10_000);
    expect((await giveBack(u)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_NOTHING_TO_RETURN' } });
    expect((await topUp(u, 500)).statusCode).toBe(201);
    const on = await signOn(gw, u, 'AA:10:00:00:00:01', 'BACK-1');
    expect(on.statusCode, on.body).toBe(201);
    // A device on would lose its next hour without warning: refused, and nothing moved.
    const online = await giveBack(u);
    expect(online.statusCode).toBe(409);
    expect(online.json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_ONLINE', message: '请先将在线设备全部下线，再转回网费余额' } });
    expect(await networkFen(u)).toBe(470);
    expect((await report(gw, 'BACK-1', 20, true)).statusCode).toBe(200);

    const back = await giveBack(u);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toEqual({ movedFen: 470, balanceFen: 0, campusBalanceFen: 9_970 });
    expect(await networkFen(u)).toBe(0);
    expect(await purseFen(t, u.card.id)).toBe(9_970);
    expect((await giveBack(u)).json()).toMatchObject({ error: { code: 'CAMPUS_NETWORK_NOTHING_TO_RETURN' } });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', u.student.id).where('action', '=', 'campus.network.balance_returned').execute();
    expect(audit).toEqual([{ action: 'campus.network.balance_returned', after: expect.objectContaining({ amountFen: 470, cardId: u.card.id }) }]);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('a device whose paid time ran out unheard does not hold the balance back', async () => {
    const gw = await terminal('network_gateway');
    const u = await undergraduate(10_000);
    await topUp(u, 300);
    expect((await signOn(gw, u, 'AA:10:00:00:00:02', 'BACK-2')).statusCode).toBe(201);
    t.clock.advance(2 * 3_600_000);
    expect((await giveBack(u)).json()).toMatchObject({ movedFen: 270 });
    const ended = await t.ctx.db.selectFrom('campus_network_sessions').select(['end_reason']).where('gateway_session_id', '=', 'BACK-2').executeTakeFirstOrThrow();
    expect(ended.end_reason).toBe('expired');
  });

  it('退卡 of the campus card takes the network balance with it into the balance refund', async () => {
    const u = await undergraduate(1_000);
    await topUp(u, 600);
    const quote = (await t.app.inject({ url: `/api/v1/cards/${u.card.id}/return`, headers: auth(u.token) })).json();
    // Funded by hand, not through a gateway: the quote already says the money waits at an outlet.
    expect(quote).toMatchObject({ returnable: true, balanceFen: 1_000, networkBalanceFen: 600, refundRoute: 'outlet' });
    const returned = await t.app.inject({ method: 'POST', url: `/api/v1/cards/${u.card.id}/return`, headers: auth(u.token) });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ card: { status: 'returned' }, refund: { amountFen: 1_000, route: 'outlet' } });
    expect(await networkFen(u)).toBe(0);
    expect(await purseFen(t, u.card.id)).toBe(0);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });
});
