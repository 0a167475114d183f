import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, List, Skeleton, Switch, Toast } from 'antd-mobile';
import { useState } from 'react';
import type { z } from 'zod';
import type { balanceAlertSchema } from '../../../../src/modules/payments/payments.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { fill, useErrorText } from '../ui/text.js';
import { accountMessages } from './messages.js';

type BalanceAlert = z.infer<typeof balanceAlertSchema>;

/** Whole or two-decimal yuan between ¥1 and ¥500, as fen; null otherwise. */
function fenOf(yuan: string): number | null {
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(yuan.trim())) return null;
  const fen = Math.round(Number(yuan) * 100);
  return fen >= 100 && fen <= 50_000 ? fen : null;
}

/** 余额提醒: a parent's text message when the child's card balance falls below an amount. */
export function BalanceAlertSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const { lang } = useLang();
  const api = useApi();
  const { token } = useSession();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const path = `/me/children/${studentId}/balance-alert`;
  const key = ['balance-alert', studentId, token];
  const alert = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<BalanceAlert>(path, undefined, signal) });
  // Switched on but not saved yet: the amount field shows with ¥10 to start from.
  const [editing, setEditing] = useState(false);
  const [yuan, setYuan] = useState('10');

  const save = useIdempotentMutation({
    mutationFn: (thresholdFen: number | null, idempotencyKey) =>
      api.request<BalanceAlert>(thresholdFen === null ? 'DELETE' : 'PUT', path, { ...(thresholdFen === null ? {} : { body: { thresholdFen } }), idempotencyKey }),
    onSuccess: (saved) => {
      queryClient.setQueryData(key, saved);
      setEditing(false);
      Toast.show({ icon: 'success', content: saved.thresholdFen === null ? t.balanceAlertOff : fill(t.balanceAlertSaved, { amount: formatYuan(saved.thresholdFen) }) });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  if (alert.isPending) return <List className="section" header={t.balanceAlertTitle}><List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item></List>;
  if (alert.isError) return <LoadFailed error={alert.error} onRetry={() => void alert.refetch()} />;
  const current = alert.data;
  const on = current.thresholdFen !== null || editing;
  const fen = fenOf(yuan);
  const toggle = (checked: boolean) => {
    if (checked) {
      setYuan(current.thresholdFen === null ? '10' : (current.thresholdFen / 100).toString());
      setEditing(true);
    } else if (current.thresholdFen === null) setEditing(false);
    else save.mutate(null);
  };

  return (
    <List className="section" header={t.balanceAlertTitle} data-testid="balance-alert">
      <List.Item description={t.balanceAlertIntro} extra={<Switch checked={on} loading={save.isPending && save.variables === null} onChange={toggle} aria-label={t.balanceAlertSwitch} data-testid="balance-alert-switch" />}>
        {t.balanceAlertSwitch}
      </List.Item>
      {on && !editing && current.thresholdFen !== null && (
        <List.Item
          onClick={() => { setYuan((current.thresholdFen! / 100).toString()); setEditing(true); }}
          extra={<span data-testid="balance-alert-amount">{formatYuan(current.thresholdFen)}</span>}
          description={current.alertedAt ? <span data-testid="balance-alert-sent">{fill(t.balanceAlertSent, { time: formatBeijingTime(current.alertedAt, lang) })}</span> : undefined}
        >
          {t.balanceAlertAmount}
        </List.Item>
      )}
      {editing && (
        <List.Item
          description={fen === null ? <span className="form-error" data-testid="balance-alert-error">{t.balanceAlertRange}</span> : undefined}
          extra={<Button size="small" color="primary" disabled={fen === null} loading={save.isPending && save.variables !== null} onClick={() => { if (fen !== null) save.mutate(fen); }} data-testid="balance-alert-save">{t.balanceAlertSave}</Button>}
        >
          <Input type="text" inputMode="decimal" value={yuan} onChange={setYuan} placeholder={t.balanceAlertAmount} aria-label={t.balanceAlertAmount} data-testid="balance-alert-input" />
        </List.Item>
      )}
    </List>
  );
}
