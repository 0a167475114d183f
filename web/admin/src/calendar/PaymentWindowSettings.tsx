import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Skeleton, Space, Tag, Typography } from 'antd';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import type { PaymentWindow } from '../payments/types.js';
import { calendarMessages, type CalendarTexts } from './messages.js';

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const weekdayLabel = (c: CalendarTexts, n: number) => c[`weekday_${n}` as keyof CalendarTexts] ?? String(n);

function WindowPreview({ window, c }: { window: PaymentWindow; c: CalendarTexts }) {
  return (
    <Descriptions size="small" bordered column={1} data-testid="payment-window-preview" items={[
      { key: 'today', label: c.today, children: window.today },
      { key: 'now', label: c.windowNow, children: <Tag color={window.open ? 'green' : 'default'} data-testid="window-open">{window.open ? c.windowOpen : c.windowClosed}</Tag> },
      { key: 'weekdays', label: c.weekdays, children: window.weekdays.map((n) => weekdayLabel(c, n)).join(c.listSeparator) },
      {
        // While a window is open the server names it whole (Monday to Tuesday), not what is left of it.
        key: 'next', label: window.open ? c.currentWindow : c.nextWindow,
        children: <span data-testid="next-window">{window.next ? fill(c.nextWindowRange, { start: window.next.startDate, end: window.next.endDate }) : c.nextWindowUnknown}</span>,
      },
    ]} />
  );
}

/** The weekdays fee orders are payable on (operators) and the window the app shows now. */
export function PaymentWindowSettings({ editable }: { editable: boolean }) {
  const c = useMessages(calendarMessages);
  const t = useMessages(messages);
  const api = useApi();
  const admin = useAdminApi();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ weekdays: number[] }>();
  const current = useQuery({ queryKey: ['payment-window'], queryFn: ({ signal }) => api.get<PaymentWindow>('/payment-window', undefined, signal) });
  const save = useIdempotentMutation({
    mutationFn: (body: { weekdays: number[] }, idempotencyKey) => admin.mutate<{ weekdays: number[] }>('PUT', '/admin/settings/payment-weekdays', body, idempotencyKey),
    onSuccess: async () => {
      void message.success(c.weekdaysSaved);
      await queryClient.invalidateQueries({ queryKey: ['payment-window'] });
    },
  });

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={c.paymentWindow}>
        {current.isPending && <Skeleton active />}
        {current.isError && <LoadError error={current.error} onRetry={() => void current.refetch()} />}
        {current.isSuccess && <WindowPreview window={current.data} c={c} />}
      </Card>
      <Card title={c.weekdays}>
        <Typography.Paragraph type="secondary">{c.weekdaysHelp}</Typography.Paragraph>
        {!editable && <Alert type="info" showIcon title={c.readOnly} style={{ marginBottom: 16 }} />}
        {save.isError && <LoadError title={t.saveFailed} error={save.error} />}
        {current.isSuccess && (
          <Form<{ weekdays: number[] }>
            form={form}
            initialValues={{ weekdays: current.data.weekdays }}
            onFinish={(values) => save.mutate({ weekdays: [...values.weekdays].sort() })}
            disabled={!editable}
            data-testid="weekdays-form"
          >
            <Form.Item name="weekdays" rules={[{ required: true, type: 'array', min: 1, message: c.weekdayRequired }]}>
              <Checkbox.Group options={weekdays.map((n) => ({ value: n, label: weekdayLabel(c, n) }))} data-testid="weekdays" />
            </Form.Item>
            {editable && (
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="weekdays-save">
                {c.save}
              </Button>
            )}
          </Form>
        )}
      </Card>
    </Space>
  );
}
