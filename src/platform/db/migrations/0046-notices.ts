import { sql, type Kysely } from 'kysely';

/**
 * 消息公告 (seeds 001, 004): notices from the card centre to the whole city (for everyone, K-12 or
 * university students; school_id null) or from a school to its students and their parents
 * (audience null). A draft has no publication time; a published or withdrawn notice keeps it, and
 * only a withdrawn one has a withdrawal time. A school card manager writes only their school's.
 * Each student's or parent's first reading is kept in notice_reads (the unread marks).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notices (
      id uuid primary key,
      school_id uuid references schools(id),
      audience text check (audience in ('all','k12','university')),
      title text not null check (length(title) between 1 and 80 and title = btrim(title)),
      body text not null check (length(body) between 1 and 5000),
      pinned boolean not null default false,
      status text not null check (status in ('draft','published','withdrawn')),
      published_at timestamptz,
      withdrawn_at timestamptz,
      created_by_role text not null check (created_by_role in ('operator','school_admin')),
      created_by_id uuid not null,
      updated_by_role text not null check (updated_by_role in ('operator','school_admin')),
      updated_by_id uuid not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint notices_scope check ((school_id is null) = (audience is not null)),
      constraint notices_published check ((status = 'draft') = (published_at is null)),
      constraint notices_withdrawn check ((status = 'withdrawn') = (withdrawn_at is not null)),
      constraint notices_school_admin_own_school check (school_id is not null or (created_by_role = 'operator' and updated_by_role = 'operator'))
    );
    create index notices_school_idx on notices (school_id, status, published_at desc) where school_id is not null;
    create index notices_city_idx on notices (audience, status, published_at desc) where school_id is null;

    create table notice_reads (
      notice_id uuid not null references notices(id),
      reader_role text not null check (reader_role in ('student','parent')),
      reader_id uuid not null,
      read_at timestamptz not null,
      primary key (notice_id, reader_role, reader_id)
    );
    create index notice_reads_reader_idx on notice_reads (reader_role, reader_id);
  `.execute(db);
}
