import {
  minuteMs, minutesByMonth, minutesToMonthEnd, networkAdvance, networkDeviceAllowed, networkFenPerDeviceHour, networkHourPriceFen, networkMaxDevices, networkMonthlyCapFen, networkTopUpMaxFen, networkTopUpMinFen,
} from '../../domain/campus-payments.js';
import { shanghaiMonthRange } from '../../domain/calendar.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { dummyPasswordHash, verifyPassword } from '../../platform/passwords.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction } from '../ledger/ledger.js';
import './campus.errors.js';
import { campusRepository as repo, type NetworkSessionRow } from './campus.repository.js';
import type { NetworkGatewayAnswer, NetworkOverviewDto, NetworkSessionDto, NetworkSignOn, NetworkUsageReport } from './campus.schemas.js';
import { moveNetworkBalanceToCard, networkAccount, networkBalanceFen } from './network-account.js';
import { terminalOfKind } from './pay-at-pos.js';
import { campusCardOf } from './payment-codes.js';

/**
 * 校园网缴费 (seed 004; decision 0007): the campus network bills students by the hour, ¥0.30 per
 * device-hour begun, at most two devices on at once, at most ¥40.00 a month. The money is in the
 * student's network account (`network:<studentId>`), topped up from the campus card.
 *
 * The campus network's gateway (a `network_gateway` terminal of the university) works like a
 * RADIUS server's accounting client: it signs a device on with the student's account and
 * password, and reports the device's minutes from time to time and when it goes off. Each answer
 * says how many more minutes the device may stay on (the Session-Timeout): the hours bought so
 * far, never past the month's end. A device buys an hour as it begins (domain: networkAdvance),
 * so the account never owes anything; when it cannot pay for the next hour the device goes off.
 * All of one student's sessions are settled one at a time (an advisory lock per student).
 */

/** Where the hours' money goes: the university's network centre. */
const networkMerchant = (schoolId: string) => accountCodes.merchant(`network.${schoolId}`);

interface Settled {
  chargedFen: number;
  minutesLeft: number;
}

/**
 * Counts a session's minutes up to `minutes` (the gateway's count since sign-on), month by month,
 * and buys the next hour of a device that stays on and has none left. Runs under the student's lock.
 */
async function settleMinutes(ctx: AppContext, tx: Tx, session: NetworkSessionRow, schoolId: string, minutes: number, stayOn: boolean, actor: AuditActor): Promise<Settled> {
  const account = await networkAccount(tx, ctx.clock, session.student_id, actor);
  const reported = Math.max(minutes, session.minutes);
  // The gateway's count ends now, by the server's clock: its minutes fall in the months they
  // were used in, and a count running ahead of time can never reach a month still to come.
  const countStart = new Date(ctx.clock.now().getTime() - reported * minuteMs);
  const parts = minutesByMonth(countStart, session.minutes, reported);
  let chargedFen = 0;
  let overrunMinutes = 0;
  let minutesLeft = 0;
  for (const [i, part] of parts.entries()) {
    const current = await repo.lockDeviceMonth(tx, session.student_id, part.month, session.device_mac);
    const step = networkAdvance({
      device: current.device,
      addMinutes: part.minutes,
      stayOn: stayOn && i === parts.length - 1,
      monthChargedFen: current.monthChargedFen,
      balanceFen: (await balanceOf(tx, account.id)).availableFen,
    });
    if (step.chargeFen > 0) {
      const merchant = await ensureAccount(tx, ctx.clock, { code: networkMerchant(schoolId), type: 'merchant', actor });
      await postTransaction(tx, ctx.clock, {
        idempotencyKey: `campus-network:${session.student_id}:${part.month}:${session.device_mac}:${step.device.paidHours}`,
        type: 'purchase',
        postings: [{ accountId: account.id, debitFen: step.chargeFen }, { accountId: merchant.id, creditFen: step.chargeFen }],
        memo: `校园网 ${part.month} ${session.device_mac} 第 ${step.device.paidHours} 小时`,
        metadata: { sessionId: session.id, month: part.month, deviceMac: session.device_mac, hour: step.device.paidHours },
        actor,
      });
    }
    await repo.saveDeviceMonth(tx, session.student_id, part.month, session.device_mac, step.device, current.monthChargedFen + step.chargeFen);
    chargedFen += step.chargeFen;
    overrunMinutes += step.overrunMinutes;
    minutesLeft = step.minutesLeft;
  }
  // The next month's first hour is bought anew, so a timeout never runs past the month's end.
  if (stayOn) minutesLeft = Math.min(minutesLeft, minutesToMonthEnd(countStart, reported));
  await repo.addSessionUsage(tx, session.id, { minutes: reported, overrunMinutes, chargedFen });
  return { chargedFen, minutesLeft };
}

