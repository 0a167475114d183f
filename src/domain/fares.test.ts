import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyRatePercent,
  FARE_TABLES,
  fareTableFor,
  fullFareFen,
  quoteFare,
  railFareWithMonthlyDiscount,
  type BusLineType,
  type FareTable,
  type RiderCategory,
} from './fares.js';

const DATE = '2026-10-12';
const table = fareTableFor(DATE);
const bus = (distanceKm: number, category: RiderCategory = 'cash', lineType: BusLineType = 'ordinary') =>
  quoteFare({ mode: 'bus', distanceKm, category, lineType, date: DATE });
const rail = (distanceKm: number, category: RiderCategory = 'ordinary', monthSpentFen = 0) =>
  quoteFare({ mode: 'rail', distanceKm, category, monthSpentFen, date: DATE });

const distanceArb = fc.double({ min: 0, max: 500, noNaN: true });
const categoryArb = fc.constantFrom<RiderCategory>('student', 'ordinary', 'cash');
const lineTypeArb = fc.constantFrom<BusLineType>('ordinary', 'tourist', 'express', 'customised');

describe('fare tables', () => {
  it('apply from 28 December 2014 and not before', () => {
    expect(fareTableFor('2014-12-28').effectiveFrom).toBe('2014-12-28');
    expect(() => fareTableFor('2014-12-27')).toThrow(expect.objectContaining({ code: 'FARE_TABLE_MISSING' }));
    expect(() => quoteFare({ mode: 'bus', distanceKm: 5, category: 'cash', date: '2010-01-01' })).toThrow(
      expect.objectContaining({ code: 'FARE_TABLE_MISSING' }),
    );
  });

  it('pick the latest table in force on the date', () => {
    const base = FARE_TABLES[0]!;
    const future: FareTable = { ...base, effectiveFrom: '2030-01-01', bus: { ...base.bus, baseFareFen: 300 } };
    const tables = [future, base]; // order in the list does not matter
    expect(fareTableFor('2029-12-31', tables)).toBe(base);
    expect(fareTableFor('2030-01-01', tables)).toBe(future);
    expect(fullFareFen('bus', 10, fareTableFor('2030-06-01', tables))).toBe(300);
  });

  it('refuse a malformed date', () => {
    expect(() => fareTableFor('2026-02-30')).toThrow(expect.objectContaining({ code: 'DATE_FORMAT' }));
  });

  it('are frozen data', () => {
    expect(() => {
      (FARE_TABLES[0]!.bus as { baseFareFen: number }).baseFareFen = 1;
    }).toThrow(TypeError);
    expect(FARE_TABLES[0]!.bus.baseFareFen).toBe(200);
  });
});

