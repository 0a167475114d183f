import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Drawer, Form, Input, Result, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../../../shared/api.js';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { fill, payLabel, paymentMessages, type PaymentTexts } from './messages.js';
import { formatFen } from './money.js';
import { refundStatusColors } from './orderColumns.js';
import type { AdminBalanceRefundDetail, BalanceRefund } from './types.js';
import { EducationId } from '../EducationId.js';

export const balanceRefundKey = (id: string) => ['admin-balance-refund', id] as const;
export const balanceRefundStatusColors: Record<BalanceRefund['status'], string> = { refunding: 'processing', awaiting_outlet: 'gold', completed: 'green' };

interface OutletForm {
  identityChecked: boolean;
  outlet: string;
  reference: string;
}

/**
 * The outlet flow: the operator checks the holder's ID document against the masked record,
 * records where and how the money was paid (cash receipt or transfer number), and confirms.
 */
function OutletPayoutForm({ detail, p }: { detail: AdminBalanceRefundDetail; p: PaymentTexts }) {
  const { lang } = useLang();
  const { message, modal } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<OutletForm>();
  const amount = formatFen(detail.amountFen);
  const complete = useIdempotentMutation({
    mutationFn: (body: { outlet: string; reference: string }, idempotencyKey) => admin.mutate<BalanceRefund>('POST', `/admin/balance-refunds/${detail.id}/complete`, body, idempotencyKey),
    onSuccess: async () => {
      void message.success(fill(p.paidOut, { amount }));
      await Promise.all([queryClient.invalidateQueries({ queryKey: balanceRefundKey(detail.id) }), queryClient.invalidateQueries({ queryKey: ['/admin/balance-refunds'] })]);
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const submit = ({ outlet, reference }: OutletForm) =>
    modal.confirm({
      title: fill(p.payOutConfirm, { amount }),
      content: `${detail.student.name} · ${detail.student.idNumber} · ${outlet.trim()} · ${reference.trim()}`,
      okText: fill(p.payOut, { amount }),
      okButtonProps: { 'data-testid': 'payout-confirm-ok' } as never,
      onOk: () => complete.mutateAsync({ outlet: outlet.trim(), reference: reference.trim() }).catch(() => undefined),
    });
  return (
    <Card size="small" title={p.outletFlow} data-testid="outlet-form">
      <Alert type="warning" showIcon title={p.outletNote} style={{ marginBottom: 16 }} />
      <Form<OutletForm> form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="identityChecked" valuePropName="checked" rules={[{ validator: (_, checked: boolean) => (checked ? Promise.resolve() : Promise.reject(new Error(p.identityRequired))) }]}>
          <Checkbox data-testid="identity-checked">{p.identityChecked}</Checkbox>
        </Form.Item>
        <Form.Item name="outlet" label={p.outlet} rules={[{ required: true, whitespace: true, max: 64, message: p.outletRequired }]}>
          <Input maxLength={64} data-testid="outlet-name" />
        </Form.Item>
        <Form.Item name="reference" label={p.outletReference} rules={[{ required: true, whitespace: true, max: 64, message: p.referenceRequired }]}>
          <Input maxLength={64} data-testid="outlet-reference" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={complete.isPending} data-testid="payout-submit">
          {fill(p.payOut, { amount })}
        </Button>
      </Form>
    </Card>
  );
}

function DetailBody({ detail, operator }: { detail: AdminBalanceRefundDetail; operator: boolean }) {
  const p = useMessages(paymentMessages);
  const { lang } = useLang();
  const time = (iso: string | null) => (iso ? formatBeijingTime(iso, lang) : '—');
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Descriptions size="small" bordered column={1} data-testid="balance-refund-summary" items={[
        { key: 'amount', label: p.amount, children: <strong>{formatFen(detail.amountFen)}</strong> },
        { key: 'status', label: p.status, children: <Tag color={balanceRefundStatusColors[detail.status]}>{payLabel(p, 'br', detail.status)}</Tag> },
        { key: 'route', label: p.route, children: payLabel(p, 'route', detail.route) },
        { key: 'holder', label: p.holder, children: <span data-testid="holder-name">{detail.student.name}</span> },
        { key: 'gender', label: p.gender, children: payLabel(p, 'gender', detail.student.gender) },
        { key: 'idNumber', label: p.idNumber, children: <span data-testid="holder-id-number">{detail.student.idNumber}</span> },
        { key: 'educationId', label: p.educationId, children: <EducationId id={detail.student.educationId} /> },
        { key: 'school', label: p.school, children: detail.student.schoolName },
        { key: 'createdAt', label: p.createdAt, children: time(detail.createdAt) },
      ]} />
      {detail.status === 'completed' && detail.route === 'outlet' && (
        <Card size="small" title={p.payout} data-testid="payout">
          <Space size={32} wrap>
            <Statistic title={p.payout} value={formatFen(detail.payout?.amountFen ?? detail.amountFen)} />
            <Descriptions size="small" column={1} items={[
              { key: 'outlet', label: p.outlet, children: detail.outlet ?? '—' },
              { key: 'reference', label: p.outletReference, children: detail.outletReference ?? '—' },
              { key: 'completedBy', label: p.completedBy, children: detail.completedBy ?? '—' },
              { key: 'completedAt', label: p.completedAt, children: time(detail.completedAt) },
              { key: 'ledger', label: p.ledgerTransaction, children: detail.payout ? <Typography.Text code copyable={{ text: detail.payout.transactionId }}>…{detail.payout.transactionId.slice(-8)}</Typography.Text> : '—' },
            ]} />
          </Space>
        </Card>
      )}
      {detail.status === 'awaiting_outlet' && (operator ? <OutletPayoutForm detail={detail} p={p} /> : <Alert type="info" showIcon title={p.readOnly} />)}
      {detail.refunds.length > 0 && (
        <Card size="small" title={p.gatewayRefunds}>
          {detail.refunds.map((r) => (
            <div key={r.id}>
              {payLabel(p, 'gateway', r.gateway)} {formatFen(r.amountFen)} <Tag color={refundStatusColors[r.status]}>{payLabel(p, 'refund', r.status)}</Tag>
              {r.lastError && <Typography.Text type="danger"> {r.lastError}</Typography.Text>}
            </div>
          ))}
        </Card>
      )}
    </Space>
  );
}

/** One balance refund: the holder (masked), the outlet payout form, and what was paid out. */
export function BalanceRefundDrawer({ id, operator, onClose }: { id: string | undefined; operator: boolean; onClose: () => void }) {
  const p = useMessages(paymentMessages);
  const api = useApi();
  const detail = useQuery({
    queryKey: balanceRefundKey(id ?? ''),
    queryFn: ({ signal }) => api.get<AdminBalanceRefundDetail>(`/admin/balance-refunds/${id}`, undefined, signal),
    enabled: Boolean(id),
  });
  let body: ReactNode = null;
  if (detail.isPending) body = <Skeleton active paragraph={{ rows: 8 }} />;
  else if (detail.isError) {
    const missing = detail.error instanceof ApiError && [400, 403, 404].includes(detail.error.status);
    body = missing ? <Result status="404" title={p.notFound} /> : <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  } else body = <DetailBody detail={detail.data} operator={operator} />;
  return (
    <Drawer open={Boolean(id)} onClose={onClose} title={p.balanceRefundDetail} size={560} destroyOnHidden>
      <div data-testid="balance-refund-drawer">{id && body}</div>
    </Drawer>
  );
}
