import type { KeyboardEvent } from 'react';
import { formatYuan } from '../../../../src/domain/money.js';
import { useMessages } from '../../../shared/i18n.js';
import { isVoid, productLabel, showsTransitTag, statusText } from './labels.js';
import { cardMessages } from './messages.js';
import type { Card } from './queries.js';
import { faceTheme } from './themes.js';
import './cards.css';

/**
 * A card drawn as its face: the school's theme, the product, the masked number and holder, a
 * status badge, the validity and the balance. Tapping it opens the card (when `onOpen` is given).
 */
export function CardFace({ card, onOpen }: { card: Card; onOpen?: () => void }) {
  const t = useMessages(cardMessages);
  const classes = ['card-face', faceTheme(card), onOpen ? '' : 'inert', isVoid(card) ? 'void' : ''].filter(Boolean).join(' ');
  const onKey = (event: KeyboardEvent) => {
    if (onOpen && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      onOpen();
    }
  };
  return (
    <div
      className={classes}
      data-testid="card-face"
      data-card-id={card.id}
      data-status={card.status}
      data-theme={faceTheme(card)}
      role={onOpen ? 'button' : undefined}
      tabIndex={onOpen ? 0 : undefined}
      onClick={onOpen}
      onKeyDown={onKey}
    >
      <div className="face-top">
        <div>
          <div className="face-school" data-testid="face-school">{card.school.name}</div>
          <div className="face-product" data-testid="face-product">{productLabel(t, card)}</div>
        </div>
        <span className={`face-badge status-${card.status}`} data-testid="face-status">
          {statusText(t, card)}
        </span>
      </div>
      <div className="face-no" data-testid="face-card-no">{card.cardNoMasked}</div>
      <div className="face-bottom">
        <div>
          <div className="face-holder" data-testid="face-holder">{card.holderNameMasked}</div>
          <div data-testid="face-valid-until">
            {card.validUntil ? `${t.validUntil} ${card.validUntil}` : t.noValidUntil}
            {showsTransitTag(card) ? ` · ${card.transitValidity === 'valid' ? t.transitValid : t.transitInvalid}` : ''}
            {card.graceUntil ? ` · ${t.graceUntil} ${card.graceUntil}` : ''}
          </div>
        </div>
        <div className="face-balance">
          {t.balance}
          <strong data-testid="face-balance">{formatYuan(card.balanceFen)}</strong>
        </div>
      </div>
    </div>
  );
}
