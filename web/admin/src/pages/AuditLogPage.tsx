import { Space, Typography, type TableColumnsType } from 'antd';
import type { AuditEntryRow } from '../../../../src/modules/admin/admin.routes.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { labelOf, messages } from '../messages.js';
import { ServerTable } from '../ServerTable.js';

/** Ids are UUIDv7, whose start is a timestamp shared by neighbours: show the random end, copy the whole. */
function ShortId({ id }: { id: string | null }) {
  if (!id) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Typography.Text code copyable={{ text: id }} title={id}>
      …{id.slice(-8)}
    </Typography.Text>
  );
}

export function AuditLogPage() {
  const t = useMessages(messages);
  const { lang } = useLang();

  const columns: TableColumnsType<AuditEntryRow> = [
    { title: t.at, dataIndex: 'at', width: 190, render: (at: string) => formatBeijingTime(at, lang) },
    {
      title: t.actor,
      key: 'actor',
      render: (_, row) => (
        <Space size={4}>
          {labelOf(t, 'role', row.actorRole)}
          <ShortId id={row.actorId} />
        </Space>
      ),
    },
    { title: t.action, dataIndex: 'action', render: (action: string) => <Typography.Text code>{action}</Typography.Text> },
    {
      title: t.entity,
      key: 'entity',
      render: (_, row) => (
        <Space size={4}>
          {row.entityType}
          <ShortId id={row.entityId} />
        </Space>
      ),
    },
  ];
  return (
    <ServerTable<AuditEntryRow>
      testId="audit-table"
      title={t.auditLog}
      path="/admin/audit-log"
      filterParam="entityId"
      filterPlaceholder={t.entityIdFilter}
      emptyText={t.noAudit}
      columns={columns}
    />
  );
}
