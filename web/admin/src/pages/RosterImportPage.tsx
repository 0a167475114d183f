import { UploadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Result, Row, Space } from 'antd';
import { useSearchParams } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { messages } from '../messages.js';
import { ImportHistory } from '../roster/ImportHistory.js';
import { ImportReport } from '../roster/ImportReport.js';
import { ImportStatus } from '../roster/ImportStatus.js';
import { rosterMessages } from '../roster/messages.js';
import { RosterHelp } from '../roster/RosterHelp.js';
import { RosterUpload } from '../roster/RosterUpload.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { isOperator, scopedSchoolId, useConsoleUser } from '../scope.js';

/**
 * Upload a roster CSV into one school (a card manager's own; an operator chooses), watch it run,
 * read the report. The import being shown is in the URL (`?import=`), so a reload keeps it.
 */
export function RosterImportPage() {
  const t = useMessages(rosterMessages);
  const common = useMessages(messages);
  const me = useConsoleUser();
  const [params, setParams] = useSearchParams();
  const schoolId = scopedSchoolId(me, params.get('schoolId') ?? undefined);
  const importId = params.get('import');
  const set = (changes: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value) next.set(name, value);
        else next.delete(name);
      }
      return next;
    });

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card
            title={t.title}
            extra={isOperator(me) && <SchoolSelect value={schoolId} allowClear={false} onChange={(id) => set({ schoolId: id ?? null, import: null, page: null })} />}
          >
            {!schoolId ? (
              <Result status="info" title={common.chooseSchoolFirst} />
            ) : importId ? (
              <Space orientation="vertical" size={16} style={{ width: '100%' }}>
                <ImportStatus key={importId} importId={importId} />
                <Button icon={<UploadOutlined />} onClick={() => set({ import: null })}>{t.importAnother}</Button>
              </Space>
            ) : (
              <RosterUpload schoolId={schoolId} onStarted={(id) => set({ import: id })} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <RosterHelp />
        </Col>
      </Row>
      {schoolId && importId && <ImportReport key={importId} importId={importId} />}
      {schoolId ? <ImportHistory schoolId={schoolId} onView={(id) => set({ import: id })} /> : <Empty description={common.chooseSchoolFirst} />}
    </Space>
  );
}
