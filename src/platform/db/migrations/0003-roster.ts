import { sql, type Kysely } from 'kysely';

/** Roster imports: one row per uploaded file, with progress and the per-row report. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table roster_imports (
      id uuid primary key,
      school_id uuid not null references schools(id),
      file_name text not null,
      status text not null check (status in ('running','done','failed')),
      total_rows int not null default 0,
      processed_rows int not null default 0,
      created_count int not null default 0,
      updated_count int not null default 0,
      rejected_count int not null default 0,
      -- the problems of the first 1,000 rejected rows, written when the import finishes
      report jsonb not null default '[]',
      -- an error code (ROSTER_IMPORT_FAILED); the messages come from the error catalogue
      error text,
      created_by uuid,
      created_at timestamptz not null,
      finished_at timestamptz
    );
    create index roster_imports_school_idx on roster_imports (school_id, created_at);
  `.execute(db);
}
