import { Button, Popconfirm, Space, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { fill, formatBeijingTime, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { fulfilmentMessages, statusColors, statusText, type FulfilmentTexts } from './messages.js';
import type { Delivery } from './types.js';
import { useFulfilmentAction } from './useAction.js';

/** Home parcels an operator may mark back at the card centre (退件已签收): the server refuses the others. */
const markableStatuses: ReadonlySet<Delivery['status']> = new Set(['in_transit', 'failed']);
const returnedPath = (deliveryId: string) => `/admin/fulfilment/deliveries/${deliveryId}/returned`;

/** The last tracking round's failure, kept by the server until a round goes well; the full text and when it was asked on hover. */
function TrackingError({ row, t, lang }: { row: Delivery; t: FulfilmentTexts; lang: Lang }) {
  if (!row.trackingError) return null;
  const askedAt = row.trackedAt ? fill(t.trackingFailedAt, { time: formatBeijingTime(row.trackedAt, lang) }) : null;
  return (
    <Tooltip title={<>{row.trackingError}{askedAt && <div>{askedAt}</div>}</>}>
      <Tag color="warning" data-testid="delivery-tracking-error" style={{ maxWidth: 240, overflow: 'hidden', textOverflow: 'ellipsis', verticalAlign: 'bottom' }}>
        {t.trackingFailed}：{row.trackingError}
      </Tag>
    </Tooltip>
  );
}

/**
 * Deliveries: a school's parcel (the card manager confirms receipt, then hands cards over on the
 * applications page) and home parcels with the courier's tracking. An operator marks a home parcel
 * the courier never reports back as back at the card centre (退件已签收).
 */
export function DeliveriesPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const text = (value: { zh: string; en: string }) => (lang === 'en' ? value.en : value.zh);
  const act = useFulfilmentAction(() => t.done);
  // Its own mutation: one Idempotency-Key per parcel marked, kept while that parcel's request is retried.
  const markReturned = useFulfilmentAction(() => t.markReturnedDone);

  const columns: TableColumnsType<Delivery> = [
    { title: t.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.delivery, dataIndex: 'method', render: (m: Delivery['method']) => (m === 'school' ? t.method_school : t.method_home) },
    { title: t.school, dataIndex: 'schoolName' },
    { title: t.applicationsCount, dataIndex: 'applicationCount' },
    { title: t.student, key: 'recipient', render: (_, row) => (row.recipientMasked ? `${row.recipientMasked} ${row.phoneMasked ?? ''}` : t.none) },
    { title: t.trackingNo, key: 'tracking', render: (_, row) => (row.trackingNo ? <span data-testid="delivery-tracking-no">{row.courierName ? `${text(row.courierName)} ` : ''}{row.trackingNo}</span> : t.none) },
    {
      title: t.status, dataIndex: 'status',
      render: (_: unknown, row: Delivery) => (
        <Space size={4} wrap>
          <Tag color={statusColors[row.status]} data-testid="delivery-status" data-status={row.status}>{text(row.statusLabel)}</Tag>
          <TrackingError row={row} t={t} lang={lang} />
        </Space>
      ),
    },
    { title: t.events, key: 'events', render: (_, row) => row.events.map((e) => <div key={e.at + e.description.zh} data-testid="delivery-event"><Typography.Text type="secondary">{formatBeijingTime(e.at, lang)}</Typography.Text> {text(e.description)}</div>) },
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
          {operator && row.method === 'home' && markableStatuses.has(row.status) && (
            <Popconfirm
              title={t.markReturnedTitle}
              description={<div style={{ maxWidth: 320 }}>{t.markReturnedDescription}</div>}
              okText={t.confirm}
              cancelText={t.cancel}
              okButtonProps={{ 'data-testid': 'delivery-mark-returned-confirm' } as never}
              // Awaited so the confirm button spins; a refusal is the hook's toast.
              onConfirm={() => markReturned.mutateAsync({ path: returnedPath(row.id) }).catch(() => undefined)}
            >
              <Button size="small" data-testid="delivery-mark-returned" loading={markReturned.isPending && markReturned.variables?.path === returnedPath(row.id)}>{t.markReturned}</Button>
            </Popconfirm>
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
