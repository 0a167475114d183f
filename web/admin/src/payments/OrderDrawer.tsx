import { Alert, Button, Card, Descriptions, Drawer, Empty, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { LoadError } from '../LoadError.js';
import { payLabel, paymentMessages, type PaymentTexts } from './messages.js';
import { formatFen } from './money.js';
import { OrderStatusTag, refundStatusColors } from './orderColumns.js';
import { RefundModal } from './RefundModal.js';
import { AbnormalRefundActions, refundWhere } from './AbnormalRefundActions.js';
import type { AdminOrderDetail } from './types.js';
import { useOrder } from './useOrder.js';
import { EducationId } from '../EducationId.js';

const empty = (text: string) => ({ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} /> });

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Card size="small" title={title} data-testid={testId}>
      {children}
    </Card>
  );
}

function Summary({ detail, p }: { detail: AdminOrderDetail; p: PaymentTexts }) {
  const { lang } = useLang();
  const o = detail.order;
  const time = (iso: string | null) => (iso ? formatBeijingTime(iso, lang) : '—');
  return (
    <Descriptions size="small" bordered column={1} data-testid="order-summary" items={[
      { key: 'orderNo', label: p.orderNo, children: <Typography.Text code copyable>{o.orderNo}</Typography.Text> },
      { key: 'status', label: p.status, children: <OrderStatusTag status={o.status} p={p} /> },
      { key: 'student', label: p.student, children: <>{o.studentName} · <EducationId id={o.educationId} /> · {o.schoolName}</> },
      { key: 'kind', label: p.kind, children: payLabel(p, 'kind', o.kind) },
      { key: 'item', label: p.item, children: o.item.name },
      { key: 'payee', label: p.payee, children: o.item.payee },
      ...(o.item.feeCode ? [{ key: 'feeCode', label: p.feeCode, children: o.item.feeCode }] : []),
      ...(o.item.documentNo ? [{ key: 'documentNo', label: p.documentNo, children: o.item.documentNo }] : []),
      { key: 'amount', label: p.amount, children: <strong>{formatFen(o.amountFen)}</strong> },
      { key: 'refunded', label: p.refunded, children: formatFen(o.refundedFen) },
      { key: 'gateway', label: p.gateway, children: o.gateway ? payLabel(p, 'gateway', o.gateway) : '—' },
      { key: 'tradeNo', label: p.tradeNo, children: o.gatewayTradeNo ?? '—' },
      { key: 'createdAt', label: p.createdAt, children: time(o.createdAt) },
      { key: 'paidAt', label: p.paidAt, children: time(o.paidAt) },
      ...(o.closedAt ? [{ key: 'closedAt', label: p.closedAt, children: time(o.closedAt) }] : []),
    ]} />
  );
}

