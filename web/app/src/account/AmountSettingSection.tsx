import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, List, Skeleton, Switch, Toast } from 'antd-mobile';
import { useState, type ReactNode } from 'react';
import { parseYuanToFen } from '../../../../src/domain/money.js';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { fill, useErrorText } from '../ui/text.js';
import { accountMessages } from './messages.js';

/** Yuan as typed (at most two decimals) within [minFen, maxFen], as fen; null otherwise. */
export function fenWithin(yuan: string, minFen: number, maxFen: number): number | null {
  try {
    const fen = parseYuanToFen(yuan);
    return fen >= minFen && fen <= maxFen ? fen : null;
  } catch {
    return null;
  }
}

export interface AmountSettingTexts {
  title: string;
  switchLabel: string;
  intro: string;
  amountLabel: string;
  save: string;
  /** With {amount}. */
  saved: string;
  off: string;
  range: string;
}

interface Props<T> {
  /** The API path that GETs, PUTs `{ [field]: fen }` and DELETEs the setting. */
  path: string;
  field: string;
  /** Reads the amount (null: off) from what the path answers. */
  amountOf: (setting: T) => number | null;
  /** A line under the amount: what the setting has done so far. */
  detail?: (setting: T) => ReactNode;
  minFen: number;
  maxFen: number;
  /** The amount offered when it is switched on. */
  defaultFen: number;
  texts: AmountSettingTexts;
  /** data-testid prefix: `${testId}`, `-switch`, `-amount`, `-input`, `-error`, `-save`. */
  testId: string;
}

/**
 * A parent's per-child amount that is on or off (余额提醒, 每日消费限额): a switch, the amount saved,
 * and the field to change it, saved with an Idempotency-Key.
 */
export function AmountSettingSection<T>({ path, field, amountOf, detail, minFen, maxFen, defaultFen, texts: t, testId }: Props<T>) {
  const api = useApi();
  const { token } = useSession();
  const describe = useErrorText();
  const unit = useMessages(accountMessages).yuanUnit;
  const queryClient = useQueryClient();
  const key = ['amount-setting', path, token];
  const setting = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<T>(path, undefined, signal) });
  // Switched on but not saved yet: the amount field shows with the default to start from.
  const [editing, setEditing] = useState(false);
  const [yuan, setYuan] = useState(String(defaultFen / 100));

  const save = useIdempotentMutation({
    mutationFn: (fen: number | null, idempotencyKey) => api.request<T>(fen === null ? 'DELETE' : 'PUT', path, { ...(fen === null ? {} : { body: { [field]: fen } }), idempotencyKey }),
    onSuccess: (saved) => {
      queryClient.setQueryData(key, saved);
      setEditing(false);
      const amount = amountOf(saved);
      Toast.show({ icon: 'success', content: amount === null ? t.off : fill(t.saved, { amount: formatYuan(amount) }) });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  if (setting.isPending) return <List className="section" header={t.title}><List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item></List>;
  if (setting.isError) return <LoadFailed error={setting.error} onRetry={() => void setting.refetch()} />;
  const current = amountOf(setting.data);
  const on = current !== null || editing;
  const fen = fenWithin(yuan, minFen, maxFen);
  const edit = () => {
    setYuan(String((current ?? defaultFen) / 100));
    setEditing(true);
  };
  const toggle = (checked: boolean) => {
    if (checked) edit();
    else if (current === null) setEditing(false);
    else save.mutate(null);
  };

  return (
    <List className="section" header={t.title} data-testid={testId}>
      <List.Item description={t.intro} extra={<Switch checked={on} loading={save.isPending && save.variables === null} onChange={toggle} aria-label={t.switchLabel} data-testid={`${testId}-switch`} />}>
        {t.switchLabel}
      </List.Item>
      {on && !editing && current !== null && (
        <List.Item onClick={edit} extra={<span data-testid={`${testId}-amount`}>{formatYuan(current)}</span>} description={detail?.(setting.data)}>
          {t.amountLabel}
        </List.Item>
      )}
      {editing && (
        <List.Item
          description={fen === null ? <span className="form-error" data-testid={`${testId}-error`}>{t.range}</span> : undefined}
          extra={<Button size="small" color="primary" disabled={fen === null} loading={save.isPending && save.variables !== null} onClick={() => { if (fen !== null) save.mutate(fen); }} data-testid={`${testId}-save`}>{t.save}</Button>}
        >
          <div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
            <Input type="text" inputMode="decimal" value={yuan} onChange={setYuan} placeholder={t.amountLabel} aria-label={t.amountLabel} data-testid={`${testId}-input`} />
            <span data-testid={`${testId}-unit`}>{unit}</span>
          </div>
        </List.Item>
      )}
    </List>
  );
}
