import { useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Col, Progress, Row, Statistic, Typography } from 'antd';
import { useEffect } from 'react';
import { fill, useLang, useMessages } from '../../../shared/i18n.js';
import { LoadError } from '../LoadError.js';
import { rosterMessages } from './messages.js';
import { useRosterImport } from './useRosterImport.js';

/** An import's progress while it runs, then its counts (the rejected rows are ImportReport's). */
export function ImportStatus({ importId }: { importId: string }) {
  const t = useMessages(rosterMessages);
  const { lang } = useLang();
  const queryClient = useQueryClient();
  const job = useRosterImport(importId);
  const status = job.data?.status;

  // Once it finishes, every list that counts students is out of date.
  useEffect(() => {
    if (status === 'done' || status === 'failed') {
      for (const key of [['/admin/students'], ['/admin/schools'], ['classes']]) void queryClient.invalidateQueries({ queryKey: key });
      void queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && q.queryKey[0].endsWith('/roster-imports') });
    }
  }, [status, queryClient]);

  if (job.isPending) return <Card loading />;
  if (job.isError) return <LoadError error={job.error} onRetry={() => void job.refetch()} />;
  const data = job.data;
  const percent = data.totalRows > 0 ? Math.floor((data.processedRows / data.totalRows) * 100) : 0;
  const title = fill(data.status === 'running' ? t.running : data.status === 'done' ? t.done : t.failed, { file: data.fileName });

  return (
    <Card size="small" title={title} data-testid="import-status" data-status={data.status}>
      <Progress
        data-testid="import-progress"
        percent={data.status === 'done' ? 100 : percent}
        status={data.status === 'running' ? 'active' : data.status === 'failed' ? 'exception' : 'success'}
      />
      <Typography.Text type="secondary">
        {fill(t.processed, { done: data.processedRows, total: data.totalRows })}
      </Typography.Text>
      {data.error && <Alert type="error" showIcon title={lang === 'en' ? data.error.messageEn : data.error.message} style={{ marginTop: 12 }} />}
      <Row gutter={16} style={{ marginTop: 16 }} data-testid="import-summary">
        <Col span={6}><Statistic title={t.totalRows} value={data.totalRows} /></Col>
        <Col span={6}><Statistic title={t.created} value={data.created} styles={{ content: { color: '#389e0d' } }} /></Col>
        <Col span={6}><Statistic title={t.updated} value={data.updated} /></Col>
        <Col span={6}><Statistic title={t.rejected} value={data.rejected} styles={{ content: { color: data.rejected > 0 ? '#cf1322' : undefined } }} /></Col>
      </Row>
    </Card>
  );
}
