import { sql, type Kysely } from 'kysely';

/**
 * Cards: every product a student holds (physical K-12 card, sticker, phone e-cards, university
 * e-card, campus and temporary cards), and the versioned stream of their status changes that
 * transit turns into deny-lists. Purses stay in the ledger (`purse:<cardId>`); top-up orders now
 * name the card they fill.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cards (
      id uuid primary key,
      card_no text not null unique,
      product text not null check (product in ('k12_card','k12_sticker','k12_ecard','university_ecard','campus_card','temporary_card')),
      student_id uuid not null references students(id),
      school_id uuid not null references schools(id),
      medium text not null check (medium in ('physical','sticker','phone')),
      device jsonb,
      stage text check (stage in ('primary','middle','high','university','vocational')),
      status text not null check (status in ('inactive','active','lost','suspended','superseded','replaced','returned','closed')),
      linked_card_no text,
      replaces_card_id uuid references cards(id),
      valid_until date,
      activated_at timestamptz,
      status_changed_at timestamptz not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index cards_student on cards (student_id);
    create index cards_school on cards (school_id, product, status);
    -- One active student transit card per identity: the database, not a read-then-write check,
    -- is what makes two racing requests unable to leave two active cards.
    create unique index cards_one_active_transit on cards (student_id)
      where status = 'active' and product in ('k12_card','k12_ecard','university_ecard');

    create table card_status_events (
      version bigint primary key,
      card_id uuid not null references cards(id),
      card_no text not null,
      from_status text,
      to_status text not null,
      denied boolean not null,
      reason text not null,
      actor_role text not null,
      actor_id text,
      at timestamptz not null
    );
    create index card_status_events_card on card_status_events (card_id, version);

    -- The card face follows the school (no custom themes); null means the stage's default face.
    alter table schools add column card_theme text;

    alter table payment_orders add column card_id uuid references cards(id);
    create index payment_orders_card on payment_orders (card_id) where card_id is not null;
  `.execute(db);
}
