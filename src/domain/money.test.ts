import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assertFen, formatYuan, parseYuanToFen } from './money.js';

describe('formatYuan', () => {
  it.each([
    [1500, '¥15.00'],
    [1550, '¥15.50'],
    [5, '¥0.05'],
    [0, '¥0.00'],
    [-150, '-¥1.50'],
    [-1, '-¥0.01'],
    [123456789, '¥1234567.89'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('refuses %d', (fen) => {
    expect(() => formatYuan(fen)).toThrow(expect.objectContaining({ code: 'AMOUNT_INVALID' }));
  });
});

describe('parseYuanToFen', () => {
  it.each([
    ['15', 1500],
    ['15.5', 1550],
    ['15.50', 1550],
    ['15.05', 1505],
    ['0', 0],
    ['0.01', 1],
    ['¥15.50', 1550],
    ['￥200', 20000],
    [' 15 ', 1500],
  ])('%j → %d fen', (s, fen) => {
    expect(parseYuanToFen(s)).toBe(fen);
  });

  it.each(['', ' ', '15.505', '-1', '-¥1.50', '015', '.5', '15.', '1,000', '1e3', 'abc', '15 .5', '¥', '¥-1', '100000000000000'])(
    'rejects %j with AMOUNT_FORMAT',
    (s) => {
      expect(() => parseYuanToFen(s)).toThrow(expect.objectContaining({ code: 'AMOUNT_FORMAT' }));
    },
  );

  it('accepts the largest safe amount and rejects one fen more', () => {
    expect(parseYuanToFen('90071992547409.91')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseYuanToFen('90071992547409.92')).toThrow(expect.objectContaining({ code: 'AMOUNT_FORMAT' }));
  });

  it('property: parse(format(x)) round-trips every safe non-negative amount', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (fen) => parseYuanToFen(formatYuan(fen)) === fen));
    fc.assert(fc.property(fc.nat({ max: 10_000_000 }), (fen) => parseYuanToFen(formatYuan(fen)) === fen));
  });
});

describe('assertFen', () => {
  it('passes safe non-negative integers', () => {
    expect(() => assertFen(0)).not.toThrow();
    expect(() => assertFen(Number.MAX_SAFE_INTEGER)).not.toThrow();
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '100', null, undefined])('refuses %j', (n) => {
    expect(() => assertFen(n)).toThrow(expect.objectContaining({ code: 'AMOUNT_INVALID' }));
  });
});
