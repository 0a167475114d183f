import { addDays, shanghaiDate } from '../../domain/calendar.js';
import { venueOpenTo, type Booker } from '../../domain/venue-access.js';
import { bookingDaysAhead, bookingFirstHour, bookingLastHour, bookingRefusal, bookingsPerStudent, slotStart } from '../../domain/campus-payments.js';
import { assertSchoolAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import './campus.errors.js';
import { campusRepository as repo, type BookingRow, type VenueRow } from './campus.repository.js';
import type { BookingDto, SlotDto, VenueDto } from './campus.schemas.js';
import type { VenueKind } from './campus.tables.js';
import { consoleSchoolOf } from './dorm-electricity.js';
import { campusSchoolOf } from './payment-codes.js';

const bookingView = (row: BookingRow, venue: { name: string; kind: VenueKind }): BookingDto => ({
  id: row.id, venueId: row.venue_id, venueName: venue.name, venueKind: venue.kind, date: row.date, hour: row.hour, startsAt: row.starts_at.toISOString(), status: row.status,
});

const venueView = (v: VenueRow): VenueDto => ({ id: v.id, kind: v.kind, name: v.name, colleges: v.colleges, majors: v.majors });

/** The student's university, and the college and major a venue may be kept for (src/domain/venue-access.ts). */
async function bookerOf(ctx: AppContext, caller: Caller): Promise<{ schoolId: string; booker: Booker }> {
  await campusSchoolOf(ctx, caller);
  const { school_id: schoolId, college, major } = await repo.payer(ctx.db, caller.subjectId);
  return { schoolId, booker: { college, major } };
}

/**
 * A venue of the student's own university (else NOT_FOUND) that is open to them: a venue kept for
 * named colleges or majors (琴房 for 音乐学院 and the music majors of another college, seed 004)
 * is refused to other students with BOOKING_COLLEGE_ONLY (the code kept from before majors, so
 * clients keying on it go on working; its details name both lists).
 */
async function venueOfMySchool(ctx: AppContext, caller: Caller, venueId: string) {
  const { schoolId, booker } = await bookerOf(ctx, caller);
  const venue = await repo.venue(ctx.db, venueId);
  if (!venue || venue.school_id !== schoolId) throw fail('NOT_FOUND', { entity: 'campus_venue', venueId });
  if (!venueOpenTo(venue, booker)) throw fail('BOOKING_COLLEGE_ONLY', { colleges: venue.colleges, majors: venue.majors });
  return venue;
}

/** The venues of a kind open to the student, and the days that may be booked (the server's today and the 7 after). */
export async function myVenues(ctx: AppContext, caller: Caller, kind: VenueKind): Promise<{ items: VenueDto[]; days: string[] }> {
  const { schoolId, booker } = await bookerOf(ctx, caller);
  const items = (await repo.venues(ctx.db, schoolId, kind)).filter((v) => venueOpenTo(v, booker)).map(venueView);
  const today = shanghaiDate(ctx.clock.now());
  return { items, days: Array.from({ length: bookingDaysAhead + 1 }, (_, i) => addDays(today, i)) };
}

/** A room's hours on a date: free, taken, or the caller's own; and whether each may still be booked. */
export async function venueSlots(ctx: AppContext, caller: Caller, venueId: string, date: string): Promise<SlotDto[]> {
  await venueOfMySchool(ctx, caller, venueId);
  const taken = new Map((await repo.bookedHours(ctx.db, venueId, date)).map((b) => [b.hour, b.student_id]));
  const now = ctx.clock.now();
  const slots: SlotDto[] = [];
  for (let hour = bookingFirstHour; hour <= bookingLastHour; hour++) {
    const by = taken.get(hour);
    slots.push({ hour, state: by === undefined ? 'free' : by === caller.subjectId ? 'mine' : 'taken', bookable: by === undefined && bookingRefusal(date, hour, now) === null });
  }
  return slots;
}

/**
 * 琴房预订 and 预订场馆 (seed 004): an hour of a practice room or sports venue of the student's
 * university. The student's row is locked while their bookings of that kind are counted (at most
 * 2 to come), and the slot's partial unique index refuses a second booking of it however the
 * requests race.
 */
export async function bookVenue(ctx: AppContext, caller: Caller, input: { venueId: string; date: string; hour: number }, requestId: string): Promise<BookingDto> {
  const venue = await venueOfMySchool(ctx, caller, input.venueId);
  const now = ctx.clock.now();
  const refusal = bookingRefusal(input.date, input.hour, now);
  if (refusal) throw fail(refusal, { date: input.date, hour: input.hour });
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockPayer(tx, caller.subjectId);
    const upcoming = (await repo.upcomingBookings(tx, caller.subjectId, now)).filter((b) => b.venue_kind === venue.kind);
    if (upcoming.length >= bookingsPerStudent) throw fail('BOOKING_LIMIT', { limit: bookingsPerStudent, kind: venue.kind });
    const row = { id: newId(), venue_id: venue.id, student_id: caller.subjectId, date: input.date, hour: input.hour, starts_at: slotStart(input.date, input.hour), status: 'booked' as const, created_at: now, cancelled_at: null };
    if (!(await repo.insertBooking(tx, row))) throw fail('BOOKING_TAKEN', { date: input.date, hour: input.hour });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.booking.made', entityType: 'campus_venue', entityId: venue.id, after: { bookingId: row.id, date: input.date, hour: input.hour }, requestId });
    return bookingView(row, venue);
  });
}

