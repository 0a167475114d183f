import { sql, type Kysely } from 'kysely';

/**
 * 预订场馆 (seed 004: 使用校园卡 APP … 预订场馆): besides the practice rooms, a university's sports
 * venues (badminton and table-tennis courts, a gym hall) are booked by the hour the same way.
 * Each kind has its own 2-bookings limit, so a piano hour does not use up a badminton hour.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table campus_venues drop constraint campus_venues_kind_check;
    alter table campus_venues add constraint campus_venues_kind_check check (kind in ('piano_room','sports_court'));
  `.execute(db);
}
