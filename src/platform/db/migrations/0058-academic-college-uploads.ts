import { sql, type Kysely } from 'kysely';

/**
 * 课表/成绩 uploads per college (院系), for a university whose term does not fit one upload
 * (decision 0011): an upload may replace only the rows of the students of one college.
 *
 * - `academic_uploads` records, per term and kind (timetable, grades), each scope uploaded and
 *   not cleared since: the whole term (college '') or one college. It says whether a student's
 *   term is published (an upload of the whole term or of their college) and when the scope last
 *   changed; it replaces the term's four hash / uploaded-at columns, whose data move into it.
 * - The no-op rule no longer compares with a stored hash: an upload is compared with the rows
 *   stored now for the students of its scope (a student moving college on the roster makes a
 *   stored hash of a scope wrong), so the hash kept here is only what was uploaded, for the audit.
 * - Students of a school by college, for the scoped replacement's delete and read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table academic_uploads (
      term_id uuid not null references academic_terms(id),
      kind text not null check (kind in ('timetable','grades')),
      college text not null check (college = '' or length(college) between 1 and 32),
      sha256 text not null,
      uploaded_at timestamptz not null,
      primary key (term_id, kind, college)
    );
    insert into academic_uploads (term_id, kind, college, sha256, uploaded_at)
      select id, 'timetable', '', timetable_hash, coalesce(timetable_uploaded_at, updated_at) from academic_terms where timetable_hash is not null;
    insert into academic_uploads (term_id, kind, college, sha256, uploaded_at)
      select id, 'grades', '', grades_hash, coalesce(grades_uploaded_at, updated_at) from academic_terms where grades_hash is not null;
    alter table academic_terms drop column timetable_hash, drop column timetable_uploaded_at, drop column grades_hash, drop column grades_uploaded_at;
    create index students_school_college_idx on students (school_id, college) where college is not null;
  `.execute(db);
}
