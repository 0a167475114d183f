import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Descriptions, Modal, Result, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { balanceRefundStatusColors } from '../payments/BalanceRefundDrawer.js';
import { payLabel, paymentMessages } from '../payments/messages.js';
import { formatFen } from '../payments/money.js';
import { cardLabel, cardMessages, type CardTexts } from './messages.js';
import type { CardDto, ReturnQuoteDto, ReturnResultDto } from './types.js';

// Not under ['admin-card', id]: refreshing the card after the return does not ask for the quote again.
const quoteKey = (cardId: string) => ['admin-card-return-quote', cardId] as const;

/** Why the quote says no, in the console's words (the API's catalogue messages for the same codes). */
export function returnBlockedText(t: CardTexts, code: string, card: Pick<CardDto, 'status'>): string {
  switch (code) {
    case 'CARD_TRANSITION_INVALID': return fill(t.returnBlocked_CARD_TRANSITION_INVALID, { status: cardLabel(t, 'status', card.status) });
    case 'FULFILMENT_APPLICATION_OPEN': return t.returnBlocked_FULFILMENT_APPLICATION_OPEN;
    case 'CARD_RETURN_NEGATIVE_BALANCE': return t.returnBlocked_CARD_RETURN_NEGATIVE_BALANCE;
    default: return fill(t.returnBlocked_other, { code });
  }
}

/**
 * A refusal that settles the question (the card changed meanwhile: returned, reported lost, a
 * replacement applied for): the quote is asked again to say why. A lost answer, a 5xx or "still in
 * progress" is not: the operator presses again and the same Idempotency-Key replays the return.
 */
const isDefinitive = (error: Error) => error instanceof ApiError && error.status >= 400 && error.status < 500 && error.code !== 'IDEMPOTENCY_IN_PROGRESS';

/**
 * 退卡 at a service outlet (operators): the quote (balance, campus network balance, where the
 * refund goes, or why not), the operator's check that the card was handed in and the holder
 * identified, then the return. Mounted per opening, so each opening is one action with one
 * Idempotency-Key (useIdempotentMutation keeps it across retries of a failed press). The result
 * leads to the balance refund when it is paid at the outlet.
 */
export function ReturnCardModal({ card, onClose, onReturned }: { card: CardDto; onClose(): void; onReturned(): Promise<unknown> }) {
  const t = useMessages(cardMessages);
  const m = useMessages(messages);
  const api = useApi();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [checked, setChecked] = useState(false);
  const quote = useQuery({ queryKey: quoteKey(card.id), queryFn: ({ signal }) => api.get<ReturnQuoteDto>(`/cards/${card.id}/return`, undefined, signal), staleTime: 0, gcTime: 0 });
  const send = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate<ReturnResultDto>('POST', `/cards/${card.id}/return`, undefined, idempotencyKey),
    onSuccess: async () => {
      await Promise.all([onReturned(), queryClient.invalidateQueries({ queryKey: ['/admin/balance-refunds'] })]);
    },
    onError: async (error) => {
      if (isDefinitive(error)) await Promise.all([quote.refetch(), onReturned()]);
    },
  });

  const title = fill(t.returnTitle, { cardNo: card.cardNoMasked });
  if (send.data) {
    return (
      <Modal open title={title} onCancel={onClose} footer={<Button type="primary" onClick={onClose} data-testid="return-close">{t.returnClose}</Button>}>
        <ReturnDone result={send.data} t={t} />
      </Modal>
    );
  }

  const q = quote.data;
  const returnable = q?.returnable === true;
  return (
    <Modal
      open
      title={title}
      width={560}
      okText={t.returnConfirm}
      cancelText={m.cancel}
      onOk={() => send.mutate()}
      onCancel={onClose}
      confirmLoading={send.isPending}
      okButtonProps={{ danger: true, disabled: !returnable || !checked, 'data-testid': 'return-submit' } as never}
    >
      <div data-testid="return-modal" data-returnable={q ? String(q.returnable) : undefined}>
        {quote.isPending ? (
          <Skeleton active data-testid="return-quote-loading" />
        ) : quote.isError ? (
          <LoadError error={quote.error} onRetry={() => void quote.refetch()} />
        ) : (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Typography.Text type="secondary">{t.returnIntro}</Typography.Text>
            <QuoteSummary card={card} quote={quote.data} t={t} />
            {!quote.data.returnable && (
              <Alert
                type="error"
                showIcon
                title={t.returnBlocked}
                description={returnBlockedText(t, quote.data.blockedBy ?? '', card)}
                data-testid="return-blocked"
                data-code={quote.data.blockedBy ?? undefined}
              />
            )}
            {send.isError && <LoadError title={t.returnFailed} error={send.error} />}
            {quote.data.returnable && (
              <Checkbox checked={checked} onChange={(e) => setChecked(e.target.checked)} data-testid="return-checked">{t.returnChecked}</Checkbox>
            )}
          </Space>
        )}
      </div>
    </Modal>
  );
}

