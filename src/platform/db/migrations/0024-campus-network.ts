import { sql, type Kysely } from 'kysely';

/**
 * 校园网计时收费 (seed 004; domain rules "Campus payments"): a student's campus network account
 * is a ledger purse (`network:<studentId>`), topped up from the campus card. The campus network's
 * gateway (a terminal of kind `network_gateway`, of one university) signs devices on and reports
 * their minutes; each device buys an hour as it begins, at ¥0.30, until the month's charge
 * reaches ¥40.00. At most two devices of a student are on at once.
 *
 * - campus_network_sessions: one device's time online, once per (gateway, the gateway's own
 *   session id), so a gateway retrying a sign-on gets the same session. `online_until` is when its
 *   paid time runs out unless the gateway reports again; an ended session has none.
 * - campus_network_months: what a student's month was charged (the cap is checked against it).
 * - campus_network_device_months: per device and month, the minutes used and the hours bought.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table terminals drop constraint terminals_kind_check;
    alter table terminals add constraint terminals_kind_check check (kind in ('bus_validator','rail_gate','pos','reader','network_gateway'));

    create table campus_network_sessions (
      id uuid primary key,
      terminal_id uuid not null references terminals(id),
      gateway_session_id text not null check (gateway_session_id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
      student_id uuid not null references students(id),
      device_mac text not null check (device_mac ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$'),
      started_at timestamptz not null,
      minutes bigint not null default 0 check (minutes >= 0),
      overrun_minutes bigint not null default 0 check (overrun_minutes >= 0),
      charged_fen bigint not null default 0 check (charged_fen >= 0),
      online_until timestamptz,
      ended_at timestamptz,
      end_reason text check (end_reason in ('signed_off','no_balance','replaced','expired','kicked')),
      unique (terminal_id, gateway_session_id),
      check ((ended_at is null) = (end_reason is null)),
      check ((ended_at is null) = (online_until is not null))
    );
    create index campus_network_sessions_student_idx on campus_network_sessions (student_id, started_at desc);
    create index campus_network_sessions_online_idx on campus_network_sessions (student_id) where ended_at is null;

    create table campus_network_months (
      student_id uuid not null references students(id),
      month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      charged_fen bigint not null default 0 check (charged_fen between 0 and 4000),
      primary key (student_id, month)
    );

    create table campus_network_device_months (
      student_id uuid not null,
      month text not null,
      device_mac text not null,
      minutes bigint not null default 0 check (minutes >= 0),
      paid_hours integer not null default 0 check (paid_hours >= 0),
      primary key (student_id, month, device_mac),
      foreign key (student_id, month) references campus_network_months (student_id, month),
      check (minutes <= paid_hours * 60)
    );
  `.execute(db);
}
