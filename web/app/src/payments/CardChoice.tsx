import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from '../account/messages.js';
import { holderTag } from '../ui/labels.js';
import type { Card } from '../cards/queries.js';
import { formatYuan } from './format.js';
import { paymentMessages } from './messages.js';
import './payments.css';

/** One card as a choice: holder, product, number (masked), school and class, balance, or why it cannot be topped up. */
export function CardOption({ card, selected, onSelect }: { card: Card; selected: boolean; onSelect(): void }) {
  const t = useMessages(paymentMessages);
  const a = useMessages(accountMessages);
  const blocked = !card.canTopUp;
  return (
    <button
      type="button"
      className={`card-option${selected ? ' selected' : ''}${blocked ? ' disabled' : ''}`}
      aria-pressed={selected}
      aria-disabled={blocked}
      data-testid="topup-card"
      data-card-id={card.id}
      onClick={() => !blocked && onSelect()}
    >
      <div className="card-option-head">
        <span>{card.holderNameMasked} · {t[`product_${card.product}`]}</span>
        <span className="amount" data-testid="topup-card-balance">{formatYuan(card.balanceFen)}</span>
      </div>
      <div className="muted" data-testid="topup-card-holder">{holderTag(a, { cardNoMasked: card.cardNoMasked, schoolName: card.school.name, grade: card.holderGrade, classNo: card.holderClassNo })}</div>
      {blocked && card.topUpBlockedReason && <div className="muted" style={{ color: 'var(--adm-color-danger)' }}>{t[`blocked_${card.topUpBlockedReason}`]}</div>}
      {blocked && !card.topUpBlockedReason && <div className="muted" style={{ color: 'var(--adm-color-danger)' }}>{t.topUpBlocked}</div>}
    </button>
  );
}
