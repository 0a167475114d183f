import type { z } from 'zod';
import type { spendNoticeSchema } from '../../../../src/modules/payments/payments.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { AmountSettingSection } from './AmountSettingSection.js';
import { accountMessages } from './messages.js';

type SpendNotice = z.infer<typeof spendNoticeSchema>;

/** 消费提醒: a parent's texts about the child's canteen purchases and rides from an amount (¥0.01–¥500). */
export function SpendNoticeSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  return (
    <AmountSettingSection<SpendNotice>
      path={`/me/children/${studentId}/spend-notice`}
      field="minAmountFen"
      amountOf={(notice) => notice.minAmountFen}
      minFen={1}
      maxFen={50_000}
      defaultFen={500}
      testId="spend-notice"
      texts={{
        title: t.spendNoticeTitle, switchLabel: t.spendNoticeSwitch, intro: t.spendNoticeIntro, amountLabel: t.spendNoticeAmount,
        save: t.settingSave, saved: t.spendNoticeSaved, off: t.spendNoticeOff, range: t.spendNoticeRange,
      }}
    />
  );
}
