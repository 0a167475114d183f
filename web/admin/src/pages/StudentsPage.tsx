import { PlusOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { messages } from '../messages.js';
import { isOperator, scopedSchoolId, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import { studentColumns } from '../students/columns.js';
import { CreateStudentModal } from '../students/CreateStudentModal.js';
import { studentMessages } from '../students/messages.js';
import { StudentFilters } from '../students/StudentFilters.js';
import type { StudentRow } from '../types.js';
import { usePageParams } from '../usePageParams.js';

const filterNames = ['schoolId', 'classId', 'status'] as const;

/**
 * Students, searched and paged on the server: by name or education-ID prefix, by school
 * (operators), class and status. A row opens the student's detail page.
 */
export function StudentsPage() {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const me = useConsoleUser();
  const navigate = useNavigate();
  const operator = isOperator(me);
  const { filters, setFilters } = usePageParams('q', filterNames);
  const [adding, setAdding] = useState(false);
  const schoolId = scopedSchoolId(me, filters.schoolId);

  return (
    <>
      <ServerTable<StudentRow>
        testId="students-table"
        title={t.students}
        path="/admin/students"
        filterParam="q"
        filterMaxLength={32}
        filterPlaceholder={s.searchStudents}
        query={{ schoolId: operator ? filters.schoolId : undefined, classId: filters.classId, status: filters.status }}
        emptyText={s.noStudents}
        columns={studentColumns(t, s, operator)}
        onRowClick={(row) => navigate(`/students/${row.id}`)}
        toolbar={
          <>
            <StudentFilters operator={operator} schoolId={schoolId} filters={filters} onChange={setFilters} />
            <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-student">
              {s.addStudent}
            </Button>
          </>
        }
      />
      <CreateStudentModal open={adding} schoolId={schoolId} operator={operator} onClose={() => setAdding(false)} onCreated={(id) => navigate(`/students/${id}`)} />
    </>
  );
}
