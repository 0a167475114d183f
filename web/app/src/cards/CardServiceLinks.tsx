import { Button, List, Tag } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { isOpenApplication, useApplications } from './fulfilment.js';
import { isVoid } from './labels.js';
import { cardMessages } from './messages.js';
import { cardPaths } from './paths.js';
import type { Card } from './queries.js';

/**
 * The card's services beyond loss and top-up: replacement (a K-12 card reported lost), sticker
 * replacement (lost, or damaged while still in use), the yearly extension, return. Each screen
 * checks again with the server.
 */
export function CardServiceButtons({ card }: { card: Card }) {
  const t = useMessages(cardMessages);
  const navigate = useNavigate();
  const lost = card.status === 'lost';
  // A card whose replacement is under way shows its progress below (CardApplicationsLinks), not a second application.
  const applications = useApplications(card.product === 'k12_card' || card.product === 'k12_sticker' ? card.studentId : undefined);
  const underWay = (applications.data ?? []).some((a) => a.oldCardId === card.id && isOpenApplication(a));
  return (
    <>
      {card.product === 'k12_card' && !isVoid(card) && !underWay && (
        <Button disabled={!lost} onClick={() => navigate(cardPaths.replace(card.id))} data-testid="action-replace">
          {t.replace}
        </Button>
      )}
      {card.product === 'k12_sticker' && !isVoid(card) && !underWay && (
        <Button disabled={!lost && card.status !== 'active' && card.status !== 'inactive'} onClick={() => navigate(cardPaths.sticker(card.id))} data-testid="action-sticker">
          {t.sticker}
        </Button>
      )}
      {card.product === 'k12_card' && card.canExtend && (
        <Button onClick={() => navigate(cardPaths.extend(card.id))} data-testid="action-extend">
          {t.extend}
        </Button>
      )}
      {card.allowedEvents.includes('return') && (
        <Button onClick={() => navigate(cardPaths.returnCard(card.id))} data-testid="action-return">
          {t.returnCard}
        </Button>
      )}
    </>
  );
}

/** A campus card is replaced, and its consumption password changed, at the university's kiosk (seed 004): where (the school's 服务点) and what to bring. */
export function CampusCardNote({ card }: { card: Card }) {
  const t = useMessages(cardMessages);
  if (card.product !== 'campus_card' || isVoid(card)) return null;
  return (
    <div className="muted" style={{ fontSize: 12, margin: '0 4px 12px' }} data-testid="campus-replace-note">
      {fill(t.campusReplaceNote, { place: card.school.servicePoint ?? t.campusKioskAnywhere })}
    </div>
  );
}

/** The replacement and sticker applications made for this card, each opening its progress timeline. */
export function CardApplicationsLinks({ card }: { card: Card }) {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const relevant = card.product === 'k12_card' || card.product === 'k12_sticker';
  const applications = useApplications(relevant ? card.studentId : undefined);
  const mine = (applications.data ?? []).filter((a) => a.oldCardId === card.id || a.newCardId === card.id);
  if (!relevant) return null;
  return (
    <>
      {card.product === 'k12_card' && card.status !== 'lost' && !isVoid(card) && mine.length === 0 && (
        <div className="muted" style={{ fontSize: 12, margin: '0 4px 12px' }}>
          {t.replaceHint} · {t.replaceNeedsLoss}
        </div>
      )}
      {card.product === 'k12_sticker' && !isVoid(card) && mine.length === 0 && (
        <div className="muted" style={{ fontSize: 12, margin: '0 4px 12px' }} data-testid="sticker-hint">
          {t.stickerHint}
        </div>
      )}
      {mine.length > 0 && (
        <div className="section">
          <List header={card.product === 'k12_sticker' ? t.stickerProgress : t.progress} mode="card">
            {mine.map((a) => (
              <List.Item
                key={a.id}
                clickable
                onClick={() => navigate(cardPaths.application(a.id))}
                description={formatBeijingTime(a.createdAt, lang)}
                extra={<Tag color={a.status === 'completed' ? 'success' : a.status === 'cancelled' ? 'default' : 'primary'}>{lang === 'en' ? a.statusLabel.en : a.statusLabel.zh}</Tag>}
                data-testid="application-link"
              >
                {a.kind === 'sticker' ? t.sticker : t.replace}
              </List.Item>
            ))}
          </List>
        </div>
      )}
    </>
  );
}
