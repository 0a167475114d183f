import { Button, Card as Panel, ErrorBlock, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { FirstCardProgress } from '../cards/FirstCardProgress.js';
import { cardMessages } from '../cards/messages.js';
import { cardPaths } from '../cards/paths.js';
import { useCards, useParentChildren, type Card } from '../cards/queries.js';
import { ecardMessages } from '../ecards/messages.js';
import { ecardPaths } from '../ecards/paths.js';
import { accountMessages } from '../account/messages.js';
import { isCampusStage } from '../campus/paths.js';
import { holderTag } from '../ui/labels.js';
import { fill } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';
import { Page } from './Page.js';

/** The 卡片 tab: every card as its face (a parent sees them child by child), the way to the phone e-cards and the status query. */
export function CardsPage() {
  const t = useMessages(cardMessages);
  const e = useMessages(ecardMessages);
  const a = useMessages(accountMessages);
  const me = useMe();
  const isParent = me.data?.role === 'parent';
  const cards = useCards();
  const children = useParentChildren(isParent);
  const navigate = useNavigate();

  const face = (card: Card) => <CardFace key={card.id} card={card} onOpen={() => navigate(cardPaths.card(card.id))} />;

  // 制卡信息确认 comes before the card exists, so it is offered with or without cards — to K-12
  // students only: a university or vocational student has a campus card, made by the university (FULFILMENT_NOT_K12).
  const ownConfirmLink = me.data?.role === 'student' && !isCampusStage(me.data.schoolStage) && (
    <Button size="small" fill="none" color="primary" onClick={() => navigate(cardPaths.confirmation(me.data?.id ?? ''))} data-testid="confirm-info-link">
      {t.confirmInfo}
    </Button>
  );

  let body;
  if (cards.isPending || (isParent && children.isPending)) {
    body = <Skeleton.Paragraph lineCount={5} animated />;
  } else if (cards.isError) {
    body = <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />;
  } else if (isParent && children.isError) {
    body = <LoadFailed error={children.error} onRetry={() => void children.refetch()} />;
  } else if (!isParent && cards.data.length === 0) {
    body = (
      <>
        <Panel>
          <ErrorBlock status="empty" title={t.noCards} description={t.noCardsHint} data-testid="cards-empty" />
        </Panel>
        {me.data && <FirstCardProgress studentId={me.data.id} />}
        {ownConfirmLink}
      </>
    );
  } else if (isParent && children.data?.length === 0) {
    body = (
      <Panel>
        <ErrorBlock status="empty" title={t.noCards} description={t.noCardsHint} data-testid="cards-empty" />
      </Panel>
    );
  } else if (isParent && children.data) {
    // One group per bound child, in the order they were bound; a child without cards says so.
    body = children.data.map((child) => {
      const own = cards.data.filter((card) => card.studentId === child.studentId);
      return (
        <section key={child.studentId} className="card-group" data-testid="child-cards" data-student-id={child.studentId}>
          <div className="card-group-title">
            {fill(t.childCards, { name: child.name })}
            <span className="muted" data-testid="child-cards-holder"> · {holderTag(a, { schoolName: child.schoolName, grade: child.grade, classNo: child.classNo })}</span>
          </div>
          {own.length > 0 ? own.map(face) : <Panel style={{ marginBottom: 12 }}><span className="muted">{t.noChildCards}</span></Panel>}
          {own.length === 0 && <FirstCardProgress studentId={child.studentId} />}
          {!isCampusStage(child.stage) && (
            <Button size="small" fill="none" color="primary" onClick={() => navigate(cardPaths.confirmation(child.studentId))} data-testid="confirm-info-link">
              {t.confirmInfo}
            </Button>
          )}
        </section>
      );
    });
  } else {
    body = (
      <>
        {cards.data.map(face)}
        {ownConfirmLink}
      </>
    );
  }

  return (
    <Page title={t.cards}>
      <div data-testid="cards-page">{body}</div>
      <div className="card-query-link">
        <Button size="small" color="primary" fill="outline" onClick={() => navigate(ecardPaths.home)} data-testid="ecards-link">
          {e.ecardsTitle}
        </Button>{' '}
        <Button size="small" fill="outline" onClick={() => navigate(cardPaths.statusQuery)} data-testid="status-query-link">
          {t.statusQuery}
        </Button>
      </div>
    </Page>
  );
}
