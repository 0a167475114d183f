import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import { cardColumns } from './CardsPage.js';
import { cardMessages } from './messages.js';
import type { AdminCardItemDto, CardDto } from './types.js';

interface IssueForm {
  educationId: string;
  cardNo?: string;
}

/**
 * 新生临时卡 (seed 004): school staff hand a new student a numbered temporary card; the list shows
 * the school's temporary cards, and a card's detail page exchanges it for the formal campus card.
 */
export function TemporaryCardsPage() {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const admin = useAdminApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<IssueForm>();
  const issue = useIdempotentMutation({
    mutationFn: (body: IssueForm, idempotencyKey) => admin.mutate<CardDto>('POST', '/admin/temporary-cards', { educationId: body.educationId.trim(), ...(body.cardNo?.trim() ? { cardNo: body.cardNo.trim() } : {}) }, idempotencyKey),
    onSuccess: async (card) => {
      void message.success(fill(t.issued, { cardNo: card.cardNo }));
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['/admin/cards'] });
    },
  });

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t.issueTemporary}>
        <Typography.Paragraph type="secondary">{t.temporaryNote}</Typography.Paragraph>
        {issue.isError && <Alert type="error" showIcon title={errorText(issue.error, lang)} style={{ marginBottom: 16 }} data-testid="temporary-error" />}
        <Form<IssueForm> form={form} layout="inline" onFinish={(values) => issue.mutate(values)} data-testid="temporary-form">
          <Form.Item name="educationId" label={t.educationId} rules={[{ required: true, pattern: /^\d{8}$/, message: t.educationIdRequired }]}>
            <Input maxLength={8} data-testid="temporary-education-id" />
          </Form.Item>
          <Form.Item name="cardNo" label={t.temporaryCardNo} rules={[{ pattern: /^\d{16}$/, message: t.cardNoFormat }]}>
            <Input maxLength={16} data-testid="temporary-card-no" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={issue.isPending} data-testid="temporary-issue">{t.issue}</Button>
        </Form>
      </Card>
      <ServerTable<AdminCardItemDto>
        testId="temporary-cards-table"
        title={t.temporaryCards}
        path="/admin/cards"
        filterParam="q"
        filterMaxLength={40}
        filterPlaceholder={t.searchCards}
        query={{ product: 'temporary_card' }}
        emptyText={t.noTemporaryCards}
        columns={cardColumns(t, lang, isOperator(me))}
        onRowClick={(row) => void navigate(`/cards/${row.id}`)}
      />
    </Space>
  );
}