async function gatewayAnswer(db: DbOrTx, session: NetworkSessionRow, chargedFen: number, minutesLeft: number, now: Date): Promise<NetworkGatewayAnswer> {
  const month = shanghaiMonthRange(now).month;
  return {
    sessionId: session.gateway_session_id,
    minutesLeft,
    chargedFen,
    balanceFen: await networkBalanceFen(db, session.student_id),
    monthChargedFen: await repo.monthChargedFen(db, session.student_id, month),
    ended: session.ended_at !== null,
    endReason: session.end_reason,
  };
}

const minutesUntil = (until: Date | null, now: Date) => (until ? Math.max(0, Math.floor((until.getTime() - now.getTime()) / minuteMs)) : 0);

/**
 * The gateway signs a device on (RADIUS Access-Request): the account is a student number or ID
 * number of the gateway's university, with the campus query password. Retrying with the same
 * session id answers the same session.
 */
export async function signOnDevice(ctx: AppContext, terminalId: string, request: NetworkSignOn): Promise<NetworkGatewayAnswer> {
  const gateway = await terminalOfKind(ctx, terminalId, 'network_gateway');
  const school = gateway.school_id!;
  const student = await repo.enrolledStudentAt(ctx.db, school, request.account);
  if (!student) {
    // An unknown account answers like a wrong password, after the same work: the gateway's users are not to be listed.
    await verifyPassword(await dummyPasswordHash(), request.password);
    throw fail('QUERY_PASSWORD_WRONG');
  }
  // Every student signs on through the gateway's one address: failures are counted per device,
  // so one student's wrong tries cannot lock the whole campus out.
  // The initial query password is refused here too: anyone who knows a classmate's student and
  // ID numbers could otherwise go online on their money.
  await verifyQueryPassword(ctx, student.id, request.password, `network:${gateway.id}:${request.mac}`);
  const actor = { role: 'terminal' as const, id: gateway.id };
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockNetworkStudent(tx, student.id);
    const now = ctx.clock.now();
    const stored = await repo.networkSession(tx, gateway.id, request.sessionId);
    if (stored) {
      if (stored.student_id !== student.id || stored.device_mac !== request.mac) throw fail('CAMPUS_NETWORK_SESSION_CONFLICT', { sessionId: request.sessionId });
      // The answer the gateway lost, as far as it still holds: what the session was charged, the minutes left now.
      return gatewayAnswer(tx, stored, stored.charged_fen, minutesUntil(stored.online_until, now), now);
    }
    // Sessions the gateway lost (their paid time ran out unheard) and this device's earlier one end here.
    await auditEnded(tx, ctx.clock, actor, student.id, 'expired', await repo.endExpiredSessions(tx, student.id, now));
    await auditEnded(tx, ctx.clock, actor, student.id, 'replaced', await repo.endDeviceSessions(tx, student.id, request.mac, now, 'replaced'));
    if (!networkDeviceAllowed(await repo.onlineSessionCount(tx, student.id))) throw fail('CAMPUS_NETWORK_DEVICES', { maxDevices: networkMaxDevices });
    const session = await repo.insertNetworkSession(tx, {
      id: newId(), terminal_id: gateway.id, gateway_session_id: request.sessionId, student_id: student.id, device_mac: request.mac, started_at: now, online_until: now,
    });
    const { chargedFen, minutesLeft } = await settleMinutes(ctx, tx, session, school, 0, true, actor);
    // Nothing is written when the first hour cannot be paid: the transaction rolls back.
    if (minutesLeft === 0) throw fail('CAMPUS_NETWORK_BALANCE_LOW', { hourFen: networkHourPriceFen(await repo.monthChargedFen(tx, student.id, shanghaiMonthRange(now).month)) });
    const onlineUntil = new Date(now.getTime() + minutesLeft * minuteMs);
    const started = await repo.setOnlineUntil(tx, session.id, onlineUntil);
    await recordAudit(tx, ctx.clock, {
      actor, action: 'campus.network.signed_on', entityType: 'student', entityId: student.id,
      after: { sessionId: session.id, gatewaySessionId: request.sessionId, deviceMac: request.mac, chargedFen }, requestId: null,
    });
    return gatewayAnswer(tx, started, chargedFen, minutesLeft, now);
  });
}

/**
 * The gateway reports a session's minutes so far (RADIUS Interim-Update), or its last (Stop,
 * `final`). A report answers the minutes the device may still stay on; 0 means sign it off now
 * (no money for the next hour, or the student took the device off in the app). A report older
 * than one already counted changes nothing.
 */
