import { sql, type Kysely } from 'kysely';

/**
 * Identity, part two: campus passwords, photos, sign-in throttling, one-time codes and the SMS
 * outbox, guardian consent, and how each session signed in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A null password hash means the initial password is still in force (students: the birth
    -- date; campus: the last six of the ID number), so a 100,000-row roster import does not
    -- spend an argon2 hash on each row; signing in with it forces a change.
    alter table students alter column password_hash drop not null;
    alter table students
      add column campus_password_hash text,
      add column campus_must_change boolean not null default true,
      add column campus_pin_hash text;
    create unique index students_student_no_idx on students (school_id, student_no) where student_no is not null;
    alter table sessions add column login_kind text not null default 'staff'
      check (login_kind in ('student','parent','campus','staff'));
    create table student_photos (
      student_id uuid primary key references students(id),
      content_type text not null check (content_type in ('image/jpeg','image/png')),
      bytes bytea not null,
      updated_at timestamptz not null
    );
    create table auth_attempts (
      id uuid primary key,
      account_key text not null,
      source text not null,
      succeeded boolean not null,
      at timestamptz not null
    );
    create index auth_attempts_account_idx on auth_attempts (account_key, at);
    create index auth_attempts_source_idx on auth_attempts (source, at) where not succeeded;
    create table one_time_codes (
      id uuid primary key,
      phone text not null,
      purpose text not null,
      code_hash text not null,
      expires_at timestamptz not null,
      consumed_at timestamptz,
      attempts int not null default 0,
      created_at timestamptz not null
    );
    create index one_time_codes_phone_idx on one_time_codes (phone, purpose, created_at);
    create table sms_outbox (
      id uuid primary key,
      phone text not null,
      body text not null,
      provider text not null,
      created_at timestamptz not null
    );
    create index sms_outbox_created_idx on sms_outbox (created_at);
    create table guardian_consents (
      id uuid primary key,
      student_id uuid not null references students(id),
      parent_id uuid not null references parents(id),
      purpose text not null,
      granted_at timestamptz not null,
      revoked_at timestamptz
    );
    create index guardian_consents_student_idx on guardian_consents (student_id, purpose);
  `.execute(db);
}
