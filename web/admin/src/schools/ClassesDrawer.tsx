import { Button, Drawer, Empty, Space, Table, type TableColumnsType } from 'antd';
import { useNavigate } from 'react-router';
import { fill, useMessages } from '../../../shared/i18n.js';
import { LoadError } from '../LoadError.js';
import { classLabel, messages } from '../messages.js';
import type { ClassRow, SchoolRow } from '../types.js';
import { useClasses } from '../useClasses.js';
import { AddClassForm } from './AddClassForm.js';
import { schoolMessages } from './messages.js';

/** A school's classes with their head counts, and a form to add one. */
export function ClassesDrawer({ school, onClose }: { school: SchoolRow | null; onClose: () => void }) {
  const t = useMessages(schoolMessages);
  const common = useMessages(messages);
  const navigate = useNavigate();
  const classes = useClasses(school?.id);
  const columns: TableColumnsType<ClassRow> = [
    { title: common.cls, key: 'label', render: (_, c) => classLabel(common, c.grade, c.classNo) },
    { title: t.studentsInClass, dataIndex: 'studentCount', align: 'right', width: 90 },
    {
      key: 'open',
      width: 110,
      render: (_, c) => (
        <Button type="link" size="small" onClick={() => navigate(`/students?schoolId=${school?.id}&classId=${c.id}`)}>
          {t.viewStudents}
        </Button>
      ),
    },
  ];
  return (
    <Drawer open={school !== null} onClose={onClose} size={560} title={fill(t.classesOf, { school: school?.name ?? '' })} destroyOnHidden data-testid="classes-drawer">
      {school && (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <AddClassForm schoolId={school.id} />
          {classes.isError && <LoadError error={classes.error} onRetry={() => void classes.refetch()} />}
          <Table<ClassRow>
            size="small"
            rowKey="id"
            columns={columns}
            dataSource={classes.data ?? []}
            loading={classes.isFetching}
            pagination={false}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.noClasses} /> }}
          />
        </Space>
      )}
    </Drawer>
  );
}
