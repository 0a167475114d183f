import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCardNo, cardNumberKind, generateCardNo, hasValidCheckDigit, luhnCheckDigit } from './card-numbers.js';
import { isDomainError } from './errors.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return isDomainError(e) ? e.code : 'OTHER';
  }
};

describe('card numbers', () => {
  it('computes the Luhn digit of a known number', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example 79927398713
    expect(hasValidCheckDigit('79927398713')).toBe(true);
    expect(hasValidCheckDigit('79927398710')).toBe(false);
  });

  it('generates numbers of each kind that validate and are recognised', () => {
    for (const kind of ['beijing_tong', 'yikatong', 'interoperable'] as const) {
      const no = generateCardNo(kind);
      expect(cardNumberKind(no)).toBe(kind);
      expect(assertCardNo(no)).toBe(kind);
    }
    expect(generateCardNo('beijing_tong')).toHaveLength(11);
    expect(generateCardNo('yikatong')).toHaveLength(16);
  });

  it('rejects malformed numbers and bad check digits with distinct codes', () => {
    expect(codeOf(() => assertCardNo('12ab'))).toBe('CARD_NO_FORMAT');
    expect(codeOf(() => assertCardNo('4200000021'))).toBe('CARD_NO_FORMAT');
    const good = generateCardNo('beijing_tong');
    const bad = good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
    expect(codeOf(() => assertCardNo(bad))).toBe('CARD_NO_CHECK_DIGIT');
    expect(codeOf(() => assertCardNo(generateCardNo('yikatong'), 'beijing_tong'))).toBe('CARD_NO_FORMAT');
  });

  it('catches every single-digit typo and every swap of two different neighbours', () => {
    fc.assert(
      fc.property(fc.constantFrom('beijing_tong', 'yikatong', 'interoperable' as const), fc.nat(), fc.integer({ min: 1, max: 9 }), (kind, pos, delta) => {
        const no = generateCardNo(kind);
        const i = 2 + (pos % (no.length - 2));
        const typo = no.slice(0, i) + String((Number(no[i]) + delta) % 10) + no.slice(i + 1);
        expect(hasValidCheckDigit(typo)).toBe(false);
        const j = 2 + (pos % (no.length - 3));
        if (no[j] !== no[j + 1] && !(`${no[j]}${no[j + 1]}` === '09' || `${no[j]}${no[j + 1]}` === '90')) {
          const swapped = no.slice(0, j) + no[j + 1] + no[j] + no.slice(j + 2);
          expect(hasValidCheckDigit(swapped)).toBe(false);
        }
      }),
    );
  });
});
