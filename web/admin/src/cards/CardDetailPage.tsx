import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Empty, Skeleton, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { labelOf, messages } from '../messages.js';
import { formatFen } from '../payments/money.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { CardExtension, CardStatement } from './CardSections.js';
import { cardLabel, cardMessages, statusColors } from './messages.js';
import { ReturnCardModal } from './ReturnCardModal.js';
import type { CardDto, CardHistory, TemporaryExchangeResultDto } from './types.js';

const cardKey = (cardId: string) => ['admin-card', cardId] as const;

/**
 * One card: its information (masked holder), balance and validity, its status history (every
 * versioned status event with its channel), its extension and statement, and the console's
 * actions: report lost / unlock, for a temporary card the exchange for the formal campus card, and
 * for operators (at a service outlet) 退卡 with its refund (ReturnCardModal).
 */
export function CardDetailPage() {
  const t = useMessages(cardMessages);
  const m = useMessages(messages);
  const { lang } = useLang();
  const { cardId = '' } = useParams();
  const api = useApi();
  const admin = useAdminApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message, modal } = App.useApp();
  const me = useConsoleUser();
  const [returning, setReturning] = useState(false);

  const card = useQuery({ queryKey: cardKey(cardId), queryFn: ({ signal }) => api.get<CardDto>(`/cards/${cardId}`, undefined, signal) });
  const history = useQuery({ queryKey: [...cardKey(cardId), 'history'], queryFn: ({ signal }) => api.get<CardHistory>(`/cards/${cardId}/history`, undefined, signal) });

  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: cardKey(cardId) }), queryClient.invalidateQueries({ queryKey: ['/admin/cards'] })]);
  const action = useIdempotentMutation({
    mutationFn: (path: 'loss' | 'unloss', idempotencyKey) => admin.mutate<CardDto>('POST', `/cards/${cardId}/${path}`, undefined, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.done);
      await refresh();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const exchange = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate<TemporaryExchangeResultDto>('POST', `/admin/temporary-cards/${cardId}/exchange`, undefined, idempotencyKey),
    onSuccess: async (result) => {
      void message.success(t.exchanged);
      await refresh();
      void navigate(`/cards/${result.campusCard.id}`);
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });

  const confirm = (title: string, run: () => Promise<unknown>, testId: string) =>
    modal.confirm({ title, okButtonProps: { 'data-testid': testId } as never, onOk: () => run().catch(() => undefined) });

  const back = <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate(-1)}>{t.back}</Button>;
  if (card.isPending) return <Card title={t.cardDetail} extra={back}><Skeleton active /></Card>;
  if (card.isError) return <Card title={t.cardDetail} extra={back}><LoadError error={card.error} onRetry={() => void card.refetch()} /></Card>;
  const c = card.data;
  const canLose = c.allowedEvents.includes('report_loss') || c.allowedEvents.includes('suspend');
  const canUnloss = c.allowedEvents.includes('unloss') || c.allowedEvents.includes('resume');
  // The API's own wording of the status, when it says more than the tag (not for 已退卡 twice).
  const apiStatus = lang === 'en' ? c.statusLabel.en : c.statusLabel.zh;
  const statusNote = c.status === 'active' || c.status === 'lost' || apiStatus === cardLabel(t, 'status', c.status) ? null : apiStatus;
  const canExchange = c.product === 'temporary_card' && c.allowedEvents.includes('close');
  // 退卡 is the holder's (in the app) or an operator's at an outlet: the API refuses card managers (CARD_RETURN_ROLE).
  const canReturn = isOperator(me) && c.allowedEvents.includes('return');

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t.cardDetail}
        extra={
          <Space wrap>
            {back}
            {canLose && <Button danger data-testid="card-loss" loading={action.isPending} onClick={() => confirm(t.reportLossConfirm, () => action.mutateAsync('loss'), 'card-loss-ok')}>{t.reportLoss}</Button>}
            {canUnloss && <Button data-testid="card-unloss" loading={action.isPending} onClick={() => confirm(t.unlossConfirm, () => action.mutateAsync('unloss'), 'card-unloss-ok')}>{t.unloss}</Button>}
            {canExchange && <Button type="primary" data-testid="card-exchange" loading={exchange.isPending} onClick={() => confirm(t.exchangeConfirm, () => exchange.mutateAsync(), 'card-exchange-ok')}>{t.exchange}</Button>}
            {canReturn && <Button danger data-testid="card-return" onClick={() => setReturning(true)}>{t.returnCard}</Button>}
          </Space>
        }
      >
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} data-testid="card-detail">
          <Descriptions.Item label={t.cardNo}><span className="mono">{c.cardNoMasked}</span></Descriptions.Item>
          <Descriptions.Item label={t.status}><Tag color={statusColors[c.status]} data-testid="card-detail-status">{cardLabel(t, 'status', c.status)}</Tag> {statusNote}</Descriptions.Item>
          <Descriptions.Item label={t.holder}>{c.holderNameMasked}</Descriptions.Item>
          <Descriptions.Item label={t.school}>{c.school.name}</Descriptions.Item>
          <Descriptions.Item label={t.product}>{cardLabel(t, 'product', c.product)}</Descriptions.Item>
          <Descriptions.Item label={t.medium}>{cardLabel(t, 'medium', c.medium)}</Descriptions.Item>
          <Descriptions.Item label={t.balance}>{formatFen(c.balanceFen)}</Descriptions.Item>
          <Descriptions.Item label={t.validUntil}>
            {c.validUntil ?? '—'}
            {c.graceUntil && <span data-testid="card-grace-until">{` · ${t.graceUntil} ${c.graceUntil}`}</span>}
          </Descriptions.Item>
          <Descriptions.Item label={t.transitValid}>{c.transitValid ? t.yes : t.no}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t.history}>
        {history.isError && <LoadError error={history.error} onRetry={() => void history.refetch()} />}
        <Table
          data-testid="card-history"
          rowKey="version"
          size="small"
          loading={history.isFetching}
          dataSource={history.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.noHistory} /> }}
          columns={[
            { title: t.time, dataIndex: 'at', render: (v: string) => formatBeijingTime(v, lang) },
            { title: t.change, key: 'change', render: (_: unknown, h: CardHistory['items'][number]) => `${h.fromStatus ? cardLabel(t, 'status', h.fromStatus) : '—'} → ${cardLabel(t, 'status', h.toStatus)}` },
            { title: t.channel, dataIndex: 'reason', render: (v: string) => cardLabel(t, 'channel', v) },
            { title: t.actor, dataIndex: 'actorRole', render: (v: string) => labelOf(m, 'role', v) },
          ]}
        />
      </Card>
      <CardExtension cardId={cardId} onExtended={refresh} />
      <CardStatement cardId={cardId} />
      {returning && <ReturnCardModal card={c} onClose={() => setReturning(false)} onReturned={refresh} />}
    </Space>
  );
}
