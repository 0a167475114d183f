import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCardStatus } from '../../src/modules/cards/card-status.js';
import { accountCodes, checkLedger } from '../../src/modules/ledger/ledger.js';
import { operatorSlug, transitSuspenseCode } from '../../src/modules/transit/settle-batch.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { accountBalance, newFundedCard, newTerminal, purseBalance, signedTap, upload, uploadOk, type TapInput, type TestTerminal } from './transit-support.js';

let t: TestApp;
let operatorToken: string;
let masterKey: string;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
  operatorToken = await t.factory.operatorToken();
  masterKey = t.ctx.config.secrets.cardMasterKey;
});
afterAll(async () => t.close());

const tap = (terminal: TestTerminal, input: TapInput) => signedTap(masterKey, terminal.code, input);
const revenue = (operator = 'bjbus') => accountBalance(t, accountCodes.fareRevenue(operatorSlug(operator)));
const auditRows = (action: string) => t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', action).execute();

describe('POST /terminals/{terminalId}/batches', () => {
  it('settles taps purse → operator fare revenue, stores the fare breakdown, and a re-upload changes nothing', async () => {
    const terminal = await newTerminal(t, operatorToken, 'bjbus-a');
    const { card } = await newFundedCard(t, 1000);
    const records = [
      tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 950 }),
      tap(terminal, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 850, at: '2026-11-23T01:10:00.000Z' }),
    ];
    const auditsBefore = (await auditRows('transit.batch.settled')).length;
    const first = await uploadOk(t, terminal, records);
    expect(first).toEqual({ ackSeq: 2, accepted: 2, duplicates: 0, rejected: [], flagged: [] });
    expect(await purseBalance(t, card.id)).toBe(850);
    expect(await revenue('bjbus-a')).toBe(150);
    expect((await auditRows('transit.batch.settled')).length).toBe(auditsBefore + 1);

    const stored = await t.ctx.db.selectFrom('transit_taps').selectAll().where('terminal_id', '=', terminal.id).orderBy('seq').execute();
    expect(stored.map((s) => [s.seq, s.outcome, s.amount_fen])).toEqual([[1, 'settled', 50], [2, 'settled', 100]]);
    expect(stored[0]).toMatchObject({ fare_mode: 'bus', fare_rule: 'BUS_STUDENT', fare_fen: 50, fare_full_fen: 200 });

    const again = await uploadOk(t, terminal, records);
    expect(again).toEqual({ ackSeq: 2, accepted: 0, duplicates: 2, rejected: [], flagged: [] });
    expect(await purseBalance(t, card.id)).toBe(850);
    expect(await revenue('bjbus-a')).toBe(150);

    // A record repeated inside one upload is settled once.
    const third = tap(terminal, { seq: 3, cardNo: card.card_no, cardCounter: 3, amountFen: 10, balanceAfterFen: 840 });
    expect(await uploadOk(t, terminal, [third, third])).toMatchObject({ ackSeq: 3, accepted: 1, duplicates: 1 });
    expect(await purseBalance(t, card.id)).toBe(840);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('rejects a record whose TAC does not verify, and one of an unknown card; both are acknowledged and nothing is settled', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 500);
    const forged = { ...tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 450 }), amountFen: 5 };
    const otherTerminalsTac = signedTap(masterKey, 'SOME-OTHER-CODE', { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 50, balanceAfterFen: 400 });
    const unknown = tap(terminal, { seq: 3, cardNo: '32000000000', cardCounter: 1, amountFen: 50, balanceAfterFen: 450 });
    const result = await uploadOk(t, terminal, [forged, otherTerminalsTac, unknown]);
    expect(result).toEqual({
      ackSeq: 3, accepted: 0, duplicates: 0, flagged: [],
      rejected: [{ seq: 1, code: 'TAC_INVALID' }, { seq: 2, code: 'TAC_INVALID' }, { seq: 3, code: 'CARD_UNKNOWN' }],
    });
    expect(await purseBalance(t, card.id)).toBe(500);
    // Re-sending a rejected seq is a duplicate, not a second judgement.
    expect(await uploadOk(t, terminal, [tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 50, balanceAfterFen: 450 })])).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('rejects a replayed card counter (from any terminal) and flags a counter gap but settles it', async () => {
    const a = await newTerminal(t, operatorToken);
    const b = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    await uploadOk(t, a, [tap(a, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 })]);
    const replay = await uploadOk(t, b, [tap(b, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 })]);
    expect(replay).toMatchObject({ ackSeq: 1, accepted: 0, rejected: [{ seq: 1, code: 'COUNTER_REPLAY' }] });
    // Inside one batch too.
    const twice = await uploadOk(t, b, [
      tap(b, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 800 }),
      tap(b, { seq: 3, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 800 }),
    ]);
    expect(twice).toMatchObject({ accepted: 1, rejected: [{ seq: 3, code: 'COUNTER_REPLAY' }] });
    expect(await purseBalance(t, card.id)).toBe(800);

    const gap = await uploadOk(t, a, [tap(a, { seq: 2, cardNo: card.card_no, cardCounter: 5, amountFen: 100, balanceAfterFen: 500 })]);
    expect(gap).toMatchObject({ accepted: 1, rejected: [], flagged: [{ seq: 2, code: 'COUNTER_GAP' }] });
    expect(await purseBalance(t, card.id)).toBe(700);
    // The late taps of the gap still settle (out of order is not a replay), without a gap flag.
    const late = await uploadOk(t, b, [tap(b, { seq: 4, cardNo: card.card_no, cardCounter: 3, amountFen: 100, balanceAfterFen: 700 })]);
    expect(late).toMatchObject({ accepted: 1, rejected: [], flagged: [] });
  });

  it('settles and flags AFTER_DENY a tap made after the card was reported lost; taps before the loss are not flagged', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    t.clock.set(new Date('2026-11-23T03:00:00Z'));
    await changeCardStatus(t.ctx.db, t.ctx.clock, { cardId: card.id, event: 'report_loss', reason: 'test', actor: systemActor, requestId: null });
    const result = await uploadOk(t, terminal, [
      tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900, at: '2026-11-23T02:59:00.000Z' }),
      tap(terminal, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 800, at: '2026-11-23T03:05:00.000Z' }),
    ]);
    expect(result).toEqual({ ackSeq: 2, accepted: 2, duplicates: 0, rejected: [], flagged: [{ seq: 2, code: 'AFTER_DENY' }] });
    expect(await purseBalance(t, card.id)).toBe(800);
    t.clock.set(new Date('2026-11-23T02:00:00Z'));
  });

  it('settles a tap the shadow purse cannot cover: the purse stops at its floor, the rest goes to suspense, flagged; the ledger stays clean', async () => {
    const terminal = await newTerminal(t, operatorToken, 'bjbus-s');
    const { card } = await newFundedCard(t, 120);
    const suspenseBefore = await accountBalance(t, transitSuspenseCode);
    const result = await uploadOk(t, terminal, [
      tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 400 }),
      tap(terminal, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 300 }),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.flagged).toEqual([{ seq: 2, code: 'BALANCE_MISMATCH' }]);
    expect(await purseBalance(t, card.id)).toBe(0);
    expect(await revenue('bjbus-s')).toBe(200);
    expect(await accountBalance(t, transitSuspenseCode)).toBe(suspenseBefore - 80);
    const taps = await t.ctx.db.selectFrom('transit_taps').select(['seq', 'shortfall_fen']).where('terminal_id', '=', terminal.id).orderBy('seq').execute();
    expect(taps).toEqual([{ seq: 1, shortfall_fen: 0 }, { seq: 2, shortfall_fen: 80 }]);
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
  });

  it('flags BALANCE_MISMATCH when the reported balance does not follow from the previous tap', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    const result = await uploadOk(t, terminal, [
      tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 }),
      tap(terminal, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 850 }),
    ]);
    expect(result.flagged).toEqual([{ seq: 2, code: 'BALANCE_MISMATCH' }]);
  });

  it('acknowledges the highest contiguous seq: a hole holds the ack back until it is filled', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 10_000);
    const mk = (seq: number) => tap(terminal, { seq, cardNo: card.card_no, cardCounter: seq, amountFen: 10, balanceAfterFen: 10_000 - 10 * seq });
    expect((await uploadOk(t, terminal, [mk(1), mk(2), mk(4), mk(5)])).ackSeq).toBe(2);
    expect((await uploadOk(t, terminal, [mk(6)])).ackSeq).toBe(2);
    expect((await uploadOk(t, terminal, [mk(3)])).ackSeq).toBe(6);
    expect(await purseBalance(t, card.id)).toBe(10_000 - 60);
  });

  it('lets a terminal upload only for itself; other roles and no token are refused', async () => {
    const mine = await newTerminal(t, operatorToken);
    const other = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    const record = tap(other, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 });
    const res = await upload(t, other, [record], mine);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('TERMINAL_NOT_YOURS');
    const asOperator = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${other.id}/batches`, headers: { authorization: `Bearer ${operatorToken}` }, payload: { batchId: crypto.randomUUID(), records: [record] } });
    expect(asOperator.statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${other.id}/batches`, payload: { batchId: crypto.randomUUID(), records: [record] } });
    expect(anonymous.statusCode).toBe(401);
    expect(await purseBalance(t, card.id)).toBe(1000);
  });

  it('takes a large batch (beyond the default 1 MB body limit) in one upload', async () => {
    const terminal = await newTerminal(t, operatorToken, 'bjbus-big');
    const cards = await Promise.all(Array.from({ length: 20 }, () => newFundedCard(t, 100_000)));
    const counters = cards.map(() => 0);
    const records = Array.from({ length: 4000 }, (_, i) => {
      const c = i % cards.length;
      const counter = ++counters[c]!;
      return tap(terminal, { seq: i + 1, cardNo: cards[c]!.card.card_no, cardCounter: counter, amountFen: 10, balanceAfterFen: 100_000 - 10 * counter });
    });
    expect(JSON.stringify(records).length).toBeGreaterThan(1024 * 1024);
    const result = await uploadOk(t, terminal, records);
    expect(result).toEqual({ ackSeq: 4000, accepted: 4000, duplicates: 0, rejected: [], flagged: [] });
    expect(await revenue('bjbus-big')).toBe(40_000);
    expect(await purseBalance(t, cards[0]!.card.id)).toBe(100_000 - 2000);
  });

  it('answers a malformed batch with 400 and writes nothing', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const res = await upload(t, terminal, [{ seq: 0, cardNo: 'x' } as never]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await t.ctx.db.selectFrom('transit_taps').select('seq').where('terminal_id', '=', terminal.id).execute()).toEqual([]);
  });

  it('refuses control characters in a card number, a station or an action id with 400', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    const good = tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 });
    const railFare = { mode: 'rail' as const, category: 'student' as const, fullFareFen: 400, fareFen: 100, rule: 'RAIL_CARD' as const, entryStation: '西直门', exitStation: '五道口' };
    const bad = [
      { ...good, cardNo: `${card.card_no}\t1` },
      { ...good, fare: { ...railFare, entryStation: '西直门\n' } },
      { ...good, appliedActionIds: ['a\u001fb'] },
    ];
    for (const record of bad) {
      const res = await upload(t, terminal, [record]);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await t.ctx.db.selectFrom('transit_taps').select('seq').where('terminal_id', '=', terminal.id).execute()).toEqual([]);
    // The same tap with printable text settles, stations included.
    const rail = tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 });
    expect((await uploadOk(t, terminal, [{ ...rail, fare: railFare }])).accepted).toBe(1);
    const stored = await t.ctx.db.selectFrom('transit_taps').select(['fare_entry_station', 'fare_exit_station']).where('terminal_id', '=', terminal.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ fare_entry_station: '西直门', fare_exit_station: '五道口' });
  });

  it('confirms applied action-list entries and checks the balance with the top-up included', async () => {
    const terminal = await newTerminal(t, operatorToken);
    const { card } = await newFundedCard(t, 1000);
    const { enqueueCardAction } = await import('../../src/modules/transit/action-list.js');
    const action = await t.ctx.db.transaction().execute((tx) => enqueueCardAction(tx, t.ctx.clock, { cardId: card.id, kind: 'top_up', amountFen: 500, source: `test:${card.id}` }));
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/terminals/${terminal.id}/actions`, headers: { authorization: `Bearer ${terminal.token}` } });
    expect(listed.json().actions).toContainEqual({ id: action.id, cardNo: card.card_no, kind: 'top_up', amountFen: 500 });
    // First tap: the card had 500 on it, gets the 500 top-up, pays 100.
    await uploadOk(t, terminal, [tap(terminal, { seq: 1, cardNo: card.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 900 })]);
    const second = await uploadOk(t, terminal, [tap(terminal, { seq: 2, cardNo: card.card_no, cardCounter: 2, amountFen: 100, balanceAfterFen: 1300, appliedActionIds: [action.id] })]);
    expect(second.flagged).toEqual([]);
    const row = await t.ctx.db.selectFrom('transit_card_actions').selectAll().where('id', '=', action.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ applied_terminal_id: terminal.id, applied_seq: 2 });
    const after = await t.app.inject({ method: 'GET', url: `/api/v1/terminals/${terminal.id}/actions`, headers: { authorization: `Bearer ${terminal.token}` } });
    expect(after.json().actions.map((a: { id: string }) => a.id)).not.toContain(action.id);
  });
});
