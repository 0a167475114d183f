import type { z } from 'zod';
import type { balanceAlertSchema } from '../../../../src/modules/payments/payments.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { fill } from '../ui/text.js';
import { AmountSettingSection } from './AmountSettingSection.js';
import { accountMessages } from './messages.js';

type BalanceAlert = z.infer<typeof balanceAlertSchema>;

/** 余额提醒: a parent's text message when the child's card balance falls below an amount (¥1–¥500). */
export function BalanceAlertSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const { lang } = useLang();
  return (
    <AmountSettingSection<BalanceAlert>
      path={`/me/children/${studentId}/balance-alert`}
      field="thresholdFen"
      amountOf={(alert) => alert.thresholdFen}
      detail={(alert) => (alert.alertedAt ? <span data-testid="balance-alert-sent">{fill(t.balanceAlertSent, { time: formatBeijingTime(alert.alertedAt, lang) })}</span> : undefined)}
      minFen={100}
      maxFen={50_000}
      defaultFen={1_000}
      testId="balance-alert"
      texts={{
        title: t.balanceAlertTitle, switchLabel: t.balanceAlertSwitch, intro: t.balanceAlertIntro, amountLabel: t.balanceAlertAmount,
        save: t.settingSave, saved: t.balanceAlertSaved, off: t.balanceAlertOff, range: t.balanceAlertRange,
      }}
    />
  );
}