export async function reportNetworkUsage(ctx: AppContext, terminalId: string, gatewaySessionId: string, report: NetworkUsageReport): Promise<NetworkGatewayAnswer> {
  const gateway = await terminalOfKind(ctx, terminalId, 'network_gateway');
  const found = await repo.networkSession(ctx.db, gateway.id, gatewaySessionId);
  if (!found) throw fail('CAMPUS_NETWORK_SESSION_UNKNOWN', { sessionId: gatewaySessionId });
  const actor = { role: 'terminal' as const, id: gateway.id };
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockNetworkStudent(tx, found.student_id);
    const session = (await repo.networkSession(tx, gateway.id, gatewaySessionId))!;
    const now = ctx.clock.now();
    const stayOn = session.ended_at === null && !report.final;
    // After the gateway's own last report (or its being told to stop) nothing more counts; a
    // session ended here (kicked, replaced, expired) still counts minutes the gateway reports for
    // it within the hours paid, but buys none.
    const closedByGateway = session.end_reason === 'signed_off' || session.end_reason === 'no_balance';
    const { chargedFen, minutesLeft } = closedByGateway ? { chargedFen: 0, minutesLeft: 0 } : await settleMinutes(ctx, tx, session, gateway.school_id!, report.minutes, stayOn, actor);
    let after: NetworkSessionRow;
    if (session.ended_at !== null) after = await repo.reloadSession(tx, session.id);
    else if (report.final) after = await repo.endSession(tx, session.id, now, 'signed_off');
    else if (minutesLeft === 0) after = await repo.endSession(tx, session.id, now, 'no_balance');
    else after = await repo.setOnlineUntil(tx, session.id, new Date(now.getTime() + minutesLeft * minuteMs));
    const endedNow = session.ended_at === null && after.ended_at !== null;
    if (chargedFen > 0 || endedNow) {
      await recordAudit(tx, ctx.clock, {
        actor, action: endedNow ? 'campus.network.signed_off' : 'campus.network.charged', entityType: 'student', entityId: session.student_id,
        after: { sessionId: session.id, minutes: after.minutes, chargedFen, endReason: after.end_reason }, requestId: null,
      });
    }
    return gatewayAnswer(tx, after, chargedFen, minutesLeft, now);
  });
}

function sessionView(row: NetworkSessionRow & { gateway_code: string }, now: Date): NetworkSessionDto {
  return {
    id: row.id, deviceMac: row.device_mac, gatewayCode: row.gateway_code, startedAt: row.started_at.toISOString(), minutes: row.minutes, chargedFen: row.charged_fen,
    online: row.ended_at === null && row.online_until !== null && row.online_until.getTime() > now.getTime(),
    endedAt: row.ended_at?.toISOString() ?? null, endReason: row.end_reason,
  };
}

/**
 * A university student: the network account and its sessions stay theirs to see and end when the
 * campus card is lost (the gateway signs on with the account, not the card).
 */
async function assertNetworkStudent(ctx: AppContext, caller: Caller): Promise<void> {
  if (caller.role !== 'student' || !(await repo.isCampusSchool(ctx.db, (await repo.payer(ctx.db, caller.subjectId)).school_id))) throw fail('FORBIDDEN');
}

/** 校园网: the student's network account, this month against the cap, devices on and recent sessions. */
export async function networkOverview(ctx: AppContext, caller: Caller): Promise<NetworkOverviewDto> {
  await assertNetworkStudent(ctx, caller);
  const now = ctx.clock.now();
  const month = shanghaiMonthRange(now).month;
  const [balanceFen, monthChargedFen, devices, sessions] = await Promise.all([
    networkBalanceFen(ctx.db, caller.subjectId),
    repo.monthChargedFen(ctx.db, caller.subjectId, month),
    repo.deviceMonths(ctx.db, caller.subjectId, month),
    repo.networkSessionsToShow(ctx.db, caller.subjectId, 20),
  ]);
  return {
    balanceFen, month, monthChargedFen, monthlyCapFen: networkMonthlyCapFen, fenPerDeviceHour: networkFenPerDeviceHour, maxDevices: networkMaxDevices,
    devices: devices.map((d) => ({ deviceMac: d.device_mac, minutes: d.minutes, paidHours: d.paid_hours })),
    sessions: sessions.map((s) => sessionView(s, now)),
  };
}

/** 校园网充值 before its transaction: the amount within limits and the query password (a wrong one is remembered). */
export async function checkNetworkTopUp(ctx: AppContext, caller: Caller, input: { amountFen: number; queryPassword: string }, source: string): Promise<void> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < networkTopUpMinFen || input.amountFen > networkTopUpMaxFen) throw fail('CAMPUS_NETWORK_TOP_UP_AMOUNT', { amountFen: input.amountFen });
  await campusCardOf(ctx, caller.subjectId);
  await verifyQueryPassword(ctx, caller.subjectId, input.queryPassword, source);
}