describe('bus fares', () => {
  it.each([
    [0, 200],
    [10, 200],
    [10.001, 300],
    [15, 300],
    [15.1, 400],
    [20, 400],
    [20.001, 500],
    [45, 900],
  ])('%d km → %d fen full fare', (km, fen) => {
    expect(bus(km).fullFareFen).toBe(fen);
    expect(bus(km).fareFen).toBe(fen); // cash pays the full fare
  });

  it('a student card pays 25 % on ordinary lines, an ordinary card 50 %, cash 100 %', () => {
    expect(bus(15.1, 'student')).toMatchObject({ fareFen: 100, fullFareFen: 400, ratePercent: 25, rule: 'BUS_STUDENT' });
    expect(bus(15.1, 'ordinary')).toMatchObject({ fareFen: 200, ratePercent: 50, rule: 'BUS_ORDINARY_CARD' });
    expect(bus(15.1, 'cash')).toMatchObject({ fareFen: 400, ratePercent: 100, rule: 'BUS_CASH' });
    expect(bus(5, 'student').fareFen).toBe(50);
  });

  it.each(['tourist', 'express', 'customised'] as const)('a student on a %s line pays the ordinary card rate', (lineType) => {
    const quote = bus(15, 'student', lineType);
    expect(quote).toMatchObject({ fareFen: 150, fullFareFen: 300, ratePercent: 50, rule: 'BUS_STUDENT_LINE_EXCLUDED' });
    expect(quote.explanation.en).toContain('the student rate does not cover');
    expect(quote.explanation.zh).toContain('学生卡优惠不适用于');
  });

  it('explains the fare in Chinese and English', () => {
    expect(bus(15.1, 'student').explanation).toEqual({
      zh: '公交 15.1 公里，全程票价 ¥4.00；学生卡 2.5 折，本次 ¥1.00',
      en: 'Bus 15.1 km, full fare ¥4.00; student card at 25%: this ride ¥1.00',
    });
  });

  it('explains an excluded line and a cash fare exactly', () => {
    expect(bus(15, 'student', 'express').explanation).toEqual({
      zh: '公交 15 公里，全程票价 ¥3.00；学生卡优惠不适用于快速直达专线，按普通卡 5 折，本次 ¥1.50',
      en: 'Bus 15 km, full fare ¥3.00; the student rate does not cover express-direct lines: ordinary card rate 50%: this ride ¥1.50',
    });
    expect(bus(15, 'cash').explanation.zh).toBe('公交 15 公里，全程票价 ¥3.00；现金原价，本次 ¥3.00');
  });

  it('defaults to an ordinary line', () => {
    expect(quoteFare({ mode: 'bus', distanceKm: 5, category: 'student', date: DATE }).rule).toBe('BUS_STUDENT');
  });
});

describe('rail fares', () => {
  it.each([
    [0, 300],
    [6, 300],
    [6.001, 400],
    [12, 400],
    [12.001, 500],
    [22, 500],
    [22.001, 600],
    [32, 600],
    [32.001, 700],
    [52, 700],
    [52.001, 800],
    [72, 800],
  ])('%d km → %d fen', (km, fen) => {
    expect(rail(km).fullFareFen).toBe(fen);
    expect(rail(km).fareFen).toBe(fen);
  });

  it('has no student discount', () => {
    expect(rail(20, 'student')).toMatchObject({ fareFen: 500, rule: 'RAIL_CARD' });
    expect(rail(20, 'student', 15_000).fareFen).toBe(rail(20, 'ordinary', 15_000).fareFen);
  });

  it('cash (single-journey ticket) pays full fare whatever the month', () => {
    expect(rail(20, 'cash', 20_000)).toMatchObject({ fareFen: 500, fullFareFen: 500, ratePercent: 100, rule: 'RAIL_CASH' });
  });

  it('explains the monthly discount inside the quote', () => {
    expect(rail(20, 'ordinary', 15_200).explanation).toEqual({
      zh: '轨道 20 公里，全程票价 ¥5.00；本月轨道累计 ¥152.00，已满 150 元，本次 5 折，实付 ¥2.50',
      en: 'Rail 20 km, full fare ¥5.00; Rail spend this month ¥152.00, past ¥150: this ride at 50%: you pay ¥2.50',
    });
  });
});

