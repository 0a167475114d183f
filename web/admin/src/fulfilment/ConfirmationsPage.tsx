import { Alert, Button, Form, Input, Modal, Select, Space, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { isOperator, scopedSchoolId, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { usePageParams } from '../usePageParams.js';
import { fulfilmentMessages, statusColors, statusText } from './messages.js';
import type { AdminConfirmation } from './types.js';
import { useFulfilmentAction } from './useAction.js';
import { EducationId } from '../EducationId.js';
import { confirmationMessages } from './confirmation-messages.js';

type Correction = AdminConfirmation['corrections'][number];
/** Fields fixed elsewhere than this dialog: each gets its explanation and the way to the student's page. */
const fixedElsewhere = ['schoolName', 'validUntil', 'photo', 'educationId'] as const;
type FixedElsewhere = (typeof fixedElsewhere)[number];
const isFixedElsewhere = (field: Correction['field']): field is FixedElsewhere => (fixedElsewhere as readonly string[]).includes(field);

const schoolParam = ['schoolId'] as const;

/** 制卡信息确认: the queue of records waiting for the student, and the errors students reported for the school to fix. */
export function ConfirmationsPage() {
  const t = useMessages(fulfilmentMessages);
  const m = useMessages(confirmationMessages);
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
  const valueText = (c: Correction) => (c.field === 'gender' && c.correctValue ? (c.correctValue === 'M' ? t.male : c.correctValue === 'F' ? t.female : c.correctValue) : (c.correctValue ?? t.none));
  // The dialog starts from what the family reported: a name or gender they gave is filled in, to check and send.
  const openFix = (row: AdminConfirmation) => {
    form.resetFields();
    const reported = (field: Correction['field']) => row.corrections.find((c) => c.field === field)?.correctValue ?? undefined;
    const gender = reported('gender');
    form.setFieldsValue({ name: reported('name'), gender: gender === 'M' || gender === 'F' ? gender : undefined });
    setFixing(row);
  };

  const columns: TableColumnsType<AdminConfirmation> = [
    { title: t.student, key: 'student', render: (_, row) => row.face.nameMasked },
    { title: t.educationId, key: 'educationId', render: (_, row) => <EducationId id={row.face.educationId} /> },
    { title: m.photo, key: 'photo', render: (_, row) => (row.face.hasPhoto ? m.photoTaken : <Tag color="warning" data-testid="confirmation-photo-missing">{m.photoMissing}</Tag>) },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: AdminConfirmation) => <Tag color={statusColors[row.status]}>{lang === 'en' ? row.statusLabel.en : row.statusLabel.zh}</Tag> },
    {
      title: t.corrections, key: 'corrections',
      render: (_, row) => (row.status === 'reported' ? row.corrections.map((c) => <div key={c.field} data-testid="confirmation-correction">{t[`field_${c.field}`]}: {valueText(c)} {c.note && <Typography.Text type="secondary">（{c.note}）</Typography.Text>}</div>) : t.none),
    },
    { title: t.round, dataIndex: 'round' },
    { title: t.updatedAt, dataIndex: 'updatedAt', render: (at: string) => formatBeijingTime(at, lang) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => row.status === 'reported' && (
        <Button size="small" type="primary" data-testid="confirmation-fix" onClick={() => openFix(row)}>{t.fix}</Button>
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
        {fixing && <ReportedErrors row={fixing} valueText={valueText} />}
        <Form form={form} layout="vertical">
          <Typography.Paragraph type="secondary">{m.fixHere}</Typography.Paragraph>
          <Form.Item name="name" label={t.fixName}><Input maxLength={32} data-testid="fix-name" /></Form.Item>
          <Form.Item name="gender" label={t.fixGender}>
            <Select allowClear options={[{ value: 'M', label: t.male }, { value: 'F', label: t.female }]} data-testid="fix-gender" />
          </Form.Item>
          <Form.Item name="note" label={t.fixNote} rules={[{ required: true, whitespace: true }]}><Input.TextArea maxLength={200} data-testid="fix-note" /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/**
 * What the family reported, field by field, with where each is fixed: a name or gender in this
 * dialog; the school, the validity (from the class), the photo on the student's page; an education ID
 * (reported before it stopped being reportable) by the student-status administrator.
 */
function ReportedErrors({ row, valueText }: { row: AdminConfirmation; valueText(c: Correction): string }) {
  const t = useMessages(fulfilmentMessages);
  const m = useMessages(confirmationMessages);
  return (
    <Space orientation="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="fix-reported">
      <Typography.Text strong>{m.reportedTitle}</Typography.Text>
      {row.corrections.map((c) => {
        const said = [c.correctValue !== null ? fill(m.reportedValue, { value: valueText(c) }) : null, c.note].filter(Boolean).join('；');
        const elsewhere = isFixedElsewhere(c.field) ? c.field : null;
        return (
          <Alert
            key={c.field}
            type={elsewhere ? 'warning' : 'info'}
            data-testid="fix-field"
            data-field={c.field}
            title={`${t[`field_${c.field}`]}${said ? `：${said}` : ''}`}
            description={elsewhere && (
              <>
                {m[`fixAt_${elsewhere}`]}{' '}
                {elsewhere !== 'educationId' && <Link to={`/students/${row.studentId}`} target="_blank" data-testid="fix-open-student">{m.openStudent}</Link>}
              </>
            )}
          />
        );
      })}
    </Space>
  );
}
