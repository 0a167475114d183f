import { List, Tag } from 'antd-mobile';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { fill } from '../ui/text.js';
import { formatYuan } from './format.js';
import { paymentMessages } from './messages.js';
import { useCardBalanceRefunds, type BalanceRefund } from './queries.js';
import './payments.css';

const tone = { refunding: 'primary', awaiting_outlet: 'warning', completed: 'success' } as const;

/**
 * 退资记录: after a card is returned, where its balance went and where that stands: back through
 * the gateways (and whether a refund needs the card centre's hand), or waiting at an outlet with
 * what to bring. Nothing is shown for a card that never had one.
 */
export function BalanceRefunds({ cardId }: { cardId: string }) {
  const t = useMessages(paymentMessages);
  const refunds = useCardBalanceRefunds(cardId);
  if (refunds.isPending || (refunds.data && refunds.data.length === 0)) return null;
  return (
    <div className="section">
      <List header={t.balanceRefunds} mode="card" data-testid="balance-refunds">
        {refunds.isError ? (
          <List.Item>
            <LoadFailed error={refunds.error} onRetry={() => void refunds.refetch()} />
          </List.Item>
        ) : (
          refunds.data.map((refund) => <BalanceRefundItem key={refund.id} refund={refund} />)
        )}
      </List>
    </div>
  );
}

function BalanceRefundItem({ refund }: { refund: BalanceRefund }) {
  const t = useMessages(paymentMessages);
  const { lang } = useLang();
  const failed = refund.refunds.some((r) => r.status === 'failed');
  let note: string | null = null;
  if (failed) note = t.balanceRefundFailed;
  else if (refund.status === 'awaiting_outlet') note = t.balanceRefundOutletHint;
  else if (refund.route === 'outlet' && refund.outlet) note = fill(t.balanceRefundPaidAt, { outlet: refund.outlet, reference: refund.outletReference ?? '—' });
  return (
    <List.Item
      extra={
        <Tag color={failed ? 'danger' : tone[refund.status]} fill="outline" data-testid="balance-refund-status" data-status={refund.status}>
          {t[`balanceRefund_${refund.status}`]}
        </Tag>
      }
      description={
        <>
          <div>{t[`balanceRefundRoute_${refund.route}`]} · {t.balanceRefundAt} {formatBeijingTime(refund.createdAt, lang)}</div>
          {note && <div data-testid="balance-refund-note">{note}</div>}
        </>
      }
      data-testid="balance-refund"
    >
      <span data-testid="balance-refund-amount">{formatYuan(refund.amountFen)}</span>
    </List.Item>
  );
}
