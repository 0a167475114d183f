import { Tag, type TableColumnsType } from 'antd';
import type { SchoolRow } from '../../../../src/modules/admin/admin.routes.js';
import { useMessages } from '../../../shared/i18n.js';
import { labelOf, messages } from '../messages.js';
import { ServerTable } from '../ServerTable.js';

const stageColors: Record<SchoolRow['stage'], string> = {
  primary: 'green',
  middle: 'blue',
  high: 'purple',
  university: 'gold',
  vocational: 'cyan',
};

/** Operators see every school; a school card manager's list holds only their own school. */
export function SchoolsPage() {
  const t = useMessages(messages);
  const columns: TableColumnsType<SchoolRow> = [
    { title: t.code, dataIndex: 'code', width: 160 },
    { title: t.name, dataIndex: 'name' },
    { title: t.stage, dataIndex: 'stage', width: 120, render: (stage: SchoolRow['stage']) => <Tag color={stageColors[stage]}>{labelOf(t, 'stage', stage)}</Tag> },
    { title: t.district, dataIndex: 'district', width: 120, render: (district: string | null) => district ?? '—' },
    { title: t.studentCount, dataIndex: 'studentCount', width: 100, align: 'right' },
  ];
  return (
    <ServerTable<SchoolRow>
      testId="schools-table"
      title={t.schools}
      path="/admin/schools"
      filterParam="q"
      filterPlaceholder={t.searchSchools}
      emptyText={t.noSchools}
      columns={columns}
    />
  );
}
