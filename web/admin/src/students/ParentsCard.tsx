import { App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Space, Typography } from 'antd';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { messages } from '../messages.js';
import type { BindParentRequest, StudentDetail } from '../types.js';
import { studentMessages } from './messages.js';
import { useStudentChanged } from './useStudent.js';

type Parent = StudentDetail['parents'][number];

function BindParentForm({ studentId }: { studentId: string }) {
  const s = useMessages(studentMessages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const changed = useStudentChanged(studentId);
  const [form] = Form.useForm<BindParentRequest>();
  const bind = useIdempotentMutation({
    mutationFn: (body: BindParentRequest, idempotencyKey) => admin.mutate('POST', `/students/${studentId}/parents`, body, idempotencyKey),
    onSuccess: async () => {
      void message.success(s.parentBound);
      form.resetFields();
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Form<BindParentRequest>
      form={form}
      layout="vertical"
      onFinish={({ phone, relation }) => bind.mutate({ phone: phone.trim(), ...(relation?.trim() ? { relation: relation.trim() } : {}) })}
      data-testid="bind-parent-form"
    >
      <Form.Item name="phone" label={s.phone} rules={[{ required: true, pattern: /^\s*1[3-9]\d{9}\s*$/, message: s.phoneHelp }]}>
        <Input maxLength={11} inputMode="tel" autoComplete="off" />
      </Form.Item>
      <Form.Item name="relation" label={s.relation}>
        <Input maxLength={16} placeholder={s.relationPlaceholder} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={bind.isPending} block>
        {s.bindParent}
      </Button>
    </Form>
  );
}

/** Bound parents (phones masked by the server), unbinding one, and binding a phone. */
export function ParentsCard({ studentId, parents }: { studentId: string; parents: Parent[] }) {
  const s = useMessages(studentMessages);
  const t = useMessages(messages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const changed = useStudentChanged(studentId);
  const unbind = useIdempotentMutation({
    mutationFn: (parentId: string, idempotencyKey) => admin.mutate('DELETE', `/students/${studentId}/parents/${parentId}`, undefined, idempotencyKey),
    onSuccess: async () => {
      void message.success(s.parentUnbound);
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Card title={s.parents} size="small">
      <div data-testid="parents-list" style={{ marginBottom: 16 }}>
        {parents.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={s.noParents} />}
        {parents.map((parent) => (
          <Flex key={parent.parentId} justify="space-between" align="center" gap={8} className="parent-row">
            <Space orientation="vertical" size={0}>
              <Typography.Text>{parent.phone}{parent.relation ? `（${parent.relation}）` : ''}</Typography.Text>
              <Typography.Text type="secondary">{s.boundAt} {formatBeijingTime(parent.boundAt, lang)}</Typography.Text>
            </Space>
            <Popconfirm title={s.unbindConfirm} okText={s.unbind} cancelText={t.cancel} onConfirm={() => unbind.mutate(parent.parentId)}>
              <Button size="small" danger loading={unbind.isPending && unbind.variables === parent.parentId}>{s.unbind}</Button>
            </Popconfirm>
          </Flex>
        ))}
      </div>
      <BindParentForm studentId={studentId} />
    </Card>
  );
}
