import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maskCardNo, maskIdNumber, maskName, maskPhone } from './masking.js';

/** Characters of `masked` that are not stars: what the mask lets through. */
function revealed(masked: string): number {
  return Array.from(masked).filter((c) => c !== '*').length;
}

describe('maskName', () => {
  it.each([
    ['张强', '张*'],
    ['欧阳娜娜', '欧***'],
    ['Alice', 'A****'],
    ['Alice Wang', 'A*********'],
    ['  张强 ', '张*'],
    ['𠮷野家', '𠮷**'],
  ])('%j → %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('hides a one-character name completely and returns empty for no name', () => {
    expect(maskName('张')).toBe('*');
    expect(maskName('')).toBe('');
    expect(maskName(null)).toBe('');
    expect(maskName(undefined)).toBe('');
  });
});

describe('maskIdNumber', () => {
  it('keeps the first 3 and last 4 of an 18-character number', () => {
    expect(maskIdNumber('11010520100101123X')).toBe('110***********123X');
  });

  it('reveals nothing of a value too short to mask safely', () => {
    expect(maskIdNumber('1101051234')).toBe('**********');
    expect(maskIdNumber('1234567')).toBe('*******');
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber(null)).toBe('');
  });
});

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('reveals nothing of a short value', () => {
    expect(maskPhone('5678')).toBe('****');
    expect(maskPhone('1381234567')).toBe('**********');
    expect(maskPhone(undefined)).toBe('');
  });
});

describe('maskCardNo', () => {
  it('masks like the Yikatong app: first 2, last 3', () => {
    expect(maskCardNo('0012345669')).toBe('00*****669');
    expect(maskCardNo('32000000217')).toBe('32******217');
  });

  it('reveals nothing of a short value', () => {
    expect(maskCardNo('669')).toBe('***');
    expect(maskCardNo('001234566')).toBe('*********');
    expect(maskCardNo('')).toBe('');
  });
});

describe('masking properties', () => {
  const plain = fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => s.replaceAll('*', '').trim());

  it('never reveals more than the rule allows, and keeps the length', () => {
    fc.assert(
      fc.property(plain, (s) => {
        const length = Array.from(s).length;
        for (const [mask, limit] of [[maskIdNumber, 7], [maskPhone, 7], [maskCardNo, 5], [maskName, 1]] as const) {
          const masked = mask(s);
          expect(Array.from(masked)).toHaveLength(length);
          expect(revealed(masked)).toBeLessThanOrEqual(Math.min(limit, Math.max(0, length - 1)));
        }
      }),
    );
  });

  it('what it reveals of an ID number is exactly its first 3 and last 4 characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}[\dX]$/), (id) => {
        const masked = maskIdNumber(id);
        expect(masked.slice(0, 3)).toBe(id.slice(0, 3));
        expect(masked.slice(-4)).toBe(id.slice(-4));
        expect(masked.slice(3, -4)).toBe('*'.repeat(11));
      }),
    );
  });
});
