import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorBlock, List, Skeleton, Tabs, Toast } from 'antd-mobile';
import { useState } from 'react';
import type { z } from 'zod';
import type { bookingSchema, slotSchema, venueSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { isVenueRestricted } from '../../../../src/domain/venue-access.js';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill, useErrorText } from '../ui/text.js';
import { campusMessages } from './messages.js';
import './campus.css';

type Venue = z.infer<typeof venueSchema>;
type VenueKind = Venue['kind'];
type Slot = z.infer<typeof slotSchema>;
type Booking = z.infer<typeof bookingSchema>;

/**
 * 琴房预订 and 预订场馆 (seed 004): a room or court, a day of the coming week, a free hour; below,
 * the student's bookings of that kind still to come, each cancellable until it begins. The server
 * decides every hour.
 */
export function BookingsPage({ kind }: { kind: VenueKind }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const venues = useQuery({ queryKey: ['campus', 'venues', kind, token], queryFn: ({ signal }) => api.get<{ items: Venue[]; days: string[] }>('/campus/venues', { kind }, signal), retry: false });
  const text = kind === 'piano_room' ? { title: t.bookingsTitle, intro: t.bookingsIntro, none: t.noVenues } : { title: t.sportsTitle, intro: t.sportsIntro, none: t.noSports };

  let body;
  if (venues.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (venues.isError && errorCode(venues.error) === 'CAMPUS_CARD_NOT_IN_USE') body = <ErrorBlock status="empty" title={t.noCampusCard} />;
  else if (venues.isError) body = <LoadFailed error={venues.error} onRetry={() => void venues.refetch()} />;
  else if (venues.data.items.length === 0) body = <ErrorBlock status="empty" title={text.none} data-testid="venues-empty" />;
  else body = <Booker venues={venues.data.items} days={venues.data.days} />;
  return (
    <SubPage title={text.title} backTo="/">
      <p className="muted" style={{ fontSize: 13 }}>{text.intro}</p>
      {body}
      <MyBookings kind={kind} />
    </SubPage>
  );
}

/** The days come from the server, so a phone whose clock is off still offers the right week. */
function Booker({ venues, days }: { venues: Venue[]; days: string[] }) {
  const [chosenVenue, setVenueId] = useState(venues[0]!.id);
  const [chosenDate, setDate] = useState(days[0]!);
  // A room removed or a day gone by since they were chosen falls back to the first.
  const venue = venues.find((v) => v.id === chosenVenue) ?? venues[0]!;
  const date = days.includes(chosenDate) ? chosenDate : days[0]!;
  return (
    <div className="section">
      <Tabs activeKey={venue.id} onChange={setVenueId} data-testid="venue-tabs">
        {venues.map((v) => <Tabs.Tab key={v.id} title={v.name} />)}
      </Tabs>
      <Audience venue={venue} />
      <Tabs activeKey={date} onChange={setDate} data-testid="day-tabs">
        {days.map((d) => <Tabs.Tab key={d} title={d.slice(5)} />)}
      </Tabs>
      <Slots venue={venue} date={date} />
    </div>
  );
}

/**
 * Whom a room is kept for, when it is (seed 004: 仅限音乐学院及音乐表演、音乐教育专业的同学预约); a
 * student sees only rooms open to them, so this says why a friend may not see it.
 */
function Audience({ venue }: { venue: Venue }) {
  const t = useMessages(campusMessages);
  if (!isVenueRestricted(venue)) return null;
  const colleges = venue.colleges.join(t.nameSeparator);
  const majors = venue.majors.join(t.nameSeparator);
  const text = colleges && majors ? fill(t.keptForBoth, { colleges, majors }) : colleges ? fill(t.keptForColleges, { colleges }) : fill(t.keptForMajors, { majors });
  return <p className="muted" style={{ fontSize: 13, margin: '8px 0' }} data-testid="venue-audience">{text}</p>;
}

function Slots({ venue, date }: { venue: Venue; date: string }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const slots = useQuery({ queryKey: ['campus', 'slots', venue.id, date, token], queryFn: async ({ signal }) => (await api.get<{ items: Slot[] }>(`/campus/venues/${venue.id}/slots`, { date }, signal)).items });
  const book = useIdempotentMutation({
    mutationFn: (hour: number, idempotencyKey) => api.post<Booking>('/campus/bookings', { venueId: venue.id, date, hour }, { idempotencyKey }),
    onSuccess: async (b) => {
      Toast.show({ icon: 'success', content: fill(t.booked, { venue: b.venueName, date: b.date, hour: b.hour }) });
      await queryClient.invalidateQueries({ queryKey: ['campus'] });
    },
    onError: async (error) => {
      Toast.show({ icon: 'fail', content: describe(error) });
      await queryClient.invalidateQueries({ queryKey: ['campus', 'slots'] });
    },
  });
  if (slots.isPending) return <Skeleton.Paragraph lineCount={4} animated />;
  if (slots.isError) return <LoadFailed error={slots.error} onRetry={() => void slots.refetch()} />;
  const label = (s: Slot) => (s.state === 'mine' ? t.slotMine : s.state === 'taken' ? t.slotTaken : s.bookable ? t.slotFree : t.slotPast);
  return (
    <div className="slot-grid" data-testid="slots">
      {slots.data.map((s) => (
        <Button
          key={s.hour}
          size="small"
          color={s.state === 'mine' ? 'success' : s.bookable ? 'primary' : 'default'}
          fill={s.bookable ? 'outline' : 'solid'}
          disabled={!s.bookable || book.isPending}
          onClick={() => book.mutate(s.hour)}
          data-testid="slot"
          data-hour={s.hour}
          data-state={s.state}
        >
          {s.hour}:00 {label(s)}
        </Button>
      ))}
    </div>
  );
}

/** The student's bookings of this page's kind still to come. */
function MyBookings({ kind }: { kind: VenueKind }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const bookings = useQuery({ queryKey: ['campus', 'bookings', token], queryFn: async ({ signal }) => (await api.get<{ items: Booking[] }>('/campus/bookings', undefined, signal)).items, retry: false });
  const cancel = useIdempotentMutation({
    mutationFn: (id: string, idempotencyKey) => api.post<Booking>(`/campus/bookings/${id}/cancel`, undefined, { idempotencyKey }),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.bookingCancelled });
      await queryClient.invalidateQueries({ queryKey: ['campus'] });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  if (bookings.isPending) return <Skeleton.Paragraph lineCount={2} animated />;
  // No campus card: the page above says so already.
  if (bookings.isError) return errorCode(bookings.error) === 'CAMPUS_CARD_NOT_IN_USE' ? null : <LoadFailed error={bookings.error} onRetry={() => void bookings.refetch()} />;
  const ofKind = bookings.data.filter((b) => b.venueKind === kind);
  return (
    <List header={t.myBookings} mode="card" data-testid="my-bookings">
      {ofKind.length === 0 ? (
        <List.Item><span className="muted">{t.noBookings}</span></List.Item>
      ) : (
        ofKind.map((b) => (
          <List.Item key={b.id} data-testid="booking-item" extra={<Button size="mini" fill="outline" loading={cancel.isPending} onClick={() => cancel.mutate(b.id)} data-testid="booking-cancel">{t.cancelBooking}</Button>}>
            {b.venueName} · {b.date} {b.hour}:00
          </List.Item>
        ))
      )}
    </List>
  );
}
