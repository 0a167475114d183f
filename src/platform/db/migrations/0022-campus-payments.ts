import { sql, type Kysely } from 'kysely';

/**
 * Campus payments (seed 004, domain rules "Campus payments"): the canteen POS takes the campus
 * card or the app's dynamic payment code (消费认证码). Over the student's per-purchase limit the
 * consumption password is asked for. A payment code is single-use and short-lived; a purchase
 * is stored once per (terminal, the POS's own purchase id), so a POS that retries after a lost
 * answer never charges twice. A canteen POS and a dorm reader belong to one school and serve its
 * cards only (terminals.school_id; transit terminals have none). Dorm electricity is prepaid per
 * room (campus_rooms, each with its meter): a purchase is sent to the meter and not refunded.
 * 网上报修: a student reports a fault (water, power, facilities, network, telecoms) and the
 * school's staff take it on and mark it done. 琴房预订: practice rooms booked by the hour; one
 * booking per room and slot (a partial unique index, so a race cannot double-book).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table terminals add column school_id uuid references schools(id);
    alter table students add column campus_purchase_limit_fen bigint not null default 5000
      check (campus_purchase_limit_fen between 0 and 100000);

    create table campus_payment_codes (
      code text primary key check (code ~ '^[0-9]{18}$'),
      card_id uuid not null references cards(id),
      student_id uuid not null references students(id),
      issued_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      check (expires_at >= issued_at)
    );
    create index campus_payment_codes_card_idx on campus_payment_codes (card_id, issued_at desc);

    create table campus_purchases (
      id uuid primary key,
      terminal_id uuid not null references terminals(id),
      pos_purchase_id text not null,
      card_id uuid not null references cards(id),
      student_id uuid not null references students(id),
      method text not null check (method in ('card','payment_code')),
      amount_fen bigint not null check (amount_fen > 0),
      balance_after_fen bigint not null,
      pin_checked boolean not null,
      merchant text not null,
      ledger_transaction_id uuid not null, -- no foreign key into the ledger, as for transit taps: its tables refuse TRUNCATE with their own append-only error
      at timestamptz not null,
      unique (terminal_id, pos_purchase_id)
    );
    create index campus_purchases_card_idx on campus_purchases (card_id, at desc);

    create table campus_rooms (
      id uuid primary key,
      school_id uuid not null references schools(id),
      building text not null check (length(building) between 1 and 32),
      room_no text not null check (room_no ~ '^[A-Za-z0-9-]{1,16}$'),
      meter_no text not null unique check (meter_no ~ '^[A-Za-z0-9-]{4,32}$'),
      created_at timestamptz not null,
      unique (school_id, building, room_no)
    );

    create table campus_electricity_purchases (
      id uuid primary key,
      room_id uuid not null references campus_rooms(id),
      student_id uuid not null references students(id),
      card_id uuid not null references cards(id),
      amount_fen bigint not null check (amount_fen > 0),
      price_fen_per_kwh int not null check (price_fen_per_kwh > 0),
      kwh_centi bigint not null check (kwh_centi > 0),
      ledger_transaction_id uuid not null,
      meter_status text not null check (meter_status in ('queued','delivered')),
      created_at timestamptz not null,
      delivered_at timestamptz,
      check ((meter_status = 'delivered') = (delivered_at is not null))
    );
    create index campus_electricity_room_idx on campus_electricity_purchases (room_id, created_at desc);
    create index campus_electricity_student_idx on campus_electricity_purchases (student_id, created_at desc);

    create table campus_repairs (
      id uuid primary key,
      school_id uuid not null references schools(id),
      student_id uuid not null references students(id),
      category text not null check (category in ('water','power','facility','network','telecom')),
      location text not null check (length(location) between 1 and 64),
      description text not null check (length(description) between 1 and 500),
      status text not null check (status in ('submitted','accepted','done','cancelled')),
      staff_note text check (staff_note is null or length(staff_note) <= 200),
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index campus_repairs_school_idx on campus_repairs (school_id, status, created_at desc);
    create index campus_repairs_student_idx on campus_repairs (student_id, created_at desc);

    create table campus_venues (
      id uuid primary key,
      school_id uuid not null references schools(id),
      kind text not null check (kind in ('piano_room')),
      name text not null check (length(name) between 1 and 32),
      created_at timestamptz not null,
      unique (school_id, kind, name)
    );

    create table campus_bookings (
      id uuid primary key,
      venue_id uuid not null references campus_venues(id),
      student_id uuid not null references students(id),
      date date not null,
      hour int not null check (hour between 0 and 23),
      starts_at timestamptz not null,
      status text not null check (status in ('booked','cancelled')),
      created_at timestamptz not null,
      cancelled_at timestamptz,
      check ((status = 'cancelled') = (cancelled_at is not null))
    );
    create unique index campus_bookings_slot_key on campus_bookings (venue_id, date, hour) where status = 'booked';
    create index campus_bookings_student_idx on campus_bookings (student_id, starts_at);
  `.execute(db);
}
