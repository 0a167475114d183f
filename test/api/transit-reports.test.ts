import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { PaymentsDriver } from './payments-driver.js';
import { newTerminal, signedTap, uploadOk, type TapInput, type TestTerminal } from './transit-support.js';

/** Paid top-ups become action-list entries; trips, this month's rail spend; reconciliation and terminals in the console. */

let driver: PaymentsDriver;
let t: TestApp;
let operatorToken: string;
let terminal: TestTerminal;
beforeAll(async () => {
  driver = await PaymentsDriver.start();
  t = driver.t;
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
  operatorToken = await t.factory.operatorToken();
  terminal = await newTerminal(t, operatorToken);
});
afterAll(async () => driver.close());

const tap = (input: TapInput) => signedTap(t.ctx.config.secrets.cardMasterKey, terminal.code, input);
const get = (url: string, token: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });

describe('action lists from paid top-ups', () => {
  it('a paid top-up order becomes one action for its card, listed to terminals until a tap applies it', async () => {
    const { student, studentToken } = await driver.family();
    const cardId = await driver.cardOf(student.id);
    const pendingOnCard = async () => ((await get(`/cards/${cardId}`, studentToken)).json() as { pendingTopUpFen: number }).pendingTopUpFen;
    expect(await pendingOnCard()).toBe(0);
    const order = await driver.topUp(studentToken, student.id, 3000);
    await driver.payAtCashier(studentToken, order.id, 'alipay');
    await driver.runJobs();
    expect((await driver.order(studentToken, order.id)).status).toBe('fulfilled');
    // The holder sees the money is paid but not yet on the card.
    expect(await pendingOnCard()).toBe(3000);
    const actions = await t.ctx.db.selectFrom('transit_card_actions').selectAll().where('card_id', '=', cardId).execute();
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'top_up', amount_fen: 3000, source: `order:${order.id}`, applied_at: null });

    const listed = await get(`/terminals/${terminal.id}/actions`, terminal.token);
    expect(listed.statusCode).toBe(200);
    const body = listed.json() as { cursor: string; actions: { id: string }[] };
    expect(body.actions.map((a) => a.id)).toContain(actions[0]!.id);
    // Past the cursor there is nothing new.
    expect((await get(`/terminals/${terminal.id}/actions?since=${body.cursor}`, terminal.token)).json().actions).toEqual([]);
    expect((await get(`/terminals/${terminal.id}/actions?since=abc`, terminal.token)).statusCode).toBe(400);

    // The next tap writes it to the card (0 + 3000 − 50) and confirms it: nothing is pending any more.
    const card = await t.ctx.db.selectFrom('cards').select('card_no').where('id', '=', cardId).executeTakeFirstOrThrow();
    const applied = await uploadOk(t, terminal, [tap({ seq: 900, cardNo: card.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 2950, appliedActionIds: [actions[0]!.id] })]);
    expect(applied.flagged).toEqual([]);
    expect(await pendingOnCard()).toBe(0);
  });
});

describe('a campus card’s top-up', () => {
  it('makes no action: the campus purse is an account the tills spend online, never written at a terminal', async () => {
    const student = await t.factory.newStudent({ name: '校园卡充值生', queryPassword: '246813' });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const ordered = await driver.request('POST', '/orders/top-up', token, { cardId: card.id, amountFen: 2000, queryPassword: '246813' });
    expect(ordered.statusCode, ordered.body).toBe(201);
    await driver.payAtCashier(token, ordered.json().id, 'alipay');
    await driver.runJobs();
    expect((await driver.order(token, ordered.json().id)).status).toBe('fulfilled');
    expect(await driver.balanceFen(`purse:${card.id}`)).toBe(2000);
    expect(await t.ctx.db.selectFrom('transit_card_actions').select('id').where('card_id', '=', card.id).execute()).toEqual([]);
    expect((await get(`/cards/${card.id}`, token)).json()).toMatchObject({ balanceFen: 2000, pendingTopUpFen: 0 });
  });
});

