import { Alert, Card, Empty, Table, Typography, type TableColumnsType } from 'antd';
import { fieldLabels } from '../../../../src/modules/roster/row-problems.js';
import { useLang, useMessages } from '../../../shared/i18n.js';
import type { RowProblemView } from '../types.js';
import { rosterMessages } from './messages.js';
import { useRosterImport } from './useRosterImport.js';

/** The rejected rows: row number as Excel shows it, the column, a stable code and the message in the chosen language. */
export function ImportReport({ importId }: { importId: string }) {
  const t = useMessages(rosterMessages);
  const { lang } = useLang();
  const { data: job } = useRosterImport(importId);
  if (!job || job.status === 'running' || (job.rejected === 0 && job.report.length === 0 && job.warnings.length === 0)) return null;
  const columns: TableColumnsType<RowProblemView> = [
    { title: t.row, dataIndex: 'row', width: 80, align: 'right' },
    { title: t.field, dataIndex: 'field', width: 120, render: (field: RowProblemView['field']) => fieldLabels[field][lang === 'en' ? 'en' : 'zh'] },
    { title: t.code, dataIndex: 'code', width: 220, render: (code: string) => <Typography.Text code>{code}</Typography.Text> },
    { title: t.problem, key: 'message', render: (_, p) => (lang === 'en' ? p.messageEn : p.message) },
  ];
  const warnings = job.warnings.length > 0 && (
    <Card title={`${t.warningsTitle}（${job.warned}）`} style={{ marginTop: 12 }}>
      <Alert type="info" showIcon title={t.warningsNote} style={{ marginBottom: 12 }} />
      <Table<RowProblemView>
        data-testid="import-warnings"
        size="small"
        rowKey={(p) => `${p.row}-${p.field}-${p.code}`}
        columns={columns}
        dataSource={job.warnings}
        pagination={job.warnings.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      />
    </Card>
  );
  if (job.rejected === 0 && job.report.length === 0) return warnings;
  return (
    <>
    <Card title={`${t.reportTitle}（${job.rejected}）`}>
      {job.reportTruncated && <Alert type="warning" showIcon title={t.reportTruncated} style={{ marginBottom: 12 }} />}
      <Table<RowProblemView>
        data-testid="import-report"
        size="small"
        rowKey={(p) => `${p.row}-${p.field}-${p.code}`}
        columns={columns}
        dataSource={job.report}
        pagination={job.report.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.reportEmpty} /> }}
      />
    </Card>
    {warnings}
    </>
  );
}
