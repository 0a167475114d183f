import { Button, Select, Space, Tag, Typography, type TableColumnsType } from 'antd';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import { usePageParams } from '../usePageParams.js';
import { fulfilmentMessages, statusColors, statusText } from './messages.js';
import type { Delivery } from './types.js';
import { useFulfilmentAction } from './useAction.js';

const filterNames = ['status', 'method', 'schoolId'] as const;

/**
 * Deliveries: a school's parcel (the card manager confirms receipt, then hands cards over on the
 * applications page) and home parcels with the courier's tracking.
 */
export function DeliveriesPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const { filters, setFilters } = usePageParams(undefined, filterNames);
  const act = useFulfilmentAction(() => t.done);

  const columns: TableColumnsType<Delivery> = [
    { title: t.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.delivery, dataIndex: 'method', render: (m: Delivery['method']) => (m === 'school' ? t.method_school : t.method_home) },
    { title: t.school, dataIndex: 'schoolName' },
    { title: t.applicationsCount, dataIndex: 'applicationCount' },
    { title: t.student, key: 'recipient', render: (_, row) => (row.recipientMasked ? `${row.recipientMasked} ${row.phoneMasked ?? ''}` : t.none) },
    { title: t.trackingNo, key: 'tracking', render: (_, row) => (row.trackingNo ? `${row.courier ?? ''} ${row.trackingNo}` : t.none) },
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: Delivery) => <Tag color={statusColors[row.status]}>{lang === 'en' ? row.statusLabel.en : row.statusLabel.zh}</Tag> },
    { title: t.events, key: 'events', render: (_, row) => row.events.map((e) => <div key={e.at + e.description}><Typography.Text type="secondary">{formatBeijingTime(e.at, lang)}</Typography.Text> {e.description}</div>) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space>
          {row.method === 'school' && row.status === 'in_transit' && (
            <Button size="small" type="primary" data-testid="delivery-received" loading={act.isPending} onClick={() => act.mutate({ path: `/admin/fulfilment/deliveries/${row.id}/received` })}>{t.received}</Button>
          )}
          {row.method === 'home' && row.status !== 'delivered' && (
            <Button size="small" loading={act.isPending} onClick={() => act.mutate({ path: `/admin/fulfilment/deliveries/${row.id}/refresh` })}>{t.refresh}</Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <ServerTable<Delivery>
      testId="deliveries-table"
      title={t.deliveries}
      path="/admin/fulfilment/deliveries"
      query={{ status: filters.status, method: filters.method, schoolId: operator ? filters.schoolId : undefined }}
      emptyText={t.noRows}
      columns={columns}
      toolbar={
        <Space wrap>
          {operator && <SchoolSelect value={filters.schoolId} onChange={(id) => setFilters({ schoolId: id })} />}
          <Select<string> allowClear placeholder={t.delivery} value={filters.method} onChange={(m) => setFilters({ method: m ?? null })}
            options={[{ value: 'school', label: t.method_school }, { value: 'home', label: t.method_home }]} style={{ minWidth: 120 }} />
          <Select<string> allowClear placeholder={t.allStatuses} value={filters.status} onChange={(s) => setFilters({ status: s ?? null })}
            options={(['created', 'in_transit', 'delivered', 'failed'] as const).map((s) => ({ value: s, label: statusText(t, 'ds', s) }))} style={{ minWidth: 120 }} />
        </Space>
      }
    />
  );
}