function DetailBody({ detail, operator }: { detail: AdminOrderDetail; operator: boolean }) {
  const p = useMessages(paymentMessages);
  const { lang } = useLang();
  const [refunding, setRefunding] = useState(false);
  const time = (iso: string | null) => (iso ? formatBeijingTime(iso, lang) : '—');
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Summary detail={detail} p={p} />
      {operator ? (
        detail.refundableFen > 0 && (
          <Button danger onClick={() => setRefunding(true)} data-testid="order-refund">
            {p.refund}（{p.refundable} {formatFen(detail.refundableFen)}）
          </Button>
        )
      ) : (
        <Alert type="info" showIcon title={p.readOnly} />
      )}
      <Section title={p.attempts} testId="order-attempts">
        <Table size="small" rowKey="id" pagination={false} locale={empty(p.noAttempts)} dataSource={detail.attempts} columns={[
          { title: p.gateway, dataIndex: 'gateway', render: (g: string) => payLabel(p, 'gateway', g) },
          { title: p.createdAt, dataIndex: 'createdAt', render: time },
        ]} />
      </Section>
      <Section title={p.notifications} testId="order-notifications">
        <Table size="small" rowKey="id" pagination={false} scroll={{ x: 'max-content' }} locale={empty(p.noNotifications)} dataSource={detail.notifications} columns={[
          { title: p.receivedAt, dataIndex: 'receivedAt', render: time },
          { title: p.gateway, dataIndex: 'gateway', render: (g: string) => payLabel(p, 'gateway', g) },
          { title: p.verified, dataIndex: 'verified', render: (ok: boolean) => <Tag color={ok ? 'green' : 'red'}>{ok ? p.verifiedYes : p.verifiedNo}</Tag> },
          { title: p.outcome, dataIndex: 'outcome', render: (o: string) => payLabel(p, 'outcome', o) },
          { title: p.amount, dataIndex: 'amountFen', render: (fen: number | null) => (fen === null ? '—' : formatFen(fen)) },
          { title: p.errorCode, dataIndex: 'errorCode', render: (c: string | null) => c ?? '—' },
        ]} />
      </Section>
      <Section title={p.refunds} testId="order-refunds">
        <Table size="small" rowKey="id" pagination={false} scroll={{ x: 'max-content' }} locale={empty(p.noRefunds)} dataSource={detail.refunds} columns={[
          { title: p.createdAt, dataIndex: 'createdAt', render: time },
          { title: p.amount, dataIndex: 'amountFen', render: formatFen },
          { title: p.reason, dataIndex: 'reason', render: (r: string) => payLabel(p, 'reason', r) },
          { title: p.status, dataIndex: 'status', render: (s: string) => <Tag color={refundStatusColors[s] ?? 'gold'}>{payLabel(p, 'refund', s)}</Tag> },
          { title: p.tries, dataIndex: 'attempts' },
          { title: p.lastError, dataIndex: 'lastError', render: (e: string | null) => e ?? '—' },
          { title: p.refundWhere, key: 'where', render: (_, r) => refundWhere(r, p, lang) },
          { title: p.completedAt, dataIndex: 'completedAt', render: time },
          ...(operator ? [{ title: p.refundSettle, key: 'settle', render: (_: unknown, r: AdminOrderDetail['refunds'][number]) => <AbnormalRefundActions refund={r} orderId={detail.order.id} /> }] : []),
        ]} />
      </Section>
      <Section title={p.ledger} testId="order-ledger">
        <Table size="small" rowKey="id" pagination={false} scroll={{ x: 'max-content' }} locale={empty(p.noLedger)} dataSource={detail.ledger} columns={[
          { title: p.createdAt, dataIndex: 'createdAt', render: time },
          { title: p.kind, dataIndex: 'type', render: (type: string) => payLabel(p, 'ledgerType', type) },
          { title: p.memo, dataIndex: 'memo', render: (m: string | null) => m ?? '—' },
          {
            title: `${p.account} · ${p.debit} / ${p.credit}`,
            key: 'postings',
            render: (_, tx) => (
              <Space orientation="vertical" size={0}>
                {tx.postings.map((posting, i) => (
                  <Typography.Text key={i} style={{ fontSize: 12 }}>
                    <Typography.Text code>{posting.accountCode}</Typography.Text>{' '}
                    {posting.debitFen > 0 ? `${p.debit} ${formatFen(posting.debitFen)}` : `${p.credit} ${formatFen(posting.creditFen)}`}
                  </Typography.Text>
                ))}
              </Space>
            ),
          },
        ]} />
      </Section>
      {operator && <RefundModal detail={detail} open={refunding} onClose={() => setRefunding(false)} />}
    </Space>
  );
}

/** One order, everything that happened to it, and (operators) the refund action. */
export function OrderDrawer({ orderId, operator, onClose }: { orderId: string | undefined; operator: boolean; onClose: () => void }) {
  const p = useMessages(paymentMessages);
  const detail = useOrder(orderId);
  let body: ReactNode = null;
  if (detail.isPending) body = <Skeleton active paragraph={{ rows: 10 }} />;
  else if (detail.isError) {
    const missing = detail.error instanceof ApiError && [400, 403, 404].includes(detail.error.status);
    body = missing ? <Result status="404" title={p.notFound} /> : <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  } else body = <DetailBody detail={detail.data} operator={operator} />;
  return (
    <Drawer open={Boolean(orderId)} onClose={onClose} title={p.orderDetail} size={720} destroyOnHidden>
      <div data-testid="order-drawer">{orderId && body}</div>
    </Drawer>
  );
}
