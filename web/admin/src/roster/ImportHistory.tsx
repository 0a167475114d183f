import { Button, Tag, type TableColumnsType } from 'antd';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { ServerTable } from '../ServerTable.js';
import type { RosterImportSummary } from '../types.js';
import { rosterMessages, type RosterKey } from './messages.js';

const stateColors: Record<RosterImportSummary['status'], string> = { running: 'processing', done: 'success', failed: 'error' };

/** A school's imports, newest first, paged on the server; "view" shows one's progress and report. */
export function ImportHistory({ schoolId, onView }: { schoolId: string; onView: (importId: string) => void }) {
  const t = useMessages(rosterMessages);
  const { lang } = useLang();
  const columns: TableColumnsType<RosterImportSummary> = [
    { title: t.startedAt, dataIndex: 'createdAt', width: 180, render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.fileName, dataIndex: 'fileName' },
    { title: t.state, dataIndex: 'status', width: 100, render: (s: RosterImportSummary['status']) => <Tag color={stateColors[s]}>{t[`state_${s}` as RosterKey]}</Tag> },
    { title: t.totalRows, dataIndex: 'totalRows', width: 80, align: 'right' },
    { title: t.created, dataIndex: 'created', width: 80, align: 'right' },
    { title: t.updated, dataIndex: 'updated', width: 80, align: 'right' },
    { title: t.rejected, dataIndex: 'rejected', width: 90, align: 'right' },
    { key: 'view', width: 80, render: (_, row) => <Button type="link" size="small" onClick={() => onView(row.id)}>{t.viewReport}</Button> },
  ];
  return (
    <ServerTable<RosterImportSummary>
      testId="import-history"
      title={t.history}
      path={`/admin/schools/${schoolId}/roster-imports`}
      emptyText={t.noHistory}
      columns={columns}
    />
  );
}