/** 校园网充值 (seed 004: 使用校园卡账户为校园网充值): campus card purse → network account. */
export async function topUpNetwork(ctx: AppContext, caller: Caller, input: { amountFen: number }, requestId: string): Promise<{ balanceFen: number; campusBalanceFen: number }> {
  const card = await campusCardOf(ctx, caller.subjectId);
  const actor = { role: caller.role, id: caller.subjectId };
  const purse = await findAccountByCode(ctx.db, accountCodes.purse(card.id));
  const network = await networkAccount(ctx.db, ctx.clock, caller.subjectId, actor);
  const txn = await postTransaction(ctx.db, ctx.clock, {
    idempotencyKey: `campus-network-top-up:${newId()}`,
    type: 'transfer',
    postings: [{ accountId: purse.id, debitFen: input.amountFen }, { accountId: network.id, creditFen: input.amountFen }],
    memo: '校园网充值',
    metadata: { cardId: card.id },
    actor,
  });
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'campus.network.topped_up', entityType: 'student', entityId: caller.subjectId, after: { amountFen: input.amountFen, cardId: card.id, ledgerTransactionId: txn.id }, requestId });
  return { balanceFen: (await balanceOf(ctx.db, network.id)).availableFen, campusBalanceFen: (await balanceOf(ctx.db, purse.id)).availableFen };
}

/** Sessions ended without the gateway saying so (their paid time ran out unheard, or the device signed on again). */
async function auditEnded(tx: Tx, clock: Clock, actor: AuditActor, studentId: string, reason: 'expired' | 'replaced', ended: readonly { id: string; device_mac: string }[]): Promise<void> {
  for (const s of ended) {
    await recordAudit(tx, clock, { actor, action: 'campus.network.session_ended', entityType: 'student', entityId: studentId, after: { sessionId: s.id, deviceMac: s.device_mac, endReason: reason }, requestId: null });
  }
}

/**
 * 网费转回校园卡: the student takes the network balance back onto their campus card, once no device
 * is online (a device on would lose its next hour without warning).
 */
export async function returnNetworkBalance(ctx: AppContext, caller: Caller, requestId: string): Promise<{ movedFen: number; balanceFen: number; campusBalanceFen: number }> {
  const card = await campusCardOf(ctx, caller.subjectId);
  return inTransaction(ctx.db, async (tx) => {
    // The card first, then the network, in the order 退卡 takes them: a card returned meanwhile
    // has had its refund set aside, and money put on its purse now would be stranded there.
    const locked = await cardsRepository.lockCard(tx, card.id);
    if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_IN_USE');
    await repo.lockNetworkStudent(tx, caller.subjectId);
    await auditEnded(tx, ctx.clock, { role: caller.role, id: caller.subjectId }, caller.subjectId, 'expired', await repo.endExpiredSessions(tx, caller.subjectId, ctx.clock.now()));
    if ((await repo.onlineSessionCount(tx, caller.subjectId)) > 0) throw fail('CAMPUS_NETWORK_ONLINE');
    const movedFen = await moveNetworkBalanceToCard(tx, ctx.clock, { studentId: caller.subjectId, cardId: card.id, actor: { role: caller.role, id: caller.subjectId }, requestId });
    if (movedFen === 0) throw fail('CAMPUS_NETWORK_NOTHING_TO_RETURN');
    return { movedFen, balanceFen: 0, campusBalanceFen: (await balanceOf(tx, (await findAccountByCode(tx, accountCodes.purse(card.id))).id)).availableFen };
  });
}

/** 强制下线: the student takes one of their devices off; the gateway learns it at its next report. */
export async function kickNetworkSession(ctx: AppContext, caller: Caller, sessionId: string, requestId: string): Promise<NetworkSessionDto> {
  await assertNetworkStudent(ctx, caller);
  const found = await repo.networkSessionView(ctx.db, sessionId);
  if (!found || found.student_id !== caller.subjectId) throw fail('CAMPUS_NETWORK_SESSION_UNKNOWN', { sessionId });
  // Runs in the request's transaction (idempotentOperation), so the lock holds until it commits.
  await repo.lockNetworkStudent(ctx.db, caller.subjectId);
  const session = await repo.reloadSession(ctx.db, sessionId);
  if (session.ended_at !== null) throw fail('CAMPUS_NETWORK_SESSION_ENDED', { sessionId });
  const now = ctx.clock.now();
  await repo.endSession(ctx.db, sessionId, now, 'kicked');
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.network.kicked', entityType: 'student', entityId: caller.subjectId, after: { sessionId, deviceMac: session.device_mac }, requestId });
  return sessionView((await repo.networkSessionView(ctx.db, sessionId))!, now);
}
