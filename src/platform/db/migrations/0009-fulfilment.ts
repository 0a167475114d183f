import { sql, type Kysely } from 'kysely';

/** Production and delivery: information confirmation, replacement and sticker applications, production batches, deliveries (helper E). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- 制卡信息确认: one current record per student; only a confirmed record goes to production.
    create table card_confirmations (
      id uuid primary key,
      student_id uuid not null unique references students(id),
      school_id uuid not null references schools(id),
      status text not null check (status in ('pending','reported','confirmed')),
      corrections jsonb not null default '[]',
      round integer not null default 0,
      fix_note text,
      confirmed_at timestamptz,
      confirmed_by text,
      reported_at timestamptz,
      fixed_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index card_confirmations_school on card_confirmations (school_id, status);

    create table production_batches (
      id uuid primary key,
      batch_no text not null unique,
      kind text not null check (kind in ('replacement','sticker')),
      status text not null check (status in ('created','exported','produced','dispatched')),
      created_by text,
      created_at timestamptz not null,
      exported_at timestamptz,
      produced_at timestamptz,
      dispatched_at timestamptz
    );

    create table card_applications (
      id uuid primary key,
      kind text not null check (kind in ('replacement','sticker')),
      student_id uuid not null references students(id),
      school_id uuid not null references schools(id),
      old_card_id uuid not null references cards(id),
      status text not null check (status in ('awaiting_payment','ready_for_production','in_production','produced','dispatched','delivered','completed','cancelled')),
      delivery_method text not null check (delivery_method in ('school','home')),
      recipient text,
      phone text,
      address text,
      fee_fen integer not null check (fee_fen >= 0),
      fee_order_id uuid references payment_orders(id),
      paid_at timestamptz,
      batch_id uuid references production_batches(id),
      new_card_no text unique,
      new_card_id uuid references cards(id),
      delivery_id uuid,
      balance_transfer_due_at timestamptz,
      balance_transferred_at timestamptz,
      balance_transferred_fen bigint,
      created_by_role text not null,
      created_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (delivery_method = 'school' or (recipient is not null and phone is not null and address is not null))
    );
    -- A card is replaced once: two racing applications for one card cannot both be stored.
    create unique index card_applications_one_per_card on card_applications (old_card_id) where status <> 'cancelled';
    create index card_applications_student on card_applications (student_id, created_at);
    create index card_applications_status on card_applications (status, kind);
    create index card_applications_batch on card_applications (batch_id) where batch_id is not null;
    create index card_applications_fee_order on card_applications (fee_order_id) where fee_order_id is not null;

    create table card_application_steps (
      id uuid primary key,
      application_id uuid not null references card_applications(id),
      step text not null,
      note text,
      actor_role text not null,
      actor_id text,
      at timestamptz not null
    );
    create index card_application_steps_application on card_application_steps (application_id, at);

    create table deliveries (
      id uuid primary key,
      batch_id uuid not null references production_batches(id),
      method text not null check (method in ('school','home')),
      school_id uuid not null references schools(id),
      application_id uuid references card_applications(id),
      courier text,
      tracking_no text unique,
      status text not null check (status in ('created','in_transit','delivered','failed')),
      events jsonb not null default '[]',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      delivered_at timestamptz
    );
    create index deliveries_batch on deliveries (batch_id);
    create index deliveries_status on deliveries (status, method);
  `.execute(db);
}
