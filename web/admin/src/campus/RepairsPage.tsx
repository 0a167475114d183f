import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Space, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import type { repairSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { campusAdminMessages } from './messages.js';

type Repair = z.infer<typeof repairSchema>;
type Step = 'accept' | 'finish';
const statusColors = { submitted: 'orange', accepted: 'blue', done: 'green', cancelled: 'default' } as const;
const path = '/admin/campus/repairs';

/**
 * 网上报修: the reports of the school's students (an operator picks the school, or sees all); staff
 * take one on and mark it done, each time with a note the student reads in the app.
 */
export function RepairsPage() {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [acting, setActing] = useState<{ repair: Repair; step: Step } | null>(null);
  const [form] = Form.useForm<{ note?: string }>();
  const move = useIdempotentMutation({
    mutationFn: ({ id, step, note }: { id: string; step: Step; note?: string }, idempotencyKey) => mutate<Repair>('POST', `${path}/${id}/${step}`, note ? { note } : {}, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.done);
      setActing(null);
      await client.invalidateQueries({ queryKey: [path] });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });

  const columns: TableColumnsType<Repair> = [
    { title: t.reportedAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.student, dataIndex: 'studentNameMasked' },
    { title: t.category, dataIndex: 'category', render: (c: Repair['category']) => t[`category_${c}`] },
    { title: t.location, dataIndex: 'location' },
    { title: t.description, dataIndex: 'description' },
    { title: t.status, dataIndex: 'status', render: (s: Repair['status']) => <Tag color={statusColors[s]} data-testid="repair-status">{t[`repair_${s}`]}</Tag> },
    { title: t.note, dataIndex: 'staffNote', render: (note: string | null) => note ?? '—' },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space>
          {row.status === 'submitted' && <Button size="small" onClick={() => { form.resetFields(); setActing({ repair: row, step: 'accept' }); }} data-testid="repair-accept">{t.accept}</Button>}
          {(row.status === 'submitted' || row.status === 'accepted') && <Button size="small" type="primary" onClick={() => { form.resetFields(); setActing({ repair: row, step: 'finish' }); }} data-testid="repair-finish">{t.finish}</Button>}
        </Space>
      ),
    },
  ];
  const statusFilter: SelectFilter = {
    name: 'status',
    placeholder: t.allStatuses,
    options: (['submitted', 'accepted', 'done', 'cancelled'] as const).map((s) => ({ value: s, label: t[`repair_${s}`] })),
    minWidth: 140,
  };

  return (
    <>
      <ServerTable<Repair> testId="repairs-table" title={t.repairs} path={path} schoolFilter={operator} selectFilters={[statusFilter]} emptyText={t.noRows} columns={columns} />
      <Modal
        open={acting !== null}
        title={acting?.step === 'finish' ? t.finishTitle : t.acceptTitle}
        confirmLoading={move.isPending}
        onCancel={() => setActing(null)}
        onOk={() =>
          void form.validateFields().then(
            (values) => acting && move.mutate({ id: acting.repair.id, step: acting.step, note: values.note?.trim() || undefined }),
            () => undefined, // the form shows what is wrong
          )
        }
      >
        <Form form={form} layout="vertical">
          <Form.Item name="note" label={t.note} extra={t.noteHelp} rules={[{ max: 200 }]}>
            <Input.TextArea maxLength={200} data-testid="repair-note-input" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
