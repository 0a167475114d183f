import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Space, Typography } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import type { ExtendResultDto, ExtensionCheckDto } from '../../../../src/modules/card-services/card-services.schemas.js';
import type { cardTransactionPageSchema } from '../../../../src/modules/cards/cards.schemas.js';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { formatFen } from '../payments/money.js';
import { cardMessages, type CardTexts } from './messages.js';
import { SectionTable } from '../SectionTable.js';

type Statement = z.infer<typeof cardTransactionPageSchema>;
type StatementLine = Statement['items'][number];

/** The card's purse statement (收支明细), newest first, a page at a time from the server. */
export function CardStatement({ cardId }: { cardId: string }) {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const api = useApi();
  const [paging, setPaging] = useState({ page: 1, pageSize: 10 });
  const statement = useQuery({
    queryKey: ['admin-card', cardId, 'statement', paging],
    queryFn: ({ signal }) => api.get<Statement>(`/cards/${cardId}/transactions`, paging, signal),
    placeholderData: keepPreviousData,
  });
  return (
    <Card title={t.statement}>
      <SectionTable<StatementLine>
        data-testid="card-statement"
        rowKey="transactionId"
        load={statement}
        rows={statement.data?.items}
        emptyText={t.noStatement}
        pagination={{ current: paging.page, pageSize: paging.pageSize, total: statement.data?.total ?? 0, onChange: (page, pageSize) => setPaging({ page: pageSize === paging.pageSize ? page : 1, pageSize }) }}
        columns={[
          { title: t.time, dataIndex: 'createdAt', render: (v: string) => formatBeijingTime(v, lang) },
          { title: t.txType, dataIndex: 'type', render: (v: string) => t[`tx_${v}` as keyof CardTexts] ?? v },
          { title: t.txAmount, dataIndex: 'amountFen', align: 'right', render: (v: number) => <span className="mono">{v > 0 ? `+${formatFen(v)}` : formatFen(v)}</span> },
          { title: t.txBalanceAfter, dataIndex: 'balanceAfterFen', align: 'right', render: (v: number) => <span className="mono">{formatFen(v)}</span> },
        ]}
      />
    </Card>
  );
}

/**
 * 卡片延期 from the console (seed 000: "无效卡会导致公交充值失败，请联系学校卡管员处理"): the
 * card manager sees the same check the app shows and extends the card for the holder. Nothing
 * is shown for a card that is never extended.
 */
export function CardExtension({ cardId, onExtended }: { cardId: string; onExtended: () => Promise<unknown> }) {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const api = useApi();
  const admin = useAdminApi();
  const { message, modal } = App.useApp();
  const check = useQuery({ queryKey: ['admin-card', cardId, 'extension'], queryFn: ({ signal }) => api.get<ExtensionCheckDto>(`/cards/${cardId}/extension`, undefined, signal) });
  const extend = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate<ExtendResultDto>('POST', `/cards/${cardId}/extend`, undefined, idempotencyKey),
    onSuccess: async (result) => {
      void message.success(fill(t.extended, { date: result.extension.toValidUntil }));
      await onExtended();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });

  if (check.isError) return <Card title={t.extension}><LoadError error={check.error} onRetry={() => void check.refetch()} /></Card>;
  const c = check.data;
  if (!c || c.blockedBy === 'CARD_EXTENSION_PRODUCT') return null;
  const date = c.newValidUntil ?? '';
  return (
    <Card title={t.extension} data-testid="card-extension">
      {c.eligible ? (
        <Space wrap>
          {c.late && <Typography.Text type="warning">{t.extendLate}</Typography.Text>}
          <Button
            type="primary"
            data-testid="card-extend"
            loading={extend.isPending}
            onClick={() => modal.confirm({ title: fill(t.extendConfirm, { date }), okButtonProps: { 'data-testid': 'card-extend-ok' } as never, onOk: () => extend.mutateAsync().catch(() => undefined) })}
          >
            {fill(t.extendTo, { date })}
          </Button>
        </Space>
      ) : (
        <Typography.Text type="secondary" data-testid="card-extension-blocked">{c.blockedBy ? t[`extensionBlocked_${c.blockedBy}`] : '—'}</Typography.Text>
      )}
    </Card>
  );
}
