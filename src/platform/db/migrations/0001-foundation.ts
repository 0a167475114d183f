import { sql, type Kysely } from 'kysely';

/** Identities, sessions, idempotency keys, the audit log and the job queue. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table schools (
      id uuid primary key,
      code text not null unique,
      name text not null,
      stage text not null check (stage in ('primary','middle','high','university','vocational')),
      district text,
      created_at timestamptz not null default now()
    );
    create table classes (
      id uuid primary key,
      school_id uuid not null references schools(id),
      grade int not null check (grade between 1 and 12),
      class_no text not null,
      created_at timestamptz not null default now(),
      unique (school_id, grade, class_no)
    );
    create table students (
      id uuid primary key,
      education_id char(8) not null unique check (education_id ~ '^[0-9]{8}$'),
      name text not null,
      gender char(1) not null check (gender in ('M','F')),
      birth_date date not null,
      id_number char(18) not null,
      school_id uuid not null references schools(id),
      class_id uuid references classes(id),
      stage text not null check (stage in ('primary','middle','high','university','vocational')),
      status text not null default 'enrolled' check (status in ('enrolled','graduated','transferred','left')),
      salaried boolean not null default false,
      student_no text,
      password_hash text not null,
      must_change_password boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index students_school_idx on students (school_id, class_id);
    create index students_id_number_idx on students (id_number);
    create table parents (
      id uuid primary key,
      phone text not null unique check (phone ~ '^1[3-9][0-9]{9}$'),
      display_name text,
      password_hash text not null,
      must_change_password boolean not null default true,
      created_at timestamptz not null default now()
    );
    create table parent_students (
      parent_id uuid not null references parents(id),
      student_id uuid not null references students(id),
      relation text,
      bound_at timestamptz not null,
      primary key (parent_id, student_id)
    );
    create index parent_students_student_idx on parent_students (student_id);
    create table staff_users (
      id uuid primary key,
      username text not null unique,
      display_name text not null,
      role text not null check (role in ('operator','school_admin','kiosk')),
      school_id uuid references schools(id),
      password_hash text not null,
      must_change_password boolean not null default false,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      check (role <> 'school_admin' or school_id is not null)
    );
    create table sessions (
      id uuid primary key,
      token_hash text not null unique,
      role text not null,
      subject_id uuid not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index sessions_subject_idx on sessions (subject_id);
    create table idempotency_keys (
      caller text not null,
      key text not null,
      request_hash text not null,
      status_code int not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (caller, key)
    );
    create table audit_log (
      id uuid primary key,
      at timestamptz not null,
      actor_role text not null,
      actor_id uuid,
      action text not null,
      entity_type text not null,
      entity_id text,
      before jsonb,
      after jsonb,
      request_id text
    );
    create index audit_log_entity_idx on audit_log (entity_type, entity_id, at);
    create index audit_log_at_idx on audit_log (at);
    -- The audit log is append-only: history that can be edited proves nothing.
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only' using errcode = 'raise_exception';
    end $$;
    create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_is_append_only();
    create table jobs (
      id uuid primary key,
      kind text not null,
      payload jsonb not null default '{}',
      unique_key text unique,
      status text not null default 'queued' check (status in ('queued','running','done','failed')),
      run_at timestamptz not null,
      attempts int not null default 0,
      max_attempts int not null default 5,
      locked_until timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index jobs_due_idx on jobs (run_at) where status in ('queued','running');
    create table app_meta (
      key text primary key,
      value text not null
    );
  `.execute(db);
}
