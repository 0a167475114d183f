import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assertEducationId, isEducationId } from './education-id.js';
import { DomainError } from './errors.js';

describe('education ID', () => {
  it('accepts exactly 8 ASCII digits, leading zeros included', () => {
    expect(isEducationId('12345678')).toBe(true);
    expect(isEducationId('00000001')).toBe(true);
  });

  it.each(['', '1234567', '123456789', '1234567a', ' 12345678', '12345678 ', '1234-5678', '１２３４５６７８'])(
    'rejects %j',
    (s) => {
      expect(isEducationId(s)).toBe(false);
    },
  );

  it('assertEducationId throws EDUCATION_ID_FORMAT on a bad ID and passes a good one', () => {
    expect(() => assertEducationId('12345678')).not.toThrow();
    let caught: unknown;
    try {
      assertEducationId('1234567');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('EDUCATION_ID_FORMAT');
  });

  it('property: every 8-digit string is accepted, every other length of digits is rejected', () => {
    const digitString = (min: number, max: number) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
    fc.assert(fc.property(digitString(8, 8), (s) => isEducationId(s)));
    fc.assert(fc.property(digitString(0, 20).filter((s) => s.length !== 8), (s) => !isEducationId(s)));
  });
});
