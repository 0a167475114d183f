import { Button, Form, Input, Modal, Select, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { isOperator, scopedSchoolId, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { usePageParams } from '../usePageParams.js';
import { fulfilmentMessages, statusColors, statusText } from './messages.js';
import type { AdminConfirmation } from './types.js';
import { useFulfilmentAction } from './useAction.js';
import { EducationId } from '../EducationId.js';

const schoolParam = ['schoolId'] as const;

/** 制卡信息确认: the queue of records waiting for the student, and the errors students reported for the school to fix. */
export function ConfirmationsPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  // The school picker is the table's; "open for the school" reads the same URL parameter.
  const { filters } = usePageParams(undefined, schoolParam);
  const [fixing, setFixing] = useState<AdminConfirmation | null>(null);
  const [form] = Form.useForm<{ name?: string; gender?: 'M' | 'F'; note: string }>();
  const fix = useFulfilmentAction(() => t.done);
  const open = useFulfilmentAction<{ opened: number; newCards: number }>((r) => fill(t.opened, { n: r.opened, m: r.newCards }));
  const schoolId = scopedSchoolId(me, filters.schoolId);

  const columns: TableColumnsType<AdminConfirmation> = [
    { title: t.student, key: 'student', render: (_, row) => row.face.nameMasked },
    { title: t.educationId, key: 'educationId', render: (_, row) => <EducationId id={row.face.educationId} /> },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: AdminConfirmation) => <Tag color={statusColors[row.status]}>{lang === 'en' ? row.statusLabel.en : row.statusLabel.zh}</Tag> },
    {
      title: t.corrections, key: 'corrections',
      render: (_, row) => (row.status === 'reported' ? row.corrections.map((c) => <div key={c.field} data-testid="confirmation-correction">{t[`field_${c.field}`]}: {c.correctValue ?? t.none} {c.note && <Typography.Text type="secondary">（{c.note}）</Typography.Text>}</div>) : t.none),
    },
    { title: t.round, dataIndex: 'round' },
    { title: t.updatedAt, dataIndex: 'updatedAt', render: (at: string) => formatBeijingTime(at, lang) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => row.status === 'reported' && (
        <Button size="small" type="primary" data-testid="confirmation-fix" onClick={() => { form.resetFields(); setFixing(row); }}>{t.fix}</Button>
      ),
    },
  ];

  const statusFilter: SelectFilter = {
    name: 'status',
    placeholder: t.allStatuses,
    options: (['pending', 'reported', 'confirmed'] as const).map((s) => ({ value: s, label: statusText(t, 'cs', s) })),
    minWidth: 140,
  };

  return (
    <>
      <ServerTable<AdminConfirmation>
        testId="confirmations-table"
        title={t.confirmations}
        path="/admin/fulfilment/confirmations"
        schoolFilter={operator}
        selectFilters={[statusFilter]}
        emptyText={t.noRows}
        columns={columns}
        toolbar={<Button disabled={!schoolId} loading={open.isPending} onClick={() => schoolId && open.mutate({ path: '/admin/fulfilment/confirmations/open', body: { schoolId } })}>{t.openForSchool}</Button>}
      />
      <Modal
        open={fixing !== null}
        title={t.fixTitle}
        confirmLoading={fix.isPending}
        onCancel={() => setFixing(null)}
        onOk={() => void form.validateFields().then((values) => fixing && fix.mutate(
          { path: `/admin/fulfilment/confirmations/${fixing.id}/fix`, body: { note: values.note, ...(values.name ? { name: values.name } : {}), ...(values.gender ? { gender: values.gender } : {}) } },
          { onSuccess: () => setFixing(null) },
        ))}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t.fixName}><Input maxLength={32} /></Form.Item>
          <Form.Item name="gender" label={t.fixGender}>
            <Select allowClear options={[{ value: 'M', label: t.male }, { value: 'F', label: t.female }]} />
          </Form.Item>
          <Form.Item name="note" label={t.fixNote} rules={[{ required: true, whitespace: true }]}><Input.TextArea maxLength={200} /></Form.Item>
          <Typography.Text type="secondary">{t.fixPhotoHint}</Typography.Text>
        </Form>
      </Modal>
    </>
  );
}
