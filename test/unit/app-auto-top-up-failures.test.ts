import { describe, expect, it } from 'vitest';
import { autoTopUpFailures } from '../../src/domain/auto-top-up.js';
import { accountMessages } from '../../web/app/src/account/messages.js';

/** The app names every reason a run records (AutoTopUpSection's recent charges), in Chinese and in English, not the raw code. */
describe('the app’s words for a failed auto top-up', () => {
  it('name every failure the server records, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = accountMessages[lang] as Record<string, string>;
      for (const failure of autoTopUpFailures) expect([lang, failure, typeof t[`autoTopUpFailure_${failure}`]]).toEqual([lang, failure, 'string']);
    }
  });

  // Not 原路退回 once charged: a refund WeChat gave up on may reach the payer by a bank card or the merchant's account (异常退款).
  it('tell a late charge being refunded from one refunded, and from one not confirmed', () => {
    const zh = accountMessages['zh-CN'];
    expect([zh.autoTopUpFailure_unconfirmed, zh.autoTopUpFailure_refunding, zh.autoTopUpFailure_refunded]).toEqual(['未能确认扣款结果，如已扣款将原路退回', '已扣款但未能充值，退款处理中', '已扣款但未能充值，已退款']);
    const en = accountMessages.en;
    expect([en.autoTopUpFailure_refunding, en.autoTopUpFailure_refunded]).toEqual(['charged but not topped up; being refunded', 'charged but not topped up; refunded']);
  });
});