describe('railFareWithMonthlyDiscount', () => {
  const ride = (monthSpentFen: number, fullFareFen = 500) => railFareWithMonthlyDiscount({ fullFareFen, monthSpentFen, date: DATE });

  it.each([
    [0, 500, 1, 0],
    [9_999, 500, 1, 0],
    [10_000, 400, 0.8, 1],
    [14_999, 400, 0.8, 1],
    [15_000, 250, 0.5, 2],
    [39_999, 250, 0.5, 2],
    [40_000, 500, 1, 3],
    [1_000_000, 500, 1, 3],
  ])('with %d fen spent before the ride, a ¥5 ride costs %d fen (rate %d, tier %d)', (spent, fare, rate, tier) => {
    expect(ride(spent)).toMatchObject({ fareFen: fare, rateApplied: rate, tier });
  });

  it('the ride that crosses a threshold pays the rate before it', () => {
    expect(ride(9_800).fareFen).toBe(500); // 98 + 5 crosses 100: still full fare
    expect(ride(10_300).fareFen).toBe(400); // the next ride gets 80 %
    expect(ride(14_900).fareFen).toBe(400); // crosses 150 at 80 %
    expect(ride(39_900).fareFen).toBe(250); // crosses 400 at 50 %
  });

  it('explains where the month stands, in both languages', () => {
    expect(ride(15_200).explanation).toEqual({
      zh: '本月轨道累计 ¥152.00，已满 150 元，本次 5 折',
      en: 'Rail spend this month ¥152.00, past ¥150: this ride at 50%',
    });
    expect(ride(5_200).explanation).toEqual({
      zh: '本月轨道累计 ¥52.00，未满 100 元，本次原价',
      en: 'Rail spend this month ¥52.00, below ¥100: this ride at full fare',
    });
    expect(ride(10_000).explanation.zh).toBe('本月轨道累计 ¥100.00，已满 100 元，本次 8 折');
    expect(ride(40_000).explanation).toEqual({
      zh: '本月轨道累计 ¥400.00，已满 400 元，本次恢复原价',
      en: 'Rail spend this month ¥400.00, past ¥400: this ride at full fare again',
    });
  });

  it('tells how far the next tier is', () => {
    expect(ride(5_200)).toMatchObject({ tierFromSpentFen: 0, nextTierFromSpentFen: 10_000 });
    expect(ride(40_000)).toMatchObject({ tierFromSpentFen: 40_000, nextTierFromSpentFen: null });
  });

  it('a month of ¥5 rides: 20 at full fare, 13 at 80 %, then 50 %', () => {
    let spent = 0;
    const fares: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { fareFen } = ride(spent);
      fares.push(fareFen);
      spent += fareFen;
    }
    expect(fares.slice(0, 20).every((f) => f === 500)).toBe(true);
    expect(fares.slice(20, 33).every((f) => f === 400)).toBe(true);
    expect(fares.slice(33).every((f) => f === 250)).toBe(true);
    expect(spent).toBe(20 * 500 + 13 * 400 + 27 * 250);
  });

  it('refuses negative or fractional amounts', () => {
    expect(() => ride(-1)).toThrow(expect.objectContaining({ code: 'AMOUNT_INVALID' }));
    expect(() => ride(0, 1.5)).toThrow(expect.objectContaining({ code: 'AMOUNT_INVALID' }));
  });
});

describe('distance validation', () => {
  it.each([-0.001, -1, Number.NaN, Number.POSITIVE_INFINITY, 500.001])('refuses %d km', (km) => {
    expect(() => bus(km)).toThrow(expect.objectContaining({ code: 'FARE_DISTANCE_INVALID' }));
    expect(() => rail(km)).toThrow(expect.objectContaining({ code: 'FARE_DISTANCE_INVALID' }));
  });

  it('refuses an unknown mode, category or line type instead of guessing', () => {
    const bad = [
      { mode: 'ferry', distanceKm: 5, category: 'cash' },
      { mode: 'bus', distanceKm: 5, category: 'senior' },
      { mode: 'bus', distanceKm: 5, category: 'student', lineType: 'night' },
    ] as unknown as Parameters<typeof quoteFare>[0][];
    for (const q of bad) expect(() => quoteFare({ ...q, date: DATE })).toThrow(expect.objectContaining({ code: 'FARE_QUERY_INVALID' }));
  });

  it('accepts 500 km, the longest distance allowed', () => {
    expect(bus(500).fullFareFen).toBe(200 + 98 * 100);
    expect(rail(500).fullFareFen).toBe(600 + 24 * 100);
  });

  it('resolves distances to the metre, so float noise does not add a step', () => {
    expect(bus(0.1 + 0.2 + 9.7).fullFareFen).toBe(200);
  });
});

