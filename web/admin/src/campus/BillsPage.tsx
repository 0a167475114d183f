import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, List, Modal, Select, Space, Statistic, Tag, Upload, type TableColumnsType } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import { formatYuan, parseYuanToFen } from '../../../../src/domain/money.js';
import { isAcademicYear } from '../../../../src/domain/school-bills.js';
import type { adminSchoolBillSchema, billTotalsSchema } from '../../../../src/modules/campus/school-bills.schemas.js';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { billAdminMessages } from './bill-messages.js';
import { SchoolScoped } from './SchoolScoped.js';

type Bill = z.infer<typeof adminSchoolBillSchema>;
type Totals = z.infer<typeof billTotalsSchema>;
interface FileProblem { row: number; field: string; code: string }
interface Issued { issued: number; totalFen: number }
const path = '/admin/campus/bills';
const statusColors = { unpaid: 'orange', paid: 'green', cancelled: 'default' } as const;

/**
 * 学费缴费: a university's tuition and retake-fee bills. The finance office issues them one by
 * one or from a CSV (all or nothing, every bad row listed), sees what is paid and what is owed,
 * and cancels an unpaid one with a reason the student reads.
 */
export function BillsPage() {
  return <SchoolScoped>{(schoolId) => <SchoolBills schoolId={schoolId} />}</SchoolScoped>;
}

function SchoolBills({ schoolId }: { schoolId: string }) {
  const t = useMessages(billAdminMessages);
  const { lang } = useLang();
  const [issuing, setIssuing] = useState(false);
  const [cancelling, setCancelling] = useState<Bill | null>(null);
  const columns: TableColumnsType<Bill> = [
    { title: t.studentNo, dataIndex: 'studentNo' },
    { title: t.student, dataIndex: 'studentNameMasked' },
    { title: t.item, key: 'item', render: (_, b) => (b.kind === 'tuition' ? fill(t.itemTuition, { year: b.academicYear }) : fill(t.itemRetake, { course: b.course ?? '' })) },
    { title: t.amount, dataIndex: 'amountFen', align: 'right', render: (fen: number) => <span className="mono">{formatYuan(fen)}</span> },
    { title: t.dueDate, dataIndex: 'dueDate', render: (date: string, b) => <>{date} {b.overdue && <Tag color="red">{t.overdue}</Tag>}</> },
    { title: t.status, dataIndex: 'status', render: (s: Bill['status'], b) => <Tag color={statusColors[s]} title={b.cancelReason ?? undefined} data-testid="bill-status">{t[`status_${s}`]}</Tag> },
    { title: t.paidAt, key: 'paid', render: (_, b) => (b.paidAt ? `${formatBeijingTime(b.paidAt, lang)} · ${t[`via_${b.paidVia!}`]}` : '—') },
    { title: t.actions, key: 'actions', render: (_, b) => b.status === 'unpaid' && <Button size="small" danger onClick={() => setCancelling(b)} data-testid="bill-cancel">{t.cancel}</Button> },
  ];
  const filters: SelectFilter[] = [
    { name: 'status', placeholder: t.allStatuses, options: (['unpaid', 'paid', 'cancelled'] as const).map((s) => ({ value: s, label: t[`status_${s}`] })), minWidth: 120 },
    { name: 'kind', placeholder: t.allKinds, options: (['tuition', 'retake'] as const).map((k) => ({ value: k, label: t[`kind_${k}`] })), minWidth: 120 },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <BillTotals schoolId={schoolId} />
      <BillFile schoolId={schoolId} />
      <ServerTable<Bill>
        testId="bills-table"
        title={t.bills}
        path={path}
        query={{ schoolId }}
        selectFilters={filters}
        filterParam="studentNo"
        filterMaxLength={32}
        filterPlaceholder={t.searchStudentNo}
        toolbar={<Button type="primary" onClick={() => setIssuing(true)} data-testid="bill-issue">{t.issue}</Button>}
        emptyText={t.noRows}
        columns={columns}
      />
      <IssueBill schoolId={schoolId} open={issuing} onClose={() => setIssuing(false)} />
      <CancelBill bill={cancelling} onClose={() => setCancelling(null)} />
    </Space>
  );
}

