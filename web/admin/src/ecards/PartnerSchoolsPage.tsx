import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { Alert, App, Button, Card, Popconfirm, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { ecardMessages } from './messages.js';
import type { PartnerSchool } from './types.js';
import { SectionTable } from '../SectionTable.js';

const partnersKey = ['ecards', 'partner-schools'] as const;

/** 合作院校: the schools whose students may open a university e-card (seed 003). Operators only (App.tsx). */
export function PartnerSchoolsPage() {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const api = useApi();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [schoolId, setSchoolId] = useState<string | undefined>();
  const partners = useQuery({ queryKey: partnersKey, queryFn: ({ signal }) => api.get<{ items: PartnerSchool[] }>('/ecards/university/partner-schools', undefined, signal) });
  const change = useIdempotentMutation({
    mutationFn: ({ id, partnered }: { id: string; partnered: boolean }, idempotencyKey) => admin.mutate<void>(partnered ? 'PUT' : 'DELETE', `/ecards/university/partner-schools/${id}`, undefined, idempotencyKey),
    onSuccess: async (_, { partnered }) => {
      void message.success(partnered ? t.added : t.removed);
      if (partnered) setSchoolId(undefined);
      await queryClient.invalidateQueries({ queryKey: partnersKey });
    },
  });
  const stageLabel = (stage: string) => (t as Record<string, string>)[`stage_${stage}`] ?? stage;

  return (
    <Card title={t.partners}>
      <Typography.Paragraph type="secondary">{t.partnersNote}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }} data-testid="partner-add">
        <Typography.Text>{t.addPartner}</Typography.Text>
        <SchoolSelect value={schoolId} onChange={setSchoolId} />
        <Button type="primary" icon={<PlusOutlined />} disabled={!schoolId} loading={change.isPending && change.variables?.partnered} onClick={() => schoolId && change.mutate({ id: schoolId, partnered: true })} data-testid="partner-add-button">{t.add}</Button>
      </Space>
      {change.isError && <Alert type="error" showIcon title={errorText(change.error, lang)} style={{ marginBottom: 16 }} data-testid="partner-error" />}
      <SectionTable<PartnerSchool>
        data-testid="partner-schools"
        rowKey="id"
        load={partners}
        rows={partners.data?.items}
        emptyText={t.noPartners}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t.school, dataIndex: 'name' },
          { title: t.stage, dataIndex: 'stage', width: 120, render: (stage: string) => <Tag>{stageLabel(stage)}</Tag> },
          { title: t.partneredSince, dataIndex: 'partneredSince', width: 200, render: (v: string) => formatBeijingTime(v, lang) },
          {
            title: '',
            width: 100,
            render: (_: unknown, row) => (
              <Popconfirm title={t.removePartnerConfirm} onConfirm={() => change.mutateAsync({ id: row.id, partnered: false })} okButtonProps={{ danger: true }}>
                <Button size="small" danger icon={<DeleteOutlined />}>{t.remove}</Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}
