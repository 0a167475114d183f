import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shanghaiDate } from '../../src/domain/calendar.js';
import { deriveCardKey, verifyTac } from '../../src/domain/transit-crypto.js';
import { tapRecordSchema } from '../../src/modules/transit/protocol.js';
import { CardError, MAX_ACTIONS_PER_TAP, shanghaiDay, shanghaiMonth, SimulatedCard } from '../../terminal/card-simulator.js';

const MASTER = 'unit-master-key-'.padEnd(40, 'k');
const railFare = { mode: 'rail' as const, category: 'student' as const, distanceKm: 10, fullFareFen: 400, fareFen: 400, rule: 'RAIL_CARD' as const };

describe('the Beijing calendar day on the tap path', () => {
  it('matches the domain shanghaiDate for any instant (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(shanghaiDay(d)).toBe(shanghaiDate(d));
      }),
    );
    expect(shanghaiDay(new Date('2026-10-31T16:00:00Z'))).toBe('2026-11-01');
    expect(shanghaiMonth(new Date('2026-10-31T15:59:59Z'))).toBe('2026-10');
  });
});

describe('SimulatedCard', () => {
  it('debits with a TAC the issuer can verify, and steps the counter', () => {
    const card = new SimulatedCard(MASTER, { cardNo: '20000001', balanceFen: 1000, counter: 4 });
    const record = card.debit({ terminalCode: 'BUS-1', seq: 9, kind: 'bus', amountFen: 50, at: new Date('2026-11-23T01:00:00Z'), fare: null });
    expect(tapRecordSchema.parse(record)).toEqual(record);
    expect(record).toMatchObject({ seq: 9, cardNo: '20000001', cardCounter: 5, amountFen: 50, balanceAfterFen: 950, at: '2026-11-23T01:00:00.000Z' });
    expect(card.balanceFen).toBe(950);
    const key = deriveCardKey(MASTER, '20000001');
    const fields = { terminalCode: 'BUS-1', cardNo: record.cardNo, cardCounter: record.cardCounter, amountFen: record.amountFen, balanceAfterFen: record.balanceAfterFen, at: record.at };
    expect(verifyTac(key, fields, record.tac)).toBe(true);
    expect(verifyTac(key, { ...fields, amountFen: 5 }, record.tac)).toBe(false);
    expect(verifyTac(deriveCardKey(`${MASTER}x`, '20000001'), fields, record.tac)).toBe(false);
  });

  it('refuses to go below zero and leaves the card untouched', () => {
    const card = new SimulatedCard(MASTER, { cardNo: '20000002', balanceFen: 40 });
    expect(() => card.debit({ terminalCode: 'T', seq: 1, kind: 'bus', amountFen: 50, at: new Date(), fare: null })).toThrow(CardError);
    expect(card.state()).toMatchObject({ balanceFen: 40, counter: 0 });
  });

  it('keeps the rail month spend per Beijing calendar month', () => {
    const card = new SimulatedCard(MASTER, { cardNo: '20000003', balanceFen: 10_000 });
    card.debit({ terminalCode: 'G', seq: 1, kind: 'rail_exit', amountFen: 400, at: new Date('2026-10-31T15:00:00Z'), fare: railFare });
    expect(card.railMonthSpentFen(new Date('2026-10-31T15:30:00Z'))).toBe(400);
    // 16:00Z on 31 October is midnight on 1 November in Beijing: a new month.
    expect(card.railMonthSpentFen(new Date('2026-10-31T16:00:00Z'))).toBe(0);
    card.debit({ terminalCode: 'G', seq: 2, kind: 'rail_exit', amountFen: 400, at: new Date('2026-10-31T16:10:00Z'), fare: railFare });
    expect(card.state()).toMatchObject({ railMonth: '2026-11', railMonthSpentFen: 400 });
    // Bus rides do not count.
    card.debit({ terminalCode: 'B', seq: 3, kind: 'bus', amountFen: 100, at: new Date('2026-11-02T01:00:00Z'), fare: { ...railFare, mode: 'bus', rule: 'BUS_STUDENT' } });
    expect(card.railMonthSpentFen(new Date('2026-11-02T02:00:00Z'))).toBe(400);
  });

  it('writes each action once: top-up raises the balance, extend only moves validity later', () => {
    const card = new SimulatedCard(MASTER, { cardNo: '20000004', balanceFen: 100, validUntil: '2026-09-30' });
    const actions = [
      { id: 'a1', cardNo: '20000004', kind: 'top_up' as const, amountFen: 5000 },
      { id: 'a2', cardNo: '20000004', kind: 'extend' as const, validUntil: '2027-09-30' },
      { id: 'a3', cardNo: '20000004', kind: 'extend' as const, validUntil: '2026-01-01' },
      { id: 'x', cardNo: 'someone-else', kind: 'top_up' as const, amountFen: 100 },
    ];
    expect(card.applyActions(actions)).toEqual(['a1', 'a2', 'a3']);
    expect(card.state()).toMatchObject({ balanceFen: 5100, validUntil: '2027-09-30' });
    expect(card.applyActions(actions)).toEqual([]);
    expect(card.balanceFen).toBe(5100);
    const many = Array.from({ length: MAX_ACTIONS_PER_TAP + 5 }, (_, i) => ({ id: `m${i}`, cardNo: '20000004', kind: 'top_up' as const, amountFen: 1 }));
    expect(card.applyActions(many)).toHaveLength(MAX_ACTIONS_PER_TAP);
    expect(card.applyActions(many)).toHaveLength(5);
  });
});