describe('trips and the rail month', () => {
  it('lists the card’s trips with their fare breakdown to its holder, and nobody else', async () => {
    const { student, studentToken } = await driver.family();
    const cardId = await driver.cardOf(student.id);
    const card = await t.ctx.db.selectFrom('cards').select('card_no').where('id', '=', cardId).executeTakeFirstOrThrow();
    await fund(t, cardId, 5000);
    await uploadOk(t, terminal, [
      tap({ seq: 1000, cardNo: card.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 4950, at: '2026-11-20T01:00:00.000Z' }),
      { ...tap({ seq: 1001, cardNo: card.card_no, cardCounter: 2, amountFen: 0, balanceAfterFen: 4950, kind: 'rail_entry', at: '2026-11-21T01:00:00.000Z' }) },
      signedTap(t.ctx.config.secrets.cardMasterKey, terminal.code, { seq: 1002, cardNo: card.card_no, cardCounter: 3, amountFen: 400, balanceAfterFen: 4550, kind: 'rail_exit', at: '2026-11-21T01:30:00.000Z' }),
      // Last month (Asia/Shanghai): 2026-10-31 23:30 in Beijing.
      tap({ seq: 1003, cardNo: card.card_no, cardCounter: 4, amountFen: 500, balanceAfterFen: 4050, kind: 'rail_exit', at: '2026-10-31T15:30:00.000Z' }),
    ]);
    const trips = await get(`/cards/${cardId}/trips`, studentToken);
    expect(trips.statusCode).toBe(200);
    const items = (trips.json() as { items: { cardCounter: number; amountFen: number; fare: { rule?: string } | null; kind: string }[] }).items;
    expect(items.map((i) => i.cardCounter)).toEqual([4, 3, 2, 1]);
    // The breakdown comes back exactly as the terminal sent it (stored as columns since migration 0016).
    expect(items.find((i) => i.cardCounter === 1)?.fare).toEqual({ mode: 'bus', category: 'student', lineType: 'ordinary', distanceKm: 8, fullFareFen: 200, fareFen: 50, rule: 'BUS_STUDENT' });
    expect(items.find((i) => i.cardCounter === 2)?.fare).toBeNull();

    const month = await get(`/cards/${cardId}/rail-month`, studentToken);
    expect(month.statusCode).toBe(200);
    // Only this month's rail exits count (not the bus ride, not October's ride).
    expect(month.json()).toMatchObject({ month: '2026-11', spentFen: 400, rides: 1, currentRatePercent: 100, next: { fromSpentFen: 10_000, remainingFen: 9600 } });
    expect(month.json().tiers.map((x: { fromSpentFen: number }) => x.fromSpentFen)).toEqual([10_000, 15_000, 40_000]);

    const stranger = await driver.family();
    expect((await get(`/cards/${cardId}/trips`, stranger.studentToken)).statusCode).toBe(403);
    expect((await get(`/cards/${cardId}/rail-month`, stranger.studentToken)).statusCode).toBe(403);
  });
});

describe('console: reconciliation and terminals', () => {
  it('lists cards whose shadow balance differs, whose counters have gaps, or whose taps stopped; consistent cards are not listed', async () => {
    const mk = async (fundFen: number) => {
      const { student } = await driver.family();
      const id = await driver.cardOf(student.id);
      if (fundFen > 0) await fund(t, id, fundFen);
      return { id, cardNo: (await t.ctx.db.selectFrom('cards').select('card_no').where('id', '=', id).executeTakeFirstOrThrow()).card_no };
    };
    const good = await mk(1000);
    const differs = await mk(1000);
    const gappy = await mk(1000);
    const silent = await mk(1000);
    await uploadOk(t, terminal, [
      tap({ seq: 2000, cardNo: good.cardNo, cardCounter: 1, amountFen: 100, balanceAfterFen: 900, at: '2026-11-23T01:00:00.000Z' }),
      tap({ seq: 2001, cardNo: differs.cardNo, cardCounter: 1, amountFen: 100, balanceAfterFen: 1900, at: '2026-11-23T01:00:00.000Z' }),
      tap({ seq: 2002, cardNo: gappy.cardNo, cardCounter: 1, amountFen: 100, balanceAfterFen: 900, at: '2026-11-23T01:00:00.000Z' }),
      tap({ seq: 2003, cardNo: gappy.cardNo, cardCounter: 3, amountFen: 100, balanceAfterFen: 700, at: '2026-11-23T01:10:00.000Z' }),
      tap({ seq: 2004, cardNo: silent.cardNo, cardCounter: 1, amountFen: 100, balanceAfterFen: 900, at: '2026-11-01T01:00:00.000Z' }),
    ]);
    const res = await get('/admin/transit/reconciliation?staleDays=7', operatorToken);
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { cardId: string; reasons: string[]; differenceFen: number; missingCounters: number }[] }).items;
    const byCard = new Map(items.map((i) => [i.cardId, i]));
    expect(byCard.has(good.id)).toBe(false);
    expect(byCard.get(differs.id)).toMatchObject({ reasons: ['BALANCE_DIFFERS'], differenceFen: -1000 });
    expect(byCard.get(gappy.id)?.reasons).toContain('COUNTER_GAPS');
    expect(byCard.get(gappy.id)?.missingCounters).toBe(1);
    expect(byCard.get(silent.id)?.reasons).toEqual(['TAPS_STOPPED']);

    const { studentToken } = await driver.family();
    expect((await get('/admin/transit/reconciliation', studentToken)).statusCode).toBe(403);
  });

  it('lists terminals with their acknowledged seq and last upload', async () => {
    const fresh = await newTerminal(t, operatorToken);
    const res = await get('/admin/terminals', operatorToken);
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { id: string; ackSeq: number; lastUploadAt: string | null; settledTaps: number }[] }).items;
    const busy = items.find((i) => i.id === terminal.id);
    expect(busy?.lastUploadAt).not.toBeNull();
    expect(busy?.settledTaps).toBeGreaterThanOrEqual(9);
    expect(items.find((i) => i.id === fresh.id)).toMatchObject({ ackSeq: 0, lastUploadAt: null, settledTaps: 0 });
  });
});
