import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Dialog, ErrorBlock, List, Skeleton, Steps, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { moneyPaths } from '../payments/paths.js';
import { transitMessages } from '../transit/messages.js';
import { transitPaths } from '../transit/paths.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { CardFace } from './CardFace.js';
import { canReportLoss, canUnloss, mediumText, productLabel, stageText, statusText, topUpBlockText } from './labels.js';
import { cardMessages, type CardText } from './messages.js';
import { cardPaths } from './paths.js';
import { useCard, useCardAction, useCardHistory, type Card, type CardAction } from './queries.js';
import { CampusCardNote, CardApplicationsLinks, CardServiceButtons } from './CardServiceLinks.js';
import { formatYuan } from '../../../../src/domain/money.js';
import './cards.css';
import { BalanceRefunds } from '../payments/BalanceRefunds.js';
import { campusMessages } from '../campus/messages.js';
import { campusPaths } from '../campus/paths.js';
import { ecardMessages } from '../ecards/messages.js';

/**
 * The card page: its face, its information with the holder's photo, and what can be done with it
 * now. A card that never rides transit (a campus card: an account spent at the canteen's tills)
 * shows no 公交有效性, no amount waiting to be written at a terminal, no trips.
 */
export function CardDetailPage() {
  const { cardId = '' } = useParams();
  const t = useMessages(cardMessages);
  const card = useCard(cardId);

  let body;
  if (card.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (card.isError) {
    body =
      card.error instanceof ApiError && (card.error.status === 404 || card.error.status === 403) ? (
        <ErrorBlock status="empty" title={t.notFound} />
      ) : (
        <LoadFailed error={card.error} onRetry={() => void card.refetch()} />
      );
  } else body = <CardDetail card={card.data} />;

  return (
    <SubPage title={t.cardInfo} backTo={cardPaths.cards}>
      {body}
    </SubPage>
  );
}

function CardDetail({ card }: { card: Card }) {
  const t = useMessages(cardMessages);
  const e = useMessages(ecardMessages);
  const { lang } = useLang();
  return (
    <>
      <CardFace card={card} />
      <BalanceRefunds cardId={card.id} />
      <div className="section">
        <List header={t.cardInfo} mode="card">
          <List.Item>
            <div className="card-detail-head">
              <StudentPhoto studentId={card.studentId} width={64} />
              <div className="info">
                <div className="profile-name" data-testid="detail-holder">{card.holderNameMasked}</div>
                <div className="muted">{card.school.name}</div>
                <div className="muted" style={{ fontSize: 12 }}>{card.transitValidity ? t.photoNote : t.photoNoteCampus}</div>
              </div>
            </div>
          </List.Item>
          <List.Item extra={<CardNumber card={card} label={t.cardNo} />}>{t.cardNo}</List.Item>
          <List.Item extra={productLabel(t, card)}>{t.product}</List.Item>
          <List.Item extra={<span data-testid="detail-status">{statusText(t, card)}</span>}>{t.status}</List.Item>
          {card.transitValidity && (
            <List.Item
              extra={<span data-testid="detail-transit">{card.transitValidity === 'valid' ? t.transitValid : t.transitInvalid}</span>}
              // Transit eligibility stays 有效卡 while lost (seed 000); the card itself cannot be used meanwhile.
              description={card.status === 'lost' && <span data-testid="detail-transit-lost">{t.transitSuspendedWhileLost}</span>}
            >
              {t.transitValidity}
            </List.Item>
          )}
          <List.Item extra={card.validUntil ?? t.noValidUntil}>{t.validUntil}</List.Item>
          <List.Item extra={<span data-testid="detail-balance">{formatYuan(card.balanceFen)}</span>}>{t.balance}</List.Item>
          {card.transitValidity && card.pendingTopUpFen > 0 && (
            <List.Item extra={<span data-testid="detail-pending-top-up">{formatYuan(card.pendingTopUpFen)}</span>} description={t.pendingTopUpHint}>
              {t.pendingTopUp}
            </List.Item>
          )}
          <List.Item extra={stageText(t, card.stage)}>{t.stage}</List.Item>
          <List.Item extra={mediumText(t, card)}>{t.medium}</List.Item>
          {card.device && <List.Item extra={<span data-testid="detail-device">{`${card.device.model} · ${e[`os_${card.device.os}`]} ${card.device.osVersion}`}</span>}>{t.device}</List.Item>}
          {card.linkedCardNoMasked && <List.Item extra={card.linkedCardNoMasked}>{t.linkedCardNo}</List.Item>}
          <List.Item extra={card.activatedAt ? formatBeijingTime(card.activatedAt, lang) : t.notActivated}>{t.activatedAt}</List.Item>
        </List>
      </div>
      <CardActions card={card} />
      <CardApplicationsLinks card={card} />
      <CampusCardNote card={card} />
      <CardHistoryList cardId={card.id} />
    </>
  );
}

function confirmText(t: CardText, action: CardAction): string {
  return action === 'loss' ? t.lossConfirm : action === 'unloss' ? t.unlossConfirm : t.activateConfirm;
}

function CardActions({ card }: { card: Card }) {
  const t = useMessages(cardMessages);
  const describe = useErrorText();
  const navigate = useNavigate();
  const me = useMe();
  const action = useCardAction(card.id);
  const tr = useMessages(transitMessages);
  const c = useMessages(campusMessages);
  const holder = me.data?.role === 'student' || me.data?.role === 'parent';

  const run = async (which: CardAction) => {
    const ok = await Dialog.confirm({ content: confirmText(t, which), confirmText: t.confirm, cancelText: t.cancel });
    if (!ok) return;
    try {
      await action.mutateAsync(which);
      Toast.show({ icon: 'success', content: which === 'loss' ? t.lossDone : which === 'unloss' ? t.unlossDone : t.activated });
    } catch (error) {
      Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    }
  };

  const blocked = topUpBlockText(t, card);
  return (
    <div className="section">
      <List header={t.actions} mode="card">
        <List.Item>
          <div className="card-actions" data-testid="card-actions">
            {holder && card.allowedEvents.includes('activate') && (
              <Button color="primary" loading={action.isPending} onClick={() => void run('activate')} data-testid="action-activate">
                {t.activate}
              </Button>
            )}
            {canReportLoss(card) && (
              <Button color="danger" fill="outline" loading={action.isPending} onClick={() => void run('loss')} data-testid="action-loss">
                {card.medium === 'phone' ? t.reportLossPhone : t.reportLoss}
              </Button>
            )}
            {canUnloss(card) && (
              <Button color="primary" fill="outline" loading={action.isPending} onClick={() => void run('unloss')} data-testid="action-unloss">
                {t.unloss}
              </Button>
            )}
            <Button color="primary" disabled={!card.canTopUp} onClick={() => navigate(moneyPaths.cardTopUp(card.id))} data-testid="action-topup">
              {t.topUp}
            </Button>
            {me.data?.role === 'student' && card.product === 'campus_card' && card.status === 'active' && (
              <Button color="primary" fill="outline" onClick={() => navigate(campusPaths.payCode)} data-testid="action-paycode">
                {c.payCodeEntry}
              </Button>
            )}
            <Button onClick={() => navigate(moneyPaths.cardTransactions(card.id))} data-testid="action-transactions">
              {t.transactions}
            </Button>
            {card.transitValidity && <Button onClick={() => navigate(transitPaths.trips(card.id))} data-testid="action-trips">{tr.tripsEntry}</Button>}
            <CardServiceButtons card={card} />
          </div>
          {blocked && (
            <div className="muted" style={{ fontSize: 12, marginTop: 8 }} data-testid="topup-blocked">
              {fill(t.topUpBlocked, { reason: blocked })}
            </div>
          )}
        </List.Item>
      </List>
    </div>
  );
}

function CardHistoryList({ cardId }: { cardId: string }) {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const history = useCardHistory(cardId);
  return (
    <div className="section">
      <List header={t.history} mode="card">
        <List.Item>
          {history.isPending ? (
            <Skeleton.Paragraph lineCount={3} animated />
          ) : history.isError ? (
            <LoadFailed error={history.error} onRetry={() => void history.refetch()} />
          ) : history.data.length === 0 ? (
            <span className="muted">{t.noHistory}</span>
          ) : (
            <Steps direction="vertical" current={0} data-testid="card-history">
              {history.data.map((item) => (
                <Steps.Step
                  key={item.version}
                  status={item === history.data[0] ? 'process' : 'finish'}
                  title={<span data-testid="history-status">{t[`status_${item.toStatus}`]}</span>}
                  description={`${formatBeijingTime(item.at, lang)} · ${actorText(t, item.actorRole)}`}
                />
              ))}
            </Steps>
          )}
        </List.Item>
      </List>
    </div>
  );
}

function actorText(t: CardText, role: string): string {
  const key = `actor_${role}` as keyof CardText;
  return key in t ? t[key] : role;
}

/**
 * The card number, masked as on every screen until its holder asks to see it: an e-card has no
 * printed number, and 学生卡查询 and the service desks ask for it (seed 002).
 */
function CardNumber({ card, label }: { card: Card; label: string }) {
  const [shown, setShown] = useState(false);
  return (
    <span>
      <span data-testid="detail-card-no">{shown ? card.cardNo : card.cardNoMasked}</span>{' '}
      <Button size="mini" fill="none" aria-label={label} onClick={() => setShown((v) => !v)} data-testid="detail-card-no-reveal">
        {shown ? <EyeInvisibleOutlined /> : <EyeOutlined />}
      </Button>
    </span>
  );
}
