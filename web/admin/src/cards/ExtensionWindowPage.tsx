import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Tag, Typography } from 'antd';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { cardMessages } from './messages.js';
import type { ExtensionWindowDto, ExtensionWindowList } from './types.js';
import { SectionTable } from '../SectionTable.js';

const windowsKey = ['card-extension-windows'] as const;

interface WindowForm {
  year: number;
  startsOn: string;
  endsOn: string;
}

/** The K-12 yearly extension window per year: operators set it, card managers see it. */
export function ExtensionWindowPage() {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const editable = isOperator(me);
  const api = useApi();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<WindowForm>();
  const windows = useQuery({ queryKey: windowsKey, queryFn: ({ signal }) => api.get<ExtensionWindowList>('/card-extension-windows', undefined, signal) });
  const save = useIdempotentMutation({
    mutationFn: ({ year, ...body }: WindowForm, idempotencyKey) => admin.mutate<ExtensionWindowDto>('PUT', `/admin/card-extension-windows/${year}`, body, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.saved);
      await queryClient.invalidateQueries({ queryKey: windowsKey });
    },
  });
  const thisYear = Number((windows.data?.today ?? new Date().toISOString()).slice(0, 4));

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t.extensionWindows}>
        <Typography.Paragraph type="secondary">{t.extensionNote}</Typography.Paragraph>
        <SectionTable<ExtensionWindowDto>
          data-testid="extension-windows"
          rowKey="year"
          load={windows}
          rows={windows.data?.items}
          emptyText={t.noWindows}
          pagination={false}
          columns={[
            { title: t.year, dataIndex: 'year' },
            { title: t.startsOn, dataIndex: 'startsOn' },
            { title: t.endsOn, dataIndex: 'endsOn' },
            { title: t.status, dataIndex: 'open', render: (open: boolean) => <Tag color={open ? 'green' : 'default'}>{open ? t.open : t.closed}</Tag> },
            { title: t.updatedAt, dataIndex: 'updatedAt', render: (v: string | null) => (v ? formatBeijingTime(v, lang) : '—') },
          ]}
        />
      </Card>
      <Card title={t.menuExtensionWindow}>
        {!editable && <Alert type="info" showIcon title={t.operatorsOnlyEdit} />}
        {save.isError && <Alert type="error" showIcon title={errorText(save.error, lang)} style={{ marginBottom: 16 }} data-testid="window-error" />}
        {editable && (
          <Form<WindowForm> form={form} layout="inline" initialValues={{ year: thisYear }} onFinish={(values) => save.mutate(values)} data-testid="window-form">
            <Form.Item name="year" label={t.year} rules={[{ required: true, message: t.required }]}>
              <InputNumber min={2000} max={2200} data-testid="window-year" />
            </Form.Item>
            <Form.Item name="startsOn" label={t.startsOn} rules={[{ required: true, message: t.required }]}>
              <Input type="date" data-testid="window-start" />
            </Form.Item>
            <Form.Item name="endsOn" label={t.endsOn} rules={[{ required: true, message: t.required }]}>
              <Input type="date" data-testid="window-end" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="window-save">{t.save}</Button>
          </Form>
        )}
      </Card>
    </Space>
  );
}
