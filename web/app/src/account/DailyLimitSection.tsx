import type { z } from 'zod';
import type { dailyLimitSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { formatYuan } from '../payments/format.js';
import { fill } from '../ui/text.js';
import { AmountSettingSection } from './AmountSettingSection.js';
import { accountMessages } from './messages.js';

type DailyLimit = z.infer<typeof dailyLimitSchema>;

/** 每日消费限额: what the child's campus card may spend at the canteen in a day (¥1–¥1,000). */
export function DailyLimitSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  return (
    <AmountSettingSection<DailyLimit>
      path={`/me/children/${studentId}/campus-daily-limit`}
      field="limitFen"
      amountOf={(limit) => limit.limitFen}
      detail={(limit) => <span data-testid="daily-limit-spent">{fill(t.dailyLimitSpent, { amount: formatYuan(limit.spentTodayFen) })}</span>}
      minFen={100}
      maxFen={100_000}
      defaultFen={3_000}
      testId="daily-limit"
      texts={{
        title: t.dailyLimitTitle, switchLabel: t.dailyLimitSwitch, intro: t.dailyLimitIntro, amountLabel: t.dailyLimitAmount,
        save: t.settingSave, saved: t.dailyLimitSaved, off: t.dailyLimitOff, range: t.dailyLimitRange,
      }}
    />
  );
}
