import { Button, Space, Tag, Typography, type TableColumnsType } from 'antd';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { fulfilmentMessages, statusColors, statusText } from './messages.js';
import type { Delivery } from './types.js';
import { useFulfilmentAction } from './useAction.js';

/**
 * Deliveries: a school's parcel (the card manager confirms receipt, then hands cards over on the
 * applications page) and home parcels with the courier's tracking.
 */
export function DeliveriesPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const act = useFulfilmentAction(() => t.done);

  const columns: TableColumnsType<Delivery> = [
    { title: t.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.delivery, dataIndex: 'method', render: (m: Delivery['method']) => (m === 'school' ? t.method_school : t.method_home) },
    { title: t.school, dataIndex: 'schoolName' },
    { title: t.applicationsCount, dataIndex: 'applicationCount' },
    { title: t.student, key: 'recipient', render: (_, row) => (row.recipientMasked ? `${row.recipientMasked} ${row.phoneMasked ?? ''}` : t.none) },
    { title: t.trackingNo, key: 'tracking', render: (_, row) => (row.trackingNo ? `${row.courier ?? ''} ${row.trackingNo}` : t.none) },
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: Delivery) => <Tag color={statusColors[row.status]} data-testid="delivery-status" data-status={row.status}>{lang === 'en' ? row.statusLabel.en : row.statusLabel.zh}</Tag> },
    { title: t.events, key: 'events', render: (_, row) => row.events.map((e) => <div key={e.at + e.description}><Typography.Text type="secondary">{formatBeijingTime(e.at, lang)}</Typography.Text> {e.description}</div>) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space>
          {row.method === 'school' && row.status === 'in_transit' && (
            <Button size="small" type="primary" data-testid="delivery-received" loading={act.isPending} onClick={() => act.mutate({ path: `/admin/fulfilment/deliveries/${row.id}/received` })}>{t.received}</Button>
          )}
          {row.method === 'home' && row.status !== 'delivered' && row.status !== 'returned' && (
            <Button size="small" loading={act.isPending} onClick={() => act.mutate({ path: `/admin/fulfilment/deliveries/${row.id}/refresh` })}>{t.refresh}</Button>
          )}
        </Space>
      ),
    },
  ];

  const filters: SelectFilter[] = [
    { name: 'method', placeholder: t.delivery, options: [{ value: 'school', label: t.method_school }, { value: 'home', label: t.method_home }] },
    { name: 'status', placeholder: t.allStatuses, options: (['created', 'in_transit', 'delivered', 'failed', 'returned'] as const).map((s) => ({ value: s, label: statusText(t, 'ds', s) })), minWidth: 160, testId: 'delivery-status-select' },
  ];

  return (
    <ServerTable<Delivery>
      testId="deliveries-table"
      title={t.deliveries}
      path="/admin/fulfilment/deliveries"
      schoolFilter={operator}
      selectFilters={filters}
      emptyText={t.noRows}
      columns={columns}
    />
  );
}
