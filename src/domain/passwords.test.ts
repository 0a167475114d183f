import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DomainError } from './errors.js';
import {
  checkAccountPassword,
  checkQueryPassword,
  initialCampusPassword,
  initialStudentPassword,
  INITIAL_PARENT_PASSWORD,
} from './passwords.js';

/** Every forbidden triple written out, independently of the implementation's arithmetic. */
const REPEATS = new Set(Array.from({ length: 10 }, (_, d) => `${d}${d}${d}`));
const RUNS = new Set(
  Array.from({ length: 8 }, (_, d) => [`${d}${d + 1}${d + 2}`, `${d + 2}${d + 1}${d}`]).flat(),
);

/** Brute-force oracle: the first offending 3-window decides the code. */
function oracle(p: string): string | undefined {
  for (let i = 0; i + 3 <= p.length; i++) {
    const w = p.slice(i, i + 3);
    if (REPEATS.has(w)) return 'PASSWORD_REPEAT';
    if (RUNS.has(w)) return 'PASSWORD_RUN';
  }
  return undefined;
}

const sixDigits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }).map((d) => d.join(''));

describe('initial passwords', () => {
  it('student: the birth date as YYYYMMDD', () => {
    expect(initialStudentPassword('2010-01-01')).toBe('20100101');
    expect(() => initialStudentPassword('2010-02-30')).toThrow(DomainError);
    expect(() => initialStudentPassword('20100101')).toThrow(expect.objectContaining({ code: 'BIRTH_DATE_FORMAT' }));
  });

  it('campus: the last 6 digits of the ID number', () => {
    expect(initialCampusPassword('110105201001011234')).toBe('011234');
  });

  it('campus: a trailing X is dropped and the 6 digits before it are taken', () => {
    expect(initialCampusPassword('11010520100101123X')).toBe('101123');
    expect(initialCampusPassword('11010520100101123x')).toBe('101123');
  });

  it('campus: refuses a number without 6 digits to take', () => {
    expect(() => initialCampusPassword('12345X')).toThrow(expect.objectContaining({ code: 'ID_NUMBER_FORMAT' }));
    expect(() => initialCampusPassword('')).toThrow(DomainError);
  });
});

describe('checkQueryPassword', () => {
  it.each(['123456', '654321', '111111'])('rejects the seed examples %s', (p) => {
    expect(checkQueryPassword(p).ok).toBe(false);
  });

  it.each([
    ['123456', 'PASSWORD_RUN'],
    ['654321', 'PASSWORD_RUN'],
    ['111111', 'PASSWORD_REPEAT'],
    ['135777', 'PASSWORD_REPEAT'],
    ['135789', 'PASSWORD_RUN'],
    ['975431', 'PASSWORD_RUN'], // 543 descends
    ['222345', 'PASSWORD_REPEAT'], // the first offending window decides
    ['345222', 'PASSWORD_RUN'],
    ['890123', 'PASSWORD_RUN'], // 012 is a run; 890 and 901 are not
  ])('%s → %s', (p, code) => {
    expect(checkQueryPassword(p)).toEqual({ ok: false, code });
  });

  it.each(['135790', '975310', '112233', '890890', '098098', '121212', '135246'])('accepts %s (digits do not wrap, pairs are fine)', (p) => {
    expect(checkQueryPassword(p)).toEqual({ ok: true });
  });

  it.each(['', '13579', '1357902', '13579a', ' 135790', '１３５７９０', '13 579'])('rejects %j as PASSWORD_FORMAT', (p) => {
    expect(checkQueryPassword(p)).toEqual({ ok: false, code: 'PASSWORD_FORMAT' });
  });

  it('rejects keeping the initial password when it is given', () => {
    const initial = initialCampusPassword('11010520100101357X');
    expect(initial).toBe('101357');
    expect(checkQueryPassword(initial)).toEqual({ ok: true });
    expect(checkQueryPassword(initial, initial)).toEqual({ ok: false, code: 'PASSWORD_SAME_AS_INITIAL' });
    expect(checkQueryPassword('246802', initial)).toEqual({ ok: true });
  });

  it('property: any 6-digit string with no 3-run or repeat is accepted', () => {
    fc.assert(fc.property(sixDigits.filter((p) => oracle(p) === undefined), (p) => checkQueryPassword(p).ok));
  });

  it('property: rejects exactly when a 3-window is a run or repeat, with the oracle\'s code', () => {
    fc.assert(
      fc.property(sixDigits, (p) => {
        const expected = oracle(p);
        expect(checkQueryPassword(p)).toEqual(expected ? { ok: false, code: expected } : { ok: true });
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the oracle on all one million 6-digit strings', () => {
    let disagreements = 0;
    let accepted = 0;
    for (let n = 0; n < 1_000_000; n++) {
      const p = String(n).padStart(6, '0');
      const result = checkQueryPassword(p);
      const expected = oracle(p);
      if (result.ok) accepted++;
      if (result.ok !== (expected === undefined) || (!result.ok && result.code !== expected)) disagreements++;
    }
    expect(disagreements).toBe(0);
    // Most PINs remain available: the rule bans ~10 % of the space, not most of it.
    expect(accepted).toBeGreaterThan(850_000);
    expect(accepted).toBeLessThan(950_000);
  });
});

describe('checkAccountPassword', () => {
  it('accepts 8+ characters with a letter and a digit', () => {
    expect(checkAccountPassword('abc12345')).toEqual({ ok: true });
    expect(checkAccountPassword('密码密码密码密1')).toEqual({ ok: true });
  });

  it('enforces the 8 and 64 character bounds, counting code points', () => {
    expect(checkAccountPassword('abc1234')).toEqual({ ok: false, code: 'PASSWORD_TOO_SHORT' });
    expect(checkAccountPassword('a1' + 'x'.repeat(62))).toEqual({ ok: true });
    expect(checkAccountPassword('a1' + 'x'.repeat(63))).toEqual({ ok: false, code: 'PASSWORD_TOO_LONG' });
    // 7 code points are 12 UTF-16 units: still too short; 8 code points are enough.
    expect(checkAccountPassword('a1' + '😀'.repeat(5))).toEqual({ ok: false, code: 'PASSWORD_TOO_SHORT' });
    expect(checkAccountPassword('a1' + '😀'.repeat(6))).toEqual({ ok: true });
  });

  it('requires both a letter and a digit', () => {
    expect(checkAccountPassword('abcdefgh')).toEqual({ ok: false, code: 'PASSWORD_TOO_WEAK' });
    expect(checkAccountPassword('12345678')).toEqual({ ok: false, code: 'PASSWORD_TOO_WEAK' });
    expect(checkAccountPassword('!@#$%^&*')).toEqual({ ok: false, code: 'PASSWORD_TOO_WEAK' });
  });

  it('property: no initial password can be kept (birth dates and the parent default fail)', () => {
    expect(checkAccountPassword(INITIAL_PARENT_PASSWORD).ok).toBe(false);
    const birthDate = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(birthDate, (d) => !checkAccountPassword(initialStudentPassword(d)).ok));
  });
});
