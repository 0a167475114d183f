import { Card, Descriptions, Tag, Typography } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { classLabel, labelOf, messages } from '../messages.js';
import type { StudentDetail } from '../types.js';
import { statusColors } from './columns.js';
import { studentMessages } from './messages.js';
import { EducationId } from '../EducationId.js';

/** The record as the server sends it: name, birth date and ID number already masked. */
export function StudentSummary({ student }: { student: StudentDetail }) {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const items = [
    { key: 'educationId', label: s.educationId, children: <EducationId id={student.educationId} copyable /> },
    { key: 'name', label: s.name, children: <span data-testid="student-name">{student.name}</span> },
    { key: 'gender', label: s.gender, children: labelOf(t, 'gender', student.gender) },
    { key: 'birthDate', label: s.birthDate, children: student.birthDate },
    { key: 'idNumber', label: s.idNumber, children: <span data-testid="student-id-number">{student.idNumber}</span> },
    { key: 'school', label: t.school, children: `${student.schoolName}（${labelOf(t, 'stage', student.stage)}）` },
    { key: 'class', label: t.cls, children: classLabel(t, student.grade, student.classNo) },
    { key: 'status', label: s.status, children: <Tag color={statusColors[student.status]}>{labelOf(t, 'status', student.status)}</Tag> },
    { key: 'studentNo', label: s.studentNo, children: student.studentNo ?? '—' },
    { key: 'salaried', label: s.salaried, children: student.salaried ? s.yes : s.no },
    { key: 'college', label: s.college, children: student.college ?? '—' },
    { key: 'major', label: s.major, children: <span data-testid="student-major">{student.major ?? '—'}</span> },
    { key: 'studyLevel', label: s.studyLevel, children: <span data-testid="student-study-level">{student.studyLevel ? s[`studyLevel_${student.studyLevel}`] : '—'}</span> },
    { key: 'fullTime', label: s.fullTime, children: student.fullTime === null ? '—' : student.fullTime ? s.fullTime_yes : s.fullTime_no },
  ];
  return (
    <Card title={s.basics} extra={<Typography.Text type="secondary">{s.maskedNote}</Typography.Text>}>
      <Descriptions column={{ xs: 1, md: 2 }} items={items} data-testid="student-summary" />
    </Card>
  );
}
