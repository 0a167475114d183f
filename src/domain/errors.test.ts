import { describe, it, expect } from 'vitest';
import { DomainError, isDomainError } from './errors.js';

describe('DomainError', () => {
  it('carries a stable code, both messages and details', () => {
    const e = new DomainError('AMOUNT_FORMAT', '金额格式不正确', 'The amount is malformed', { input: 'x' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DomainError);
    expect(e.name).toBe('DomainError');
    expect(e.code).toBe('AMOUNT_FORMAT');
    expect(e.messageZh).toBe('金额格式不正确');
    expect(e.messageEn).toBe('The amount is malformed');
    expect(e.details).toEqual({ input: 'x' });
    expect(e.message).toBe('AMOUNT_FORMAT: The amount is malformed');
  });

  it('leaves details undefined when none are given', () => {
    expect(new DomainError('X', '甲', 'a').details).toBeUndefined();
  });

  it('isDomainError tells domain errors apart and can match a code', () => {
    const e = new DomainError('CARD_LOST', '卡已挂失', 'The card is reported lost');
    expect(isDomainError(e)).toBe(true);
    expect(isDomainError(e, 'CARD_LOST')).toBe(true);
    expect(isDomainError(e, 'OTHER')).toBe(false);
    expect(isDomainError(new Error('CARD_LOST'))).toBe(false);
    expect(isDomainError({ code: 'CARD_LOST' })).toBe(false);
  });
});
