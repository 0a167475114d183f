import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, DatePicker, Empty, Skeleton, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { useDayjsLocale } from '../calendar/useDayjsLocale.js';
import { fill, paymentMessages, type PaymentTexts } from '../payments/messages.js';
import { ReconciliationReport } from '../payments/ReconciliationReport.js';
import type { Reconciliation } from '../payments/types.js';

/** Today in Beijing, whatever the browser's time zone. */
const beijingToday = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const beijingYesterday = (): string => dayjs(beijingToday()).subtract(1, 'day').format('YYYY-MM-DD');

/**
 * Which day the report covers, said plainly: the page opens on yesterday (today's bill is not
 * made yet), so an empty report on a day with payments today must not read as "all reconciled".
 */
function relativeDay(p: PaymentTexts, date: string): string {
  if (date === beijingToday()) return p.reconDayToday;
  return date === beijingYesterday() ? p.reconDayYesterday : '';
}

/**
 * Daily reconciliation (operators): pick a Beijing day, see its stored report, or run it (asks
 * the gateways; running again replaces the report). "无差异" when everything agrees.
 */
export function ReconciliationPage() {
  const p = useMessages(paymentMessages);
  useDayjsLocale();
  const api = useApi();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? beijingYesterday();
  const key = ['reconciliation', date] as const;
  const stored = useQuery({
    queryKey: key,
    // A day never reconciled is a 404: shown as "not run yet", not as an error.
    queryFn: ({ signal }) =>
      api.get<Reconciliation>(`/admin/payments/reconciliations/${date}`, undefined, signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'RECONCILIATION_NOT_FOUND') return null;
        throw error;
      }),
  });
  const run = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate<Reconciliation>('POST', `/admin/payments/reconciliations/${date}`, undefined, idempotencyKey),
    onSuccess: (report) => queryClient.setQueryData(key, report),
  });

  return (
    <Card
      title={p.reconciliation}
      extra={
        <Space wrap>
          <DatePicker
            data-testid="recon-date"
            allowClear={false}
            value={dayjs(date)}
            onChange={(value) => {
              run.reset();
              setParams({ date: (value ?? dayjs(date)).format('YYYY-MM-DD') });
            }}
            disabledDate={(d) => d.isAfter(dayjs().add(1, 'day'), 'day')}
          />
          <Button type="primary" loading={run.isPending} onClick={() => run.mutate()} data-testid="recon-run">
            {run.isPending ? p.reconRunning : p.runRecon}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{p.reconIntro}</Typography.Paragraph>
      <Typography.Paragraph strong data-testid="recon-day">{fill(p.reconDay, { date, relative: relativeDay(p, date) })}</Typography.Paragraph>
      {run.isError && <LoadError error={run.error} />}
      {stored.isPending && <Skeleton active />}
      {stored.isError && <LoadError error={stored.error} onRetry={() => void stored.refetch()} />}
      {stored.isSuccess && stored.data === null && <Empty description={p.reconNotRun} data-testid="recon-not-run" />}
      {stored.isSuccess && stored.data && <ReconciliationReport report={stored.data} />}
    </Card>
  );
}
