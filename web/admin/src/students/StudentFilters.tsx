import { Select, Space } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { ClassSelect } from '../ClassSelect.js';
import { labelOf, messages } from '../messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import type { StudentRow } from '../types.js';
import type { ParamChanges } from '../usePageParams.js';
import { studentMessages } from './messages.js';

export const statuses: StudentRow['status'][] = ['enrolled', 'graduated', 'transferred', 'left'];

interface StudentFiltersProps {
  operator: boolean;
  /** The school whose classes the class filter offers: the operator's choice or the manager's own. */
  schoolId: string | undefined;
  filters: Record<string, string>;
  onChange: (changes: ParamChanges) => void;
}

/** School (operators only), class and status; each change goes back to page 1. */
export function StudentFilters({ operator, schoolId, filters, onChange }: StudentFiltersProps) {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  return (
    <Space wrap>
      {operator && <SchoolSelect value={filters.schoolId} onChange={(id) => onChange({ schoolId: id, classId: null })} />}
      <ClassSelect schoolId={schoolId} value={filters.classId} onChange={(id) => onChange({ classId: id })} />
      <Select<string>
        data-testid="status-select"
        allowClear
        placeholder={s.allStatuses}
        value={filters.status}
        onChange={(status) => onChange({ status: status ?? null })}
        options={statuses.map((status) => ({ value: status, label: labelOf(t, 'status', status) }))}
        style={{ minWidth: 120 }}
      />
    </Space>
  );
}
