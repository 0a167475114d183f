import { Button, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useCard } from '../cards/queries.js';
import { formatYuan } from './format.js';
import { paymentMessages } from './messages.js';
import { moneyPaths } from './paths.js';
import './payments.css';

/** The top-up's card row on the order sheet (a `<dl>` pair): its masked number and holder. */
export function OrderCardRow({ cardId }: { cardId: string }) {
  const t = useMessages(paymentMessages);
  const card = useCard(cardId);
  return (
    <>
      <dt>{t.card}</dt>
      <dd data-testid="order-card">{card.isSuccess ? `${card.data.cardNoMasked} · ${t[`product_${card.data.product}`]}` : card.isError ? '—' : '…'}</dd>
    </>
  );
}

/** After a top-up: the card's balance now, read afresh, and its transactions one tap away. */
export function CardBalanceAfter({ cardId }: { cardId: string }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  const card = useCard(cardId);
  if (card.isPending) return <Skeleton.Paragraph lineCount={2} animated />;
  if (card.isError) return null;
  return (
    <div className="balance-head">
      <div className="muted">{card.data.holderNameMasked} · {card.data.cardNoMasked} · {t.newBalance}</div>
      <div className="section-header">
        <span className="big-amount" data-testid="result-balance">{formatYuan(card.data.balanceFen)}</span>
        <Button size="small" onClick={() => navigate(moneyPaths.cardTransactions(cardId))} data-testid="result-transactions">
          {t.viewTransactions}
        </Button>
      </div>
    </div>
  );
}
