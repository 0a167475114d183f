import { sql, type Kysely } from 'kysely';

/**
 * Card services: the K-12 yearly extension window (set by operators per year), the record of each
 * extension (once per card per window year), and card returns (退卡) with their balance refund.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table card_extension_windows (
      year int primary key check (year between 2000 and 2200),
      starts_on date not null,
      ends_on date not null,
      updated_by text,
      updated_at timestamptz not null,
      check (ends_on >= starts_on),
      check (extract(year from starts_on) = year)
    );

    create table card_extensions (
      id uuid primary key,
      card_id uuid not null references cards(id),
      window_year int not null,
      from_valid_until date,
      to_valid_until date not null,
      requested_by_role text not null,
      requested_by text,
      created_at timestamptz not null,
      unique (card_id, window_year)
    );

    create table card_returns (
      id uuid primary key,
      card_id uuid not null unique references cards(id),
      balance_refund_id uuid references balance_refunds(id),
      refund_fen bigint not null check (refund_fen >= 0),
      refund_route text not null check (refund_route in ('gateway','outlet','none')),
      returned_by_role text not null,
      returned_by text,
      created_at timestamptz not null
    );
    create index cards_search_no on cards (card_no text_pattern_ops);
  `.execute(db);
}
