import { ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Input, InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { maskCardNo } from '../../../../src/domain/masking.js';
import { formatYuan } from '../../../../src/domain/money.js';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { LoadError } from '../LoadError.js';
import { cardMessages } from '../cards/messages.js';
import { transitAdminMessages, type TransitAdminText } from './messages.js';
import type { Reconciliation, ReconciliationReason, ReconciliationRow } from './types.js';

/** The server's reasons, and one the console derives: fares the suspense account covered for a short purse. */
type Exception = ReconciliationReason | 'SHORTFALL';
const exceptions: readonly Exception[] = ['BALANCE_DIFFERS', 'COUNTER_GAPS', 'SHORTFALL', 'TAPS_STOPPED'];
const reasonColor: Record<Exception, string> = { BALANCE_DIFFERS: 'red', COUNTER_GAPS: 'orange', SHORTFALL: 'magenta', TAPS_STOPPED: 'blue' };

export function exceptionsOf(row: ReconciliationRow): Exception[] {
  return [...row.reasons, ...(row.suspenseFen > 0 ? (['SHORTFALL'] as const) : [])];
}

const money = (fen: number) => <span className="mono">{formatYuan(fen)}</span>;

/** 乘车对账: per-card exceptions between the shadow purses and what the cards reported. Operators only (App.tsx). */
export function TransitReconciliationPage() {
  const t = useMessages(transitAdminMessages);
  const cardText = useMessages(cardMessages) as Record<string, string>;
  const { lang } = useLang();
  const api = useApi();
  const [staleDays, setStaleDays] = useState(7);
  const [reason, setReason] = useState<Exception | 'all'>('all');
  const [search, setSearch] = useState('');
  const report = useQuery({
    queryKey: ['transit', 'reconciliation', staleDays],
    queryFn: ({ signal }) => api.get<Reconciliation>('/admin/transit/reconciliation', { staleDays, limit: 5000 }, signal),
    placeholderData: keepPreviousData,
    // A report: read afresh each time the page is opened.
    staleTime: 0,
  });
  const all = useMemo(() => report.data?.items ?? [], [report.data]);
  const rows = useMemo(() => {
    const digits = search.replace(/\D/g, '');
    return all.filter((row) => (reason === 'all' || exceptionsOf(row).includes(reason)) && (digits === '' || row.cardNo.includes(digits)));
  }, [all, reason, search]);
  const shortfall = all.reduce((sum, row) => sum + row.suspenseFen, 0);

  return (
    <Card
      title={t.reconciliation}
      extra={<Button icon={<ReloadOutlined />} onClick={() => void report.refetch()} loading={report.isFetching} data-testid="transit-recon-refresh">{t.refresh}</Button>}
    >
      <Typography.Paragraph type="secondary">{t.reconciliationNote}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }} data-testid="transit-recon-filters">
        <Space.Compact>
          <Space.Addon>{t.staleDays}</Space.Addon>
          <InputNumber<number> min={1} max={365} precision={0} value={staleDays} onChange={(v) => v && setStaleDays(v)} suffix={t.staleDaysSuffix} data-testid="transit-recon-stale" />
        </Space.Compact>
        <Select<Exception | 'all'>
          style={{ width: 180 }}
          value={reason}
          onChange={setReason}
          data-testid="transit-recon-reason"
          options={[{ value: 'all', label: t.allReasons }, ...exceptions.map((value) => ({ value, label: t[`reason_${value}`] }))]}
        />
        <Input.Search allowClear placeholder={t.searchCard} style={{ width: 220 }} onSearch={setSearch} onChange={(e) => e.target.value === '' && setSearch('')} data-testid="transit-recon-search" />
      </Space>
      {report.isError && <LoadError error={report.error} onRetry={() => void report.refetch()} />}
      {report.data && (
        <Typography.Paragraph data-testid="transit-recon-summary">
          {all.length > 0 && `${fill(t.summary, { n: all.length, amount: formatYuan(shortfall) })} · `}
          <Typography.Text type="secondary">{fill(t.generatedAt, { time: formatBeijingTime(report.data.generatedAt, lang) })}</Typography.Text>
        </Typography.Paragraph>
      )}
      <Table<ReconciliationRow>
        data-testid="transit-recon-table"
        rowKey="cardId"
        size="small"
        loading={report.isFetching}
        dataSource={rows}
        pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: 1200 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span data-testid="transit-recon-empty">{all.length === 0 ? t.noExceptions : t.noMatches}</span>} /> }}
        columns={[
          { title: t.cardNo, dataIndex: 'cardNo', width: 150, render: (v: string, row) => <Link to={`/cards/${row.cardId}`} className="mono" data-testid="transit-recon-card">{maskCardNo(v)}</Link> },
          { title: t.reason, key: 'reasons', width: 200, render: (_: unknown, row) => <Reasons row={row} t={t} /> },
          { title: t.cardStatus, dataIndex: 'status', width: 90, render: (v: string) => cardText[`status_${v}`] ?? v },
          { title: t.shadow, dataIndex: 'shadowBalanceFen', align: 'right', render: money },
          { title: t.reported, dataIndex: 'reportedBalanceFen', align: 'right', render: money },
          { title: t.unapplied, dataIndex: 'unappliedTopUpFen', align: 'right', render: money },
          {
            title: t.difference, dataIndex: 'differenceFen', align: 'right',
            render: (v: number) => <Typography.Text type={v === 0 ? undefined : 'danger'} className="mono" data-testid="transit-recon-difference">{formatYuan(v)}</Typography.Text>,
          },
          { title: t.shortfall, dataIndex: 'suspenseFen', align: 'right', render: (v: number) => <span className="mono" data-testid="transit-recon-shortfall">{formatYuan(v)}</span> },
          { title: t.taps, dataIndex: 'tapCount', align: 'right', width: 80 },
          { title: t.missing, dataIndex: 'missingCounters', align: 'right', width: 70 },
          { title: t.lastTap, dataIndex: 'lastTapAt', width: 170, render: (v: string) => formatBeijingTime(v, lang) },
        ]}
      />
    </Card>
  );
}

function Reasons({ row, t }: { row: ReconciliationRow; t: TransitAdminText }) {
  return (
    <Space size={[0, 4]} wrap>
      {exceptionsOf(row).map((r) => (
        <Tooltip key={r} title={r}>
          <Tag color={reasonColor[r]} data-testid={`transit-recon-reason-${r}`}>{t[`reason_${r}`]}</Tag>
        </Tooltip>
      ))}
    </Space>
  );
}
