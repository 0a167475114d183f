import { Button, ErrorBlock, List, Skeleton, Tag } from 'antd-mobile';
import { useParams } from 'react-router';
import { formatYuan } from '../../../../src/domain/money.js';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { cardPaths } from '../cards/paths.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill } from '../ui/text.js';
import { tripExplanation, tripFare, tripRoute } from './explain.js';
import { transitMessages } from './messages.js';
import { useTrips, type Trip } from './queries.js';
import { RailMonthPanel } from './RailMonthPanel.js';
import './transit.css';

const isMissing = (error: unknown) => error instanceof ApiError && (error.status === 404 || error.status === 403);

/** 乘车记录 of one card: this month's rail spend against the tiers, then each ride with what it cost and why. */
export function TripsPage() {
  const { cardId = '' } = useParams();
  const t = useMessages(transitMessages);
  const trips = useTrips(cardId);
  const missing = trips.isError && isMissing(trips.error);
  return (
    <SubPage title={t.tripsTitle} backTo={cardPaths.card(cardId)}>
      {missing ? (
        <ErrorBlock status="empty" title={t.cardNotFound} description={null} data-testid="trips-not-found" />
      ) : (
        <>
          <div className="section"><RailMonthPanel cardId={cardId} /></div>
          <TripList trips={trips} />
        </>
      )}
    </SubPage>
  );
}

function TripList({ trips }: { trips: ReturnType<typeof useTrips> }) {
  const t = useMessages(transitMessages);
  if (trips.isPending) return <Skeleton.Paragraph lineCount={6} animated />;
  if (trips.isError) return <LoadFailed error={trips.error} onRetry={() => void trips.refetch()} />;
  const items = trips.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <ErrorBlock status="empty" title={t.noTrips} description={t.noTripsHint} data-testid="trips-empty" />;
  return (
    <>
      <List header={t.tripsTitle} mode="card" data-testid="trip-list">
        {items.map((trip) => <TripRow key={trip.cardCounter} trip={trip} />)}
      </List>
      {trips.hasNextPage ? (
        <Button block fill="none" loading={trips.isFetchingNextPage} onClick={() => void trips.fetchNextPage()} data-testid="trips-more">
          {t.loadMore}
        </Button>
      ) : (
        <div className="muted" style={{ textAlign: 'center', padding: 8 }}>{t.noMore}</div>
      )}
    </>
  );
}

function TripRow({ trip }: { trip: Trip }) {
  const t = useMessages(transitMessages);
  const { lang } = useLang();
  const fare = tripFare(trip);
  const route = tripRoute(trip, t);
  const explanation = trip.kind === 'rail_entry' ? t.entryOnly : trip.kind === 'pos' ? t.posSale : tripExplanation(trip, t, lang);
  const discounted = fare !== null && fare.fullFareFen !== trip.amountFen;
  return (
    <List.Item
      data-testid="trip-row"
      data-kind={trip.kind}
      data-counter={trip.cardCounter}
      description={
        <>
          <div>{formatBeijingTime(trip.at, lang)}</div>
          {explanation && <div className="trip-explanation" data-testid="trip-explanation">{explanation}</div>}
          <div className="trip-terminal">{fill(t.terminal, { code: trip.terminalCode })} · {trip.operator}</div>
        </>
      }
      extra={
        <div className="trip-amounts">
          <div className="trip-paid" data-testid="trip-paid">{trip.amountFen > 0 ? `-${formatYuan(trip.amountFen)}` : formatYuan(0)}</div>
          {discounted && <div className="trip-full" data-testid="trip-full">{t.fullFare} <s>{formatYuan(fare.fullFareFen)}</s></div>}
          <div className="muted">{fill(t.balanceAfter, { amount: formatYuan(trip.balanceAfterFen) })}</div>
        </div>
      }
    >
      <span data-testid="trip-kind">{t[`kind_${trip.kind}`]}</span>
      {route && <span className="trip-route" data-testid="trip-route"> · {route}</span>}
      {trip.flags.length > 0 && <Tag color="warning" fill="outline" style={{ marginLeft: 6 }} data-testid="trip-flagged">{t.flagged}</Tag>}
    </List.Item>
  );
}
