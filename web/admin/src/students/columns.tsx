import { CameraOutlined } from '@ant-design/icons';
import { Tag, Typography, type TableColumnsType } from 'antd';
import { classLabel, labelOf, type messages } from '../messages.js';
import type { StudentRow } from '../types.js';
import type { studentMessages } from './messages.js';
import { EducationId } from '../EducationId.js';

type T = (typeof messages)['zh-CN'];
type S = (typeof studentMessages)['zh-CN'];

export const statusColors: Record<StudentRow['status'], string> = { enrolled: 'green', graduated: 'blue', transferred: 'orange', left: 'default' };

/** The students table; names and ID numbers arrive masked from the server and are shown as they are. */
export function studentColumns(t: T, s: S, showSchool: boolean): TableColumnsType<StudentRow> {
  return [
    { title: s.educationId, dataIndex: 'educationId', width: 110, render: (id: string) => <EducationId id={id} /> },
    { title: s.name, dataIndex: 'name', width: 110 },
    { title: s.gender, dataIndex: 'gender', width: 70, render: (g: StudentRow['gender']) => labelOf(t, 'gender', g) },
    { title: s.idNumber, dataIndex: 'idNumber', width: 200, render: (id: string) => <Typography.Text type="secondary">{id}</Typography.Text> },
    ...(showSchool ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.cls, key: 'class', render: (_, row) => classLabel(t, row.grade, row.classNo) },
    { title: s.status, dataIndex: 'status', width: 100, render: (status: StudentRow['status']) => <Tag color={statusColors[status]}>{labelOf(t, 'status', status)}</Tag> },
    { title: s.photo, dataIndex: 'hasPhoto', width: 70, align: 'center', render: (has: boolean) => (has ? <CameraOutlined title={s.yes} /> : <Typography.Text type="secondary">—</Typography.Text>) },
  ];
}
