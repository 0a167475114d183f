import { sql, type Kysely } from 'kysely';

/**
 * The fare breakdown a tap carried, as columns instead of one jsonb document (docs/decisions/0005
 * "Speed"). A jsonb value is parsed into its binary form row by row, and at a million taps that
 * was the largest single cost of storing a tap; these are plain scalars, and nulls cost a bit
 * each. All of them are set when the terminal priced the ride and all null when it did not
 * (a rail entry, a POS sale), which the CHECK keeps. Existing rows are carried over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table transit_taps
      add column fare_mode text check (fare_mode in ('bus','rail')),
      add column fare_category text,
      add column fare_line_type text,
      add column fare_distance_km double precision,
      add column fare_full_fen bigint,
      add column fare_fen bigint,
      add column fare_rule text,
      add column fare_month_spent_before_fen bigint,
      add column fare_entry_station text,
      add column fare_exit_station text;

    update transit_taps set
      fare_mode = fare->>'mode',
      fare_category = fare->>'category',
      fare_line_type = fare->>'lineType',
      fare_distance_km = (fare->>'distanceKm')::double precision,
      fare_full_fen = (fare->>'fullFareFen')::bigint,
      fare_fen = (fare->>'fareFen')::bigint,
      fare_rule = fare->>'rule',
      fare_month_spent_before_fen = (fare->>'monthSpentBeforeFen')::bigint,
      fare_entry_station = fare->>'entryStation',
      fare_exit_station = fare->>'exitStation'
    where fare is not null;

    alter table transit_taps
      drop column fare,
      add constraint transit_taps_fare_whole check (
        (fare_mode is null) = (fare_category is null) and (fare_mode is null) = (fare_full_fen is null)
        and (fare_mode is null) = (fare_fen is null) and (fare_mode is null) = (fare_rule is null)
      );
  `.execute(db);
}
