import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DomainError } from './errors.js';
import { idNumberCheckDigit, makeIdNumber, normaliseIdNumber, validateIdNumber, MAX_ID_SEQUENCE } from './id-number.js';

const TODAY = '2026-06-01';

const areaCodeArb = fc
  .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 99_999 }))
  .map(([first, rest]) => `${first}${String(rest).padStart(5, '0')}`);
const birthDateArb = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-05-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const specArb = fc.record({
  areaCode: areaCodeArb,
  birthDate: birthDateArb,
  sequence: fc.integer({ min: 0, max: MAX_ID_SEQUENCE }),
  gender: fc.constantFrom('M' as const, 'F' as const),
});

describe('idNumberCheckDigit', () => {
  it('matches the worked examples of GB 11643-1999', () => {
    // Both examples are printed in the standard with their check characters.
    expect(idNumberCheckDigit('11010519491231002')).toBe('X');
    expect(idNumberCheckDigit('44052418800101001')).toBe('4');
  });

  it('refuses anything but 17 digits', () => {
    expect(() => idNumberCheckDigit('1101051949123100')).toThrow(DomainError);
    expect(() => idNumberCheckDigit('1101051949123100A')).toThrow(DomainError);
  });
});

describe('validateIdNumber', () => {
  it('accepts a valid number and reads birth date, gender and area code', () => {
    expect(validateIdNumber('11010519491231002X', TODAY)).toEqual({
      ok: true,
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'F',
      areaCode: '110105',
    });
  });

  it('reads an odd 17th digit as male', () => {
    const id = makeIdNumber({ areaCode: '110105', birthDate: '2010-01-01', sequence: 61, gender: 'M' });
    expect(id.slice(14, 17)).toBe('123');
    const result = validateIdNumber(id, TODAY);
    expect(result.ok && result.gender).toBe('M');
  });

  it('accepts a lower-case x and surrounding spaces, and returns the number normalised', () => {
    const result = validateIdNumber(' 11010519491231002x ', TODAY);
    expect(result.ok && result.idNumber).toBe('11010519491231002X');
    expect(normaliseIdNumber(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  it.each([
    ['too short', '11010519491231002'],
    ['too long', '11010519491231002X1'],
    ['letter inside', '1101051949123100AX'],
    ['X not last', '1101051949123100X2'],
    ['area starts with 0', '01010519491231002X'],
    ['area starts with 9', '91010519491231002X'],
    ['empty', ''],
  ])('rejects the format when %s', (_label, id) => {
    expect(validateIdNumber(id, TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_FORMAT' });
  });

  it('rejects an impossible calendar date even with a correct check digit', () => {
    const first17 = '11010520260230001'; // 30 February
    expect(validateIdNumber(first17 + idNumberCheckDigit(first17), TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_BIRTH_DATE' });
  });

  it('rejects a birth date before 1900 (the standard example born 1880)', () => {
    expect(validateIdNumber('440524188001010014', TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_BIRTH_DATE' });
  });

  it('rejects a birth date after today but accepts one born today', () => {
    const tomorrow = makeIdNumber({ areaCode: '110105', birthDate: '2026-06-02', sequence: 1, gender: 'F' });
    const today = makeIdNumber({ areaCode: '110105', birthDate: '2026-06-01', sequence: 1, gender: 'F' });
    expect(validateIdNumber(tomorrow, TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_BIRTH_DATE' });
    expect(validateIdNumber(today, TODAY).ok).toBe(true);
  });

  it('rejects a wrong check character', () => {
    expect(validateIdNumber('110105194912310021', TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_CHECKSUM' });
  });

  it('uses the current Beijing date when no today is given', () => {
    expect(validateIdNumber('11010519491231002X').ok).toBe(true);
    const future = makeIdNumber({ areaCode: '110105', birthDate: '2999-01-01', sequence: 0, gender: 'F' });
    expect(validateIdNumber(future)).toEqual({ ok: false, code: 'ID_NUMBER_BIRTH_DATE' });
  });
});

describe('makeIdNumber', () => {
  it('gives distinct numbers for every (sequence, gender) pair', () => {
    const ids = new Set<string>();
    for (let sequence = 0; sequence <= MAX_ID_SEQUENCE; sequence++) {
      for (const gender of ['M', 'F'] as const) ids.add(makeIdNumber({ areaCode: '110108', birthDate: '2012-09-01', sequence, gender }));
    }
    expect(ids.size).toBe(2 * (MAX_ID_SEQUENCE + 1));
  });

  it.each([
    { areaCode: '010105', birthDate: '2010-01-01', sequence: 0, gender: 'M' as const },
    { areaCode: '11010', birthDate: '2010-01-01', sequence: 0, gender: 'M' as const },
    { areaCode: '110105', birthDate: '2010-02-30', sequence: 0, gender: 'M' as const },
    { areaCode: '110105', birthDate: '1899-12-31', sequence: 0, gender: 'M' as const },
    { areaCode: '110105', birthDate: '2010-01-01', sequence: 500, gender: 'M' as const },
    { areaCode: '110105', birthDate: '2010-01-01', sequence: -1, gender: 'M' as const },
    { areaCode: '110105', birthDate: '2010-01-01', sequence: 1.5, gender: 'M' as const },
  ])('refuses an invalid spec %j', (spec) => {
    expect(() => makeIdNumber(spec)).toThrow(expect.objectContaining({ code: 'ID_NUMBER_FORMAT' }));
  });
});

describe('ID number properties', () => {
  it('every made number validates and round-trips its parts', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const result = validateIdNumber(makeIdNumber(spec), TODAY);
        expect(result).toMatchObject({ ok: true, birthDate: spec.birthDate, gender: spec.gender, areaCode: spec.areaCode });
      }),
    );
  });

  it('changing any single character of a valid number makes it invalid (MOD 11-2 catches every substitution)', () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...'0123456789X'), (spec, position, replacement) => {
        const id = makeIdNumber(spec);
        fc.pre(id[position] !== replacement);
        const changed = id.slice(0, position) + replacement + id.slice(position + 1);
        expect(validateIdNumber(changed, TODAY).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('changing only the check character is reported as a checksum error', () => {
    fc.assert(
      fc.property(specArb, fc.constantFrom(...'0123456789X'), (spec, replacement) => {
        const id = makeIdNumber(spec);
        fc.pre(id[17] !== replacement);
        expect(validateIdNumber(id.slice(0, 17) + replacement, TODAY)).toEqual({ ok: false, code: 'ID_NUMBER_CHECKSUM' });
      }),
    );
  });

  it('the embedded birth date round-trips through the number', () => {
    fc.assert(
      fc.property(birthDateArb, (birthDate) => {
        const id = makeIdNumber({ areaCode: '110105', birthDate, sequence: 7, gender: 'F' });
        expect(id.slice(6, 14)).toBe(birthDate.replaceAll('-', ''));
        const result = validateIdNumber(id, TODAY);
        expect(result.ok && result.birthDate).toBe(birthDate);
      }),
    );
  });
});
