import { describe, expect, it } from 'vitest';
import { memoInEnglish } from './ledger-memos.js';

describe('ledger memos in English', () => {
  it('turns each memo the code writes into English, keeping numbers and names that are data', () => {
    expect(memoInEnglish('充值 01a25071-4e87')).toBe('Top-up 01a25071-4e87');
    expect(memoInEnglish('校园网充值')).toBe('Campus network top-up');
    expect(memoInEnglish('校园网充值 N2026')).toBe('Campus network top-up N2026');
    expect(memoInEnglish('宿舍电费 学1楼 101')).toBe('Dorm electricity 学1楼 101');
    expect(memoInEnglish('消费 第一食堂')).toBe('Purchase at 第一食堂');
    expect(memoInEnglish('退款 第一食堂（补卡后退至新卡）')).toBe('Refund from 第一食堂 (to the replacement card)');
    expect(memoInEnglish('乘车 BUS-1 #1…3')).toBe('Rides BUS-1 #1…3');
    expect(memoInEnglish('校园网 2026-03 aa:bb 第 3 小时')).toBe('Campus network 2026-03 aa:bb hour 3');
    expect(memoInEnglish('补卡余额转移')).toBe('Balance moved to the replacement card');
    expect(memoInEnglish('电子学生卡换机')).toBe('E-card moved to a new phone');
    expect(memoInEnglish('电子学生卡升级（小升初）')).toBe('E-card upgraded (primary to junior high)');
    expect(memoInEnglish('电子学生卡升级（初升高）')).toBe('E-card upgraded (junior to senior high)');
    expect(memoInEnglish('订单 P123 退款')).toBe('Refund of order P123');
    expect(memoInEnglish('网点 西单 现金退款')).toBe('Cash refund at 西单');
  });

  it('has no English for a memo it does not know, nor for none', () => {
    expect(memoInEnglish('2026 学年学费')).toBeNull();
    expect(memoInEnglish('电子学生卡升级（高升大）')).toBeNull();
    expect(memoInEnglish(null)).toBeNull();
  });
});