/** What the university is owed and has been paid, over all its bills. */
function BillTotals({ schoolId }: { schoolId: string }) {
  const t = useMessages(billAdminMessages);
  const { api } = useAdminApi();
  const totals = useQuery({ queryKey: [path, 'totals', schoolId], queryFn: ({ signal }) => api.get<{ totals: Totals }>(path, { schoolId, page: 1, pageSize: 1 }, signal) });
  const shown = (key: keyof Totals) => (totals.data ? `${formatYuan(totals.data.totals[key].amountFen)} · ${fill(t.billCount, { n: totals.data.totals[key].count })}` : '—');
  if (totals.isError) return <LoadError error={totals.error} onRetry={() => void totals.refetch()} />;
  return (
    <Card size="small" loading={totals.isPending} data-testid="bill-totals">
      <Space size={48} wrap>
        <Statistic title={t.unpaid} value={shown('unpaid')} />
        <Statistic title={t.paid} value={shown('paid')} />
        <Statistic title={t.cancelled} value={shown('cancelled')} />
      </Space>
    </Card>
  );
}

function useRefreshBills() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: [path] });
}

function IssueBill({ schoolId, open, onClose }: { schoolId: string; open: boolean; onClose(): void }) {
  const t = useMessages(billAdminMessages);
  const { lang } = useLang();
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const refresh = useRefreshBills();
  const [form] = Form.useForm<{ studentNo: string; kind: 'tuition' | 'retake'; academicYear: string; course?: string; amount: string; dueDate: string }>();
  const kind = Form.useWatch('kind', form);
  const issue = useIdempotentMutation({
    mutationFn: (body: Record<string, unknown>, idempotencyKey) => mutate<Issued>('POST', path, body, idempotencyKey),
    onSuccess: async (done) => {
      void message.success(fill(t.issued, { n: done.issued, amount: formatYuan(done.totalFen) }));
      form.resetFields();
      onClose();
      await refresh();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const submit = () =>
    void form.validateFields().then(
      (v) => issue.mutate({ schoolId, studentNo: v.studentNo.trim(), kind: v.kind, academicYear: v.academicYear.trim(), course: v.kind === 'retake' ? v.course?.trim() : null, amountFen: parseYuanToFen(v.amount), dueDate: v.dueDate }),
      () => undefined, // the form shows what is wrong
    );
  const yuan = (_: unknown, value: string | undefined) => {
    try {
      if (value) parseYuanToFen(value);
      return Promise.resolve();
    } catch {
      return Promise.reject(new Error(t.amountYuan));
    }
  };
  return (
    <Modal open={open} title={t.issueTitle} confirmLoading={issue.isPending} onCancel={onClose} onOk={submit} okButtonProps={{ 'data-testid': 'bill-issue-ok' } as never}>
      <Form form={form} layout="vertical" initialValues={{ kind: 'tuition' }}>
        <Form.Item name="studentNo" label={t.studentNo} rules={[{ required: true, message: t.required }]}>
          <Input maxLength={32} data-testid="bill-student-no" />
        </Form.Item>
        <Form.Item name="kind" label={t.kind}>
          <Select options={(['tuition', 'retake'] as const).map((k) => ({ value: k, label: t[`kind_${k}`] }))} data-testid="bill-kind" />
        </Form.Item>
        <Form.Item name="academicYear" label={t.academicYear} extra={t.academicYearHelp} rules={[{ required: true, message: t.required }, { validator: (_, v: string | undefined) => (!v || isAcademicYear(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t.academicYearHelp))) }]}>
          <Input maxLength={9} data-testid="bill-year" />
        </Form.Item>
        {kind === 'retake' && (
          <Form.Item name="course" label={t.course} extra={t.courseHelp} rules={[{ required: true, whitespace: true, message: t.required }, { max: 40 }]}>
            <Input maxLength={40} data-testid="bill-course" />
          </Form.Item>
        )}
        <Form.Item name="amount" label={t.amountYuan} rules={[{ required: true, message: t.required }, { validator: yuan }]}>
          <Input inputMode="decimal" data-testid="bill-amount" />
        </Form.Item>
        <Form.Item name="dueDate" label={t.dueDate} rules={[{ required: true, message: t.required }]}>
          <Input type="date" data-testid="bill-due" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 批量开具: a CSV; refused whole with every bad row listed, or every bill issued. */
function BillFile({ schoolId }: { schoolId: string }) {
  const t = useMessages(billAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const { message } = App.useApp();
  const refresh = useRefreshBills();
  const [problems, setProblems] = useState<{ count: number; rows: FileProblem[] } | null>(null);
  const upload = useIdempotentMutation({
    mutationFn: (file: File, idempotencyKey) => admin.upload<Issued>('POST', `${path}/file?schoolId=${schoolId}`, file, 'text/csv', { 'idempotency-key': idempotencyKey }),
    actionOf: (file) => `${file.name}|${file.size}|${file.lastModified}`,
    onSuccess: async (done) => {
      setProblems(null);
      void message.success(fill(t.issued, { n: done.issued, amount: formatYuan(done.totalFen) }));
      await refresh();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'SCHOOL_BILL_FILE_INVALID') {
        const details = error.details as { problems: FileProblem[]; problemCount: number };
        setProblems({ count: details.problemCount, rows: details.problems });
      } else {
        setProblems(null);
        void message.error(errorText(error, lang));
      }
    },
  });
  return (
    <Card size="small">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(file) => { upload.mutate(file); return Upload.LIST_IGNORE; }}>
            <Button loading={upload.isPending} data-testid="bill-file">{upload.isPending ? t.uploading : t.uploadFile}</Button>
          </Upload>
          <span className="muted">{t.fileHelp}</span>
        </Space>
        {problems && (
          <Alert
            type="error"
            showIcon
            data-testid="bill-file-problems"
            title={fill(t.fileProblems, { n: problems.count })}
            description={
              <List size="small" dataSource={problems.rows} renderItem={(p) => (
                <List.Item data-testid="bill-file-problem">
                  {fill(t.problemLine, { row: fill(t.row, { row: p.row }), field: t[`field_${p.field}` as keyof typeof t] ?? p.field, problem: t[`problem_${p.code}` as keyof typeof t] ?? p.code })}
                </List.Item>
              )} />
            }
          />
        )}
      </Space>
    </Card>
  );
}

function CancelBill({ bill, onClose }: { bill: Bill | null; onClose(): void }) {
  const t = useMessages(billAdminMessages);
  const { lang } = useLang();
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const refresh = useRefreshBills();
  const [form] = Form.useForm<{ reason: string }>();
  const cancel = useIdempotentMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }, idempotencyKey) => mutate<Bill>('POST', `${path}/${id}/cancel`, { reason }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.cancelledDone);
      form.resetFields();
      onClose();
      await refresh();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Modal
      open={bill !== null}
      title={t.cancelTitle}
      confirmLoading={cancel.isPending}
      onCancel={onClose}
      okButtonProps={{ danger: true, 'data-testid': 'bill-cancel-ok' } as never}
      onOk={() => void form.validateFields().then((v) => bill && cancel.mutate({ id: bill.id, reason: v.reason.trim() }), () => undefined)}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t.cancelReason} rules={[{ required: true, whitespace: true, message: t.required }, { max: 100 }]}>
          <Input.TextArea maxLength={100} data-testid="bill-cancel-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
