import { Space, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import type { AuditEntryRow } from '../../../../src/modules/admin/admin.routes.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { auditActionOptions, auditActionText } from '../audit/actionLabels.js';
import { auditEntityTypeText } from '../audit/entityTypeLabels.js';
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

/** An action in words with its group (audit/actionLabels.ts); the raw code on hover, and whole when the table has no words for it. */
function ActionCell({ action }: { action: string }) {
  const { lang } = useLang();
  const text = auditActionText(action, lang);
  if (!text.known) return <Typography.Text code data-testid="audit-action">{action}</Typography.Text>;
  return (
    <Space size={4}>
      <Tag data-testid="audit-action-group">{text.group}</Tag>
      <Tooltip title={action}>
        <span data-testid="audit-action" data-action={action}>{text.label}</span>
      </Tooltip>
    </Space>
  );
}

/** What the row is about in words (audit/entityTypeLabels.ts), the raw type on hover, then its id (shortened, copyable). */
function EntityCell({ entityType, entityId }: { entityType: string; entityId: string | null }) {
  const { lang } = useLang();
  const text = auditEntityTypeText(entityType, lang);
  return (
    <Space size={4}>
      {text.known ? (
        <Tooltip title={entityType}>
          <span data-testid="audit-entity-type" data-entity-type={entityType}>{text.label}</span>
        </Tooltip>
      ) : (
        <Typography.Text code data-testid="audit-entity-type">{entityType}</Typography.Text>
      )}
      <ShortId id={entityId} />
    </Space>
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
    { title: t.action, dataIndex: 'action', render: (action: string) => <ActionCell action={action} /> },
    {
      title: t.entity,
      key: 'entity',
      render: (_, row) => <EntityCell entityType={row.entityType} entityId={row.entityId} />,
    },
  ];
  return (
    <ServerTable<AuditEntryRow>
      testId="audit-table"
      title={t.auditLog}
      path="/admin/audit-log"
      filterParam="entityId"
      filterPlaceholder={t.entityIdFilter}
      selectFilters={[{ name: 'action', placeholder: t.action, options: auditActionOptions(lang), minWidth: 240, testId: 'audit-action-filter', showSearch: true }]}
      emptyText={t.noAudit}
      columns={columns}
    />
  );
}
