import { Tag, Typography, type TableColumnsType } from 'antd';
import { formatBeijingTime, type Lang } from '../../../shared/i18n.js';
import { payLabel, type PaymentTexts } from './messages.js';
import { formatFen } from './money.js';
import type { AdminOrderRow } from './types.js';
import { EducationId } from '../EducationId.js';

export const orderStatusColors: Record<AdminOrderRow['status'], string> = {
  created: 'gold', paying: 'processing', paid: 'cyan', fulfilled: 'green', cancelled: 'default', expired: 'default', refunded: 'purple',
};

/** A gateway refund's status: waiting, back with the payer, or given up by the gateway. */
export const refundStatusColors: Record<string, string> = { requested: 'gold', succeeded: 'green', failed: 'red', offline_due: 'orange', superseded: 'default' };

export function OrderStatusTag({ status, p }: { status: AdminOrderRow['status']; p: PaymentTexts }) {
  return <Tag color={orderStatusColors[status]}>{payLabel(p, 'order', status)}</Tag>;
}

/** Names arrive masked from the server and are shown as they are. */
export function orderColumns(p: PaymentTexts, lang: Lang, showSchool: boolean): TableColumnsType<AdminOrderRow> {
  return [
    { title: p.orderNo, dataIndex: 'orderNo', render: (no: string) => <Typography.Text code>{no}</Typography.Text> },
    { title: p.student, key: 'student', render: (_, row) => <span>{row.studentName} <EducationId id={row.educationId} /></span> },
    ...(showSchool ? [{ title: p.school, dataIndex: 'schoolName' }] : []),
    { title: p.kind, dataIndex: 'kind', render: (kind: string) => payLabel(p, 'kind', kind) },
    { title: p.amount, dataIndex: 'amountFen', align: 'right', render: (fen: number, row) => <span>{formatFen(fen)}{row.refundedFen > 0 && <Typography.Text type="secondary"> / {p.refunded} {formatFen(row.refundedFen)}</Typography.Text>}</span> },
    { title: p.status, dataIndex: 'status', render: (status: AdminOrderRow['status']) => <OrderStatusTag status={status} p={p} /> },
    { title: p.gateway, dataIndex: 'gateway', render: (gateway: string | null) => (gateway ? payLabel(p, 'gateway', gateway) : '—') },
    { title: p.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
  ];
}
