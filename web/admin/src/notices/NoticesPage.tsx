import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Space, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { noticeAdminMessages } from './messages.js';
import { NoticeModal } from './NoticeModal.js';
import { noticesPath, type AdminNotice } from './types.js';

const statusColors = { draft: 'default', published: 'green', withdrawn: 'red' } as const;

/**
 * 公告管理 (seeds 001, 004): the card centre's city-wide notices (the holiday payment-time tables)
 * and each school's, with how many students and parents have read them. Operators see and write
 * all; a school card manager their own school's.
 */
export function NoticesPage() {
  const t = useMessages(noticeAdminMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const { mutate } = useAdminApi();
  const { message, modal } = App.useApp();
  const client = useQueryClient();
  const [editing, setEditing] = useState<{ notice: AdminNotice | null } | null>(null);
  const move = useIdempotentMutation({
    mutationFn: ({ id, event }: { id: string; event: 'publish' | 'withdraw' }, idempotencyKey) => mutate<AdminNotice>('POST', `${noticesPath}/${id}/${event}`, undefined, idempotencyKey),
    onSuccess: async (notice) => {
      void message.success(notice.status === 'published' ? t.published : t.withdrawn);
      await client.invalidateQueries({ queryKey: [noticesPath] });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const confirm = (notice: AdminNotice, event: 'publish' | 'withdraw') =>
    modal.confirm({
      title: fill(event === 'publish' ? t.publishConfirm : t.withdrawConfirm, { title: notice.title }),
      okText: event === 'publish' ? t.publish : t.withdraw,
      okButtonProps: { 'data-testid': `notice-${event}-ok`, danger: event === 'withdraw' } as never,
      onOk: () => move.mutateAsync({ id: notice.id, event }).catch(() => undefined),
    });

  const columns: TableColumnsType<AdminNotice> = [
    {
      title: t.title, dataIndex: 'title',
      render: (title: string, row) => (
        <Space size={4}>
          {row.pinned && <Tag color="volcano" data-testid="notice-pinned">{t.pinnedYes}</Tag>}
          <Typography.Text strong={row.status === 'published'}>{title}</Typography.Text>
        </Space>
      ),
    },
    { title: t.scope, key: 'scope', render: (_, row) => (row.schoolId ? row.schoolName : <Tag color="geekblue">{t.scope_city}</Tag>) },
    { title: t.audience, dataIndex: 'audience', render: (audience: AdminNotice['audience']) => (audience ? t[`audience_${audience}`] : t.audienceSchool) },
    { title: t.status, dataIndex: 'status', render: (s: AdminNotice['status']) => <Tag color={statusColors[s]} data-testid="notice-status">{t[`status_${s}`]}</Tag> },
    { title: t.publishedAt, dataIndex: 'publishedAt', render: (at: string | null) => (at ? formatBeijingTime(at, lang) : '—') },
    { title: t.reads, dataIndex: 'readCount', align: 'right', render: (n: number) => <span data-testid="notice-reads">{n}</span> },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space>
          {row.status !== 'withdrawn' && <Button size="small" onClick={() => setEditing({ notice: row })} data-testid="notice-edit">{t.edit}</Button>}
          {row.status === 'draft' && <Button size="small" type="primary" onClick={() => confirm(row, 'publish')} data-testid="notice-publish">{t.publish}</Button>}
          {row.status === 'published' && <Button size="small" danger onClick={() => confirm(row, 'withdraw')} data-testid="notice-withdraw">{t.withdraw}</Button>}
        </Space>
      ),
    },
  ];
  const statusFilter: SelectFilter = {
    name: 'status', placeholder: t.allStatuses, minWidth: 120, testId: 'notice-status-filter',
    options: (['draft', 'published', 'withdrawn'] as const).map((s) => ({ value: s, label: t[`status_${s}`] })),
  };
  const scopeFilter: SelectFilter = {
    name: 'scope', placeholder: t.allScopes, minWidth: 120, testId: 'notice-scope-filter',
    options: (['city', 'school'] as const).map((s) => ({ value: s, label: t[`scope_${s}`] })),
  };

  return (
    <>
      <ServerTable<AdminNotice>
        testId="notices-table"
        title={t.notices}
        path={noticesPath}
        schoolFilter={operator}
        selectFilters={operator ? [scopeFilter, statusFilter] : [statusFilter]}
        toolbar={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ notice: null })} data-testid="notice-new">{t.newNotice}</Button>}
        emptyText={t.noNotices}
        columns={columns}
      />
      <NoticeModal open={editing !== null} editing={editing?.notice ?? null} onClose={() => setEditing(null)} />
    </>
  );
}
