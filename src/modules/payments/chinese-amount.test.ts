import { describe, expect, it } from 'vitest';
import { amountInChineseWords } from './chinese-amount.js';

describe('amounts in capital Chinese numerals', () => {
  it.each([
    [1500, '壹拾伍圆整'],
    [10_000, '壹佰圆整'],
    [100_000, '壹仟圆整'],
    [10_050, '壹佰圆伍角'],
    [100_005, '壹仟圆零伍分'],
    [100_100, '壹仟零壹圆整'],
    [101_000, '壹仟零壹拾圆整'],
    [1_234_567, '壹万贰仟叁佰肆拾伍圆陆角柒分'],
    [10_050_000, '壹拾万零伍佰圆整'],
    [100_000_100, '壹佰万零壹圆整'],
    [10_000_000_000, '壹亿圆整'],
    [50, '伍角'],
    [5, '伍分'],
    [0, '零圆整'],
  ])('%i fen → %s', (fen, words) => {
    expect(amountInChineseWords(fen)).toBe(words);
  });
});
