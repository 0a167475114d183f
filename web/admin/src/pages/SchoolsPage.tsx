import { PlusOutlined } from '@ant-design/icons';
import { Button, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { labelOf, messages } from '../messages.js';
import { ClassesDrawer } from '../schools/ClassesDrawer.js';
import { CreateSchoolModal } from '../schools/CreateSchoolModal.js';
import { schoolMessages } from '../schools/messages.js';
import { ServicePointModal } from '../schools/ServicePointModal.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import type { SchoolRow } from '../types.js';
import { isCampusStage } from '../../../../src/domain/campus-payments.js';

const stageColors: Record<SchoolRow['stage'], string> = {
  primary: 'green',
  middle: 'blue',
  high: 'purple',
  university: 'gold',
  vocational: 'cyan',
};

/** Operators see every school and add new ones; a school card manager's list holds only their own. A row opens its classes. */
export function SchoolsPage() {
  const t = useMessages(messages);
  const s = useMessages(schoolMessages);
  const me = useConsoleUser();
  const [classesOf, setClassesOf] = useState<SchoolRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [servicePointOf, setServicePointOf] = useState<SchoolRow | null>(null);
  const columns: TableColumnsType<SchoolRow> = [
    { title: t.code, dataIndex: 'code', width: 160 },
    { title: t.name, dataIndex: 'name' },
    { title: t.stage, dataIndex: 'stage', width: 120, render: (stage: SchoolRow['stage']) => <Tag color={stageColors[stage]}>{labelOf(t, 'stage', stage)}</Tag> },
    { title: t.district, dataIndex: 'district', width: 120, render: (district: string | null) => district ?? '—' },
    {
      title: s.servicePoint, dataIndex: 'servicePoint',
      render: (point: string | null, school) => (isCampusStage(school.stage) ? (
        <span data-testid="service-point">
          {point ?? '—'}{' '}
          <Button type="link" size="small" onClick={(event) => { event.stopPropagation(); setServicePointOf(school); }} data-testid="service-point-edit">{s.edit}</Button>
        </span>
      ) : '—'),
    },
    { title: t.studentCount, dataIndex: 'studentCount', width: 100, align: 'right' },
    {
      key: 'classes',
      width: 90,
      render: (_, school) => (
        <Button type="link" size="small" onClick={(event) => { event.stopPropagation(); setClassesOf(school); }}>
          {s.openClasses}
        </Button>
      ),
    },
  ];
  return (
    <>
      <ServerTable<SchoolRow>
        testId="schools-table"
        title={t.schools}
        path="/admin/schools"
        filterParam="q"
        filterPlaceholder={t.searchSchools}
        emptyText={t.noSchools}
        columns={columns}
        onRowClick={setClassesOf}
        toolbar={isOperator(me) && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{s.newSchool}</Button>}
      />
      <ClassesDrawer school={classesOf} onClose={() => setClassesOf(null)} />
      <ServicePointModal school={servicePointOf} onClose={() => setServicePointOf(null)} />
      {isOperator(me) && <CreateSchoolModal open={creating} onClose={() => setCreating(false)} />}
    </>
  );
}