describe('applyRatePercent', () => {
  it('rounds half up to whole fen', () => {
    expect(applyRatePercent(250, 25)).toBe(63); // 62.5
    expect(applyRatePercent(249, 25)).toBe(62); // 62.25
    expect(applyRatePercent(251, 50)).toBe(126); // 125.5
  });

  it('property: the result is the nearest whole fen, ties up', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer({ min: 0, max: 100 }), (fen, percent) => {
        const result = applyRatePercent(fen, percent);
        expect(Number.isInteger(result)).toBe(true);
        const exactTimes100 = fen * percent; // compare in hundredths to stay exact
        expect(result * 100 - exactTimes100).toBeGreaterThan(-50);
        expect(result * 100 - exactTimes100).toBeLessThanOrEqual(50);
      }),
    );
  });
});

describe('fare properties', () => {
  it('fares never decrease as the distance grows', () => {
    fc.assert(
      fc.property(distanceArb, distanceArb, categoryArb, lineTypeArb, fc.constantFrom('bus' as const, 'rail' as const), (a, b, category, lineType, mode) => {
        const [near, far] = a <= b ? [a, b] : [b, a];
        const q = (distanceKm: number) => quoteFare({ mode, distanceKm, category, lineType, monthSpentFen: 0, date: DATE });
        expect(q(near).fareFen).toBeLessThanOrEqual(q(far).fareFen);
        expect(q(near).fullFareFen).toBeLessThanOrEqual(q(far).fullFareFen);
      }),
    );
  });

  it('student ≤ ordinary ≤ cash, on every line and distance', () => {
    fc.assert(
      fc.property(distanceArb, lineTypeArb, fc.nat({ max: 60_000 }), (km, lineType, spent) => {
        const [s, o, c] = (['student', 'ordinary', 'cash'] as const).map((category) => bus(km, category, lineType).fareFen);
        expect(s).toBeLessThanOrEqual(o!);
        expect(o).toBeLessThanOrEqual(c!);
        const [rs, ro, rc] = (['student', 'ordinary', 'cash'] as const).map((category) => rail(km, category, spent).fareFen);
        expect(rs).toBeLessThanOrEqual(ro!);
        expect(ro).toBeLessThanOrEqual(rc!);
      }),
    );
  });

  it('every fare is a whole, non-negative number of fen no more than the full fare', () => {
    fc.assert(
      fc.property(distanceArb, categoryArb, lineTypeArb, fc.nat({ max: 60_000 }), fc.constantFrom('bus' as const, 'rail' as const), (km, category, lineType, spent, mode) => {
        const { fareFen, fullFareFen: full } = quoteFare({ mode, distanceKm: km, category, lineType, monthSpentFen: spent, date: DATE });
        expect(Number.isSafeInteger(fareFen)).toBe(true);
        expect(Number.isSafeInteger(full)).toBe(true);
        expect(fareFen).toBeGreaterThanOrEqual(0);
        expect(fareFen).toBeLessThanOrEqual(full);
      }),
    );
  });

  it('the monthly rate depends only on the spend before the ride, at the exact thresholds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.integer({ min: 1, max: 30 }).map((y) => y * 100), (spent, full) => {
        const expectedPercent = spent >= 40_000 ? 100 : spent >= 15_000 ? 50 : spent >= 10_000 ? 80 : 100;
        const result = railFareWithMonthlyDiscount({ fullFareFen: full, monthSpentFen: spent, date: DATE });
        expect(result.ratePercent).toBe(expectedPercent);
        expect(result.fareFen).toBe((full * expectedPercent) / 100);
      }),
    );
  });

  it('the table in force today matches the one quoted without a date', () => {
    expect(quoteFare({ mode: 'rail', distanceKm: 10, category: 'ordinary' }).fullFareFen).toBe(fullFareFen('rail', 10, table));
  });
});
