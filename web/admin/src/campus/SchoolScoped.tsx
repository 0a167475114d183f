import { Card, Empty, Space } from 'antd';
import { useState, type ReactNode } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { isOperator, scopedSchoolId, useConsoleUser } from '../scope.js';
import { campusAdminMessages } from './messages.js';

/** A campus page about one university: a card manager's own; an operator picks one first. */
export function SchoolScoped({ children }: { children: (schoolId: string) => ReactNode }) {
  const t = useMessages(campusAdminMessages);
  const me = useConsoleUser();
  const [chosen, setChosen] = useState<string | undefined>();
  const schoolId = scopedSchoolId(me, chosen);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {isOperator(me) && (
        <Card size="small">
          <SchoolSelect value={chosen} onChange={setChosen} />
        </Card>
      )}
      {schoolId ? children(schoolId) : <Card><Empty description={t.chooseSchool} /></Card>}
    </Space>
  );
}