export async function myBookings(ctx: AppContext, caller: Caller): Promise<BookingDto[]> {
  await campusSchoolOf(ctx, caller);
  return (await repo.upcomingBookings(ctx.db, caller.subjectId, ctx.clock.now())).map((b) => bookingView(b, { name: b.venue_name, kind: b.venue_kind }));
}

/** Every booking the student made, past and cancelled ones too, newest first (导出我的数据: a campus card no longer in use does not hide them). */
export async function allMyBookings(ctx: AppContext, caller: Caller): Promise<BookingDto[]> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  return (await repo.allBookings(ctx.db, caller.subjectId)).map((b) => bookingView(b, { name: b.venue_name, kind: b.venue_kind }));
}

/** The student cancels their own booking before it begins; the hour is free again at once. */
export async function cancelBooking(ctx: AppContext, caller: Caller, bookingId: string, requestId: string): Promise<BookingDto> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await repo.lockBooking(tx, bookingId);
    if (!row || caller.role !== 'student' || row.student_id !== caller.subjectId) throw fail('NOT_FOUND', { entity: 'campus_booking', bookingId });
    const now = ctx.clock.now();
    if (row.status !== 'booked' || row.starts_at.getTime() <= now.getTime()) throw fail('BOOKING_NOT_CANCELLABLE', { status: row.status });
    await repo.cancelBooking(tx, row.id, now);
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.booking.cancelled', entityType: 'campus_venue', entityId: row.venue_id, after: { bookingId: row.id }, requestId });
    const venue = (await repo.venue(tx, row.venue_id))!;
    return bookingView({ ...row, status: 'cancelled', cancelled_at: now }, venue);
  });
}

/** The school's practice rooms and sports venues, for the console. */
export async function schoolVenues(ctx: AppContext, caller: Caller, schoolId: string | undefined): Promise<VenueDto[]> {
  return (await repo.venues(ctx.db, consoleSchoolOf(caller, schoolId))).map(venueView);
}

/** An operator or the university's card manager adds a practice room or a sports venue. */
export async function addVenue(ctx: AppContext, caller: Caller, input: { schoolId: string; kind: VenueKind; name: string; colleges: string[]; majors: string[] }, requestId: string): Promise<VenueDto> {
  assertSchoolAccess(caller, input.schoolId);
  if (!(await repo.isCampusSchool(ctx.db, input.schoolId))) throw fail('CAMPUS_SCHOOL_INVALID', { schoolId: input.schoolId });
  const row = { id: newId(), school_id: input.schoolId, kind: input.kind, name: input.name, colleges: input.colleges, majors: input.majors, created_at: ctx.clock.now() };
  return inTransaction(ctx.db, async (tx) => {
    if (!(await repo.insertVenue(tx, row))) throw fail('CAMPUS_VENUE_TAKEN', { name: input.name });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.venue.added', entityType: 'campus_venue', entityId: row.id, after: input, requestId });
    return venueView(row);
  });
}

/**
 * An operator or the university's card manager changes whom a venue is kept for: its colleges and
 * majors (both empty: the whole university). Bookings already made stand; new ones follow the lists.
 */
export async function setVenueAudience(ctx: AppContext, caller: Caller, venueId: string, input: { colleges: string[]; majors: string[] }, requestId: string): Promise<VenueDto> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await repo.lockVenue(tx, venueId);
    if (!before) throw fail('NOT_FOUND', { entity: 'campus_venue', venueId });
    assertSchoolAccess(caller, before.school_id);
    const after = await repo.setVenueAudience(tx, venueId, input);
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId }, action: 'campus.venue.audience', entityType: 'campus_venue', entityId: venueId,
      before: { colleges: before.colleges, majors: before.majors }, after: input, requestId,
    });
    return venueView(after);
  });
}
