import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { fill, formatBeijingTime, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { transitAdminMessages, type TransitAdminText } from './messages.js';
import { RegisterTerminalModal, terminalsKey } from './RegisterTerminalModal.js';
import type { TerminalList, TerminalRow } from './types.js';
import { SectionTable } from '../SectionTable.js';

function time(iso: string | null, lang: Lang, t: TransitAdminText) {
  return iso ? formatBeijingTime(iso, lang) : <Typography.Text type="secondary">{t.never}</Typography.Text>;
}

function DenyListCell({ row, head, t, lang }: { row: TerminalRow; head: number; t: TransitAdminText; lang: Lang }) {
  if (row.denyListVersion === null) return <Tag data-testid="deny-list-never">{t.denyListNever}</Tag>;
  const behind = row.denyListBehind ?? head - row.denyListVersion;
  const tag = behind > 0 ? <Tag color="orange">{fill(t.denyListBehind, { n: behind })}</Tag> : <Tag color="green">{t.denyListCurrent}</Tag>;
  return (
    <Tooltip title={row.denyListPolledAt ? fill(t.denyListPolledAt, { time: formatBeijingTime(row.denyListPolledAt, lang) }) : undefined}>
      <Space size={4} data-testid="deny-list-version">
        <span className="mono">v{row.denyListVersion} / v{head}</span>
        {tag}
      </Space>
    </Tooltip>
  );
}

/** 终端管理: registered terminals with their last upload and deny-list version; registering one. Operators only (App.tsx). */
export function TerminalsPage() {
  const t = useMessages(transitAdminMessages);
  const { lang } = useLang();
  const api = useApi();
  const [registering, setRegistering] = useState(false);
  const list = useQuery({ queryKey: terminalsKey, queryFn: ({ signal }) => api.get<TerminalList>('/admin/terminals', undefined, signal), staleTime: 0 });
  const head = list.data?.denyListVersion ?? 0;

  return (
    <Card
      title={t.terminals}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching} data-testid="terminals-refresh">{t.refresh}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="terminal-register">{t.register}</Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t.terminalsNote}</Typography.Paragraph>
      {list.data && <Typography.Paragraph data-testid="deny-list-head">{fill(t.currentDenyList, { version: head })}</Typography.Paragraph>}
      <SectionTable<TerminalRow>
        data-testid="terminals-table"
        rowKey="id"
        load={list}
        rows={list.data?.items}
        emptyText={t.noTerminals}
        pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: 1450 }}
        columns={[
          { title: t.code, dataIndex: 'code', width: 160, render: (v: string) => <span className="mono" style={{ whiteSpace: 'nowrap' }}>{v}</span> },
          { title: t.kind, dataIndex: 'kind', width: 110, render: (v: string) => (t as Record<string, string>)[`kind_${v}`] ?? v },
          { title: t.operator, dataIndex: 'operator', width: 140 },
          { title: t.location, dataIndex: 'location', width: 140, render: (v: string | null) => v ?? '—' },
          { title: t.status, dataIndex: 'disabled', width: 80, render: (v: boolean) => (v ? <Tag color="red">{t.disabled}</Tag> : <Tag color="green">{t.active}</Tag>) },
          { title: t.lastUpload, dataIndex: 'lastUploadAt', width: 170, render: (v: string | null) => <span data-testid="terminal-last-upload">{time(v, lang, t)}</span> },
          { title: t.lastSeen, dataIndex: 'lastSeenAt', width: 170, render: (v: string | null) => time(v, lang, t) },
          { title: t.ackSeq, dataIndex: 'ackSeq', width: 100, align: 'right', render: (v: number) => <span data-testid="terminal-ack-seq">{v}</span> },
          { title: t.settledTaps, dataIndex: 'settledTaps', width: 100, align: 'right', render: (v: number) => <span data-testid="terminal-settled">{v}</span> },
          { title: t.denyList, key: 'denyList', width: 210, render: (_: unknown, row) => <DenyListCell row={row} head={head} t={t} lang={lang} /> },
        ]}
      />
      <RegisterTerminalModal open={registering} onClose={() => setRegistering(false)} />
    </Card>
  );
}
