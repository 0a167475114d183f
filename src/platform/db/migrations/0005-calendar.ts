import { sql, type Kysely } from 'kysely';

/**
 * The working-day calendar: one row per day of each loaded year (seeded from chinese-days,
 * editable by operators), which years are loaded, and small key/value settings such as the
 * payment-window weekdays.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_years (
      year int primary key,
      source text not null,
      loaded_at timestamptz not null
    );
    create table calendar_days (
      date date primary key,
      is_working_day boolean not null,
      is_holiday boolean not null,
      is_vacation boolean not null default false,
      name text,
      edited_by uuid,
      updated_at timestamptz not null
    );
    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null,
      updated_by uuid
    );
  `.execute(db);
}