function QuoteSummary({ card, quote, t }: { card: CardDto; quote: ReturnQuoteDto; t: CardTexts }) {
  const limit = formatFen(quote.inAppLimitFen);
  const purseFen = quote.balanceFen - quote.networkBalanceFen;
  const withNetwork = card.product === 'campus_card' || quote.networkBalanceFen !== 0;
  return (
    <Descriptions
      bordered
      size="small"
      column={1}
      styles={{ label: { width: 112, whiteSpace: 'nowrap' } }}
      data-testid="return-quote"
      items={[
        { key: 'cardNo', label: t.cardNo, children: <span className="mono">{card.cardNoMasked}</span> },
        { key: 'holder', label: t.holder, children: `${card.holderNameMasked} · ${card.school.name}` },
        { key: 'product', label: t.product, children: `${cardLabel(t, 'product', card.product)} · ${cardLabel(t, 'status', card.status)}` },
        { key: 'purse', label: t.returnPurse, children: <span className="mono" data-testid="return-purse">{formatFen(purseFen)}</span> },
        ...(withNetwork
          ? [{ key: 'network', label: t.returnNetwork, children: <span><span className="mono" data-testid="return-network">{formatFen(quote.networkBalanceFen)}</span> <Typography.Text type="secondary">{t.returnNetworkNote}</Typography.Text></span> }]
          : []),
        { key: 'total', label: t.returnTotal, children: <Typography.Text strong className="mono" data-testid="return-total">{formatFen(quote.balanceFen)}</Typography.Text> },
        {
          key: 'route',
          label: t.returnRoute,
          children: (
            <span data-testid="return-route" data-route={quote.refundRoute}>
              <Tag color={quote.refundRoute === 'outlet' ? 'gold' : quote.refundRoute === 'app' ? 'blue' : 'default'}>{t[`returnRoute_${quote.refundRoute}`]}</Tag>
              {quote.refundRoute === 'app' && <Typography.Text type="secondary">{fill(t.returnRoute_app_note, { limit })}</Typography.Text>}
              {quote.refundRoute === 'outlet' && (
                <Typography.Text type="secondary">{fill(quote.balanceFen > quote.inAppLimitFen ? t.returnRoute_outlet_note : t.returnRoute_outlet_offline_note, { limit })}</Typography.Text>
              )}
            </span>
          ),
        },
      ]}
    />
  );
}

function ReturnDone({ result, t }: { result: ReturnResultDto; t: CardTexts }) {
  const p = useMessages(paymentMessages);
  const navigate = useNavigate();
  const refund = result.refund;
  const amount = refund ? formatFen(refund.amountFen) : '';
  return (
    <div data-testid="return-result" data-route={refund?.route ?? 'none'}>
      <Result
        status="success"
        title={t.returnDone}
        subTitle={<span data-testid="return-result-status" data-status={result.card.status}>{fill(t.returnDoneCard, { cardNo: result.card.cardNoMasked })}</span>}
        style={{ padding: '16px 0' }}
      />
      {refund ? (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions bordered size="small" column={1} styles={{ label: { width: 112, whiteSpace: 'nowrap' } }} items={[
            { key: 'amount', label: t.returnRefund, children: <Typography.Text strong className="mono" data-testid="return-refund-amount">{amount}</Typography.Text> },
            { key: 'route', label: t.returnRoute, children: <span data-testid="return-refund-route">{refund.route === 'outlet' ? t.returnRoute_outlet : t.returnRoute_app}</span> },
            { key: 'status', label: t.returnRefundStatus, children: <Tag color={balanceRefundStatusColors[refund.status as keyof typeof balanceRefundStatusColors]}>{payLabel(p, 'br', refund.status)}</Tag> },
          ]} />
          {refund.route === 'outlet' ? (
            <Alert
              type="warning"
              showIcon
              title={fill(t.returnOutletNote, { amount })}
              action={<Button type="primary" size="small" onClick={() => void navigate(`/balance-refunds?refund=${refund.id}`)} data-testid="return-refund-link">{t.returnPayOut}</Button>}
            />
          ) : (
            <Alert type="info" showIcon title={t.returnGatewayNote} />
          )}
        </Space>
      ) : (
        <Typography.Text type="secondary">{t.returnDoneNone}</Typography.Text>
      )}
    </div>
  );
}
