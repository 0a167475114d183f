import { Button, Dialog, ErrorBlock, NoticeBar, Skeleton, Toast } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useMe } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { formatYuan } from '../payments/format.js';
import { useCards, useParentChildren, type Card } from '../cards/queries.js';
import { isCampusStage } from '../campus/paths.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { isEcard, useInvalidateCards, useUpgradeStatus } from './queries.js';
import './ecards.css';

/** 电子学生卡: the holder's phone e-cards with what can be done to each, and the ways to open one. */
export function EcardsPage() {
  const t = useMessages(ecardMessages);
  const navigate = useNavigate();
  const cards = useCards();
  const ecards = (cards.data ?? []).filter(isEcard).filter((c) => c.status === 'active' || c.status === 'suspended');
  // A student holds at most one of each (a suspended K-12 e-card is moved, a suspended university
  // one may be followed by a new link, seed 003); a parent may open one for another child.
  const me = useMe().data;
  const isStudent = me?.role === 'student';
  const has = (product: Card['product']) => isStudent && ecards.some((c) => c.product === product && (c.status === 'active' || product === 'k12_ecard'));
  // Offer only what applies: a university student links a university e-card, a K-12 student opens a
  // K-12 one; a parent what applies to one of the children.
  const children = useParentChildren(me?.role === 'parent');
  const stages = isStudent ? [me.schoolStage ?? ''] : (children.data ?? []).map((c) => c.stage);
  const mayOpenK12 = stages.some((stage) => !isCampusStage(stage));
  const mayLinkUniversity = stages.some((stage) => isCampusStage(stage));

  return (
    <SubPage title={t.ecardsTitle} backTo="/cards">
      <p className="muted">{t.ecardsIntro}</p>
      {cards.isPending ? (
        <Skeleton.Paragraph lineCount={6} animated />
      ) : cards.isError ? (
        <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />
      ) : ecards.length === 0 ? (
        <ErrorBlock status="empty" title={t.noEcards} description={t.noEcardsHint} data-testid="ecards-empty" />
      ) : (
        <div data-testid="ecards-list">
          {ecards.map((card) => (
            <EcardItem key={card.id} card={card} followedByActive={ecards.some((c) => c.id !== card.id && c.studentId === card.studentId && c.product === card.product && c.status === 'active')} />
          ))}
        </div>
      )}
      <div className="ecard-actions">
        {mayOpenK12 && !has('k12_ecard') && <Button block color="primary" onClick={() => navigate(ecardPaths.openK12)} data-testid="ecards-open-k12">{t.openK12}</Button>}
        {mayLinkUniversity && !has('university_ecard') && <Button block onClick={() => navigate(ecardPaths.linkUniversity)} data-testid="ecards-link-university">{t.linkUniversity}</Button>}
      </div>
    </SubPage>
  );
}

/**
 * One e-card. `followedByActive`: a suspended card whose holder has since opened another of the
 * same kind (a university student re-links after losing the phone, seed 003): it can no longer
 * be found again (one active card per identity), only returned for its balance.
 */
function EcardItem({ card, followedByActive }: { card: Card; followedByActive: boolean }) {
  const t = useMessages(ecardMessages);
  const navigate = useNavigate();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const k12 = card.product === 'k12_ecard';
  const upgrade = useUpgradeStatus(card.id, k12 && card.status === 'active');
  const act = useIdempotentMutation({
    mutationFn: (action: 'loss' | 'unloss', idempotencyKey) => api.post<Card>(`/cards/${card.id}/${action}`, undefined, { idempotencyKey }),
    onSuccess: () => void invalidate(),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const suspend = async () => {
    if (await Dialog.confirm({ content: t.lostPhoneConfirm, confirmText: t.suspendNow })) act.mutate('loss');
  };

  return (
    <div className="ecard-item" data-testid="ecard-item" data-card-id={card.id} data-status={card.status} data-stage={card.stage ?? ''}>
      <CardFace card={card} />
      {upgrade.data?.needed && upgrade.data.kind && (
        <NoticeBar content={fill(t.upgradeDue, { kind: upgrade.data.kind })} color="alert" data-testid="upgrade-due" />
      )}
      {card.status === 'suspended' && <NoticeBar content={t.suspended} color="error" data-testid="ecard-suspended" />}
      {card.status === 'suspended' && card.product === 'university_ecard' && (
        <div className="muted" style={{ fontSize: 13, margin: '8px 4px 0' }} data-testid="ecard-suspended-hint">
          {followedByActive ? fill(t.suspendedReplacedHint, { amount: formatYuan(card.balanceFen) }) : t.suspendedUniversityHint}
        </div>
      )}
      <div className="ecard-actions">
        {k12 && upgrade.data?.needed && (
          <Button color="primary" onClick={() => navigate(ecardPaths.upgrade(card.id))} data-testid="action-upgrade">{t.upgrade}（{upgrade.data.kind}）</Button>
        )}
        {card.status === 'active' && <Button loading={act.isPending} onClick={() => void suspend()} data-testid="action-lost">{t.lostPhone}</Button>}
        {k12 && card.status === 'suspended' && <Button color="primary" onClick={() => navigate(ecardPaths.move(card.id))} data-testid="action-move">{t.moveToNewPhone}</Button>}
        {card.status === 'suspended' && !followedByActive && <Button loading={act.isPending} onClick={() => act.mutate('unloss')} data-testid="action-found">{t.found}</Button>}
        {card.product === 'university_ecard' && <Button onClick={() => navigate(ecardPaths.university(card.id))} data-testid="action-university">{t.extension} / {t.returnCard}</Button>}
      </div>
    </div>
  );
}
