import { describe, expect, it } from 'vitest';
import { plainArrayLiteral } from './array-literal.js';

describe('plainArrayLiteral', () => {
  it('joins uuids and integers', () => {
    expect(plainArrayLiteral(['0190a2b4-0000-7000-8000-000000000001', '0190a2b4-0000-7000-8000-000000000002'])).toBe('{0190a2b4-0000-7000-8000-000000000001,0190a2b4-0000-7000-8000-000000000002}');
    expect(plainArrayLiteral([0, -15, 1200])).toBe('{0,-15,1200}');
    expect(plainArrayLiteral([])).toBe('{}');
  });

  it('refuses anything that would need quoting or means NULL, so one value is always one element', () => {
    for (const bad of ['a,b', '{x}', 'a b', 'say "hi"', 'back\\slash', '', 'NULL', 'null', Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => plainArrayLiteral([bad])).toThrow(TypeError);
    }
  });
});
