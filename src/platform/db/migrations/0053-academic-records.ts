import { sql, type Kysely } from 'kysely';

/**
 * 课表查询 and 成绩查询 (seed 004: "全日制本科生可通过校园卡APP中'课表查询'、'成绩查询'等师生类应用…"):
 *
 * - A university student's 培养层次 (study level: associate 专科/高职, undergraduate 本科,
 *   postgraduate 研究生) and 学习形式 (full_time: 全日制 or not), from the roster or the console;
 *   null while the school has not said (src/domain/academic-access.ts refuses them then).
 * - The university's terms (学年-学期, their first Monday and number of teaching weeks), and per
 *   term the timetable and the grades its 教务系统 owns and pushes here (an upload replaces a
 *   term's timetable or grades whole, in one transaction; the hash of what was uploaded makes a
 *   repeat a no-op). Onecard shows them; it never edits a course or a grade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table students add column study_level text check (study_level in ('associate','undergraduate','postgraduate'));
    alter table students add column full_time boolean;

    create table academic_terms (
      id uuid primary key,
      school_id uuid not null references schools(id),
      code text not null check (code ~ '^[0-9]{4}-[0-9]{4}-[1-3]$'),
      first_monday date not null check (extract(isodow from first_monday) = 1),
      weeks smallint not null check (weeks between 1 and 30),
      timetable_hash text,
      timetable_uploaded_at timestamptz,
      grades_hash text,
      grades_uploaded_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (school_id, code)
    );

    create table timetable_entries (
      id uuid primary key,
      term_id uuid not null references academic_terms(id),
      student_id uuid not null references students(id),
      course_name text not null check (length(course_name) between 1 and 64),
      teacher text check (length(teacher) between 1 and 64),
      location text check (length(location) between 1 and 64),
      weekday smallint not null check (weekday between 1 and 7),
      first_period smallint not null check (first_period between 1 and 16),
      last_period smallint not null check (last_period between first_period and 16),
      weeks smallint[] not null check (cardinality(weeks) between 1 and 30),
      weeks_text text not null check (length(weeks_text) between 1 and 64)
    );
    create index timetable_entries_term_student_idx on timetable_entries (term_id, student_id);
    create index timetable_entries_student_idx on timetable_entries (student_id);

    create table grade_records (
      id uuid primary key,
      term_id uuid not null references academic_terms(id),
      student_id uuid not null references students(id),
      course_name text not null check (length(course_name) between 1 and 64),
      credit_tenths smallint not null check (credit_tenths between 0 and 300),
      score_tenths smallint check (score_tenths between 0 and 1000),
      score_grade text check (score_grade in ('优','良','中','及格','不及格')),
      grade_point_hundredths smallint check (grade_point_hundredths between 0 and 500),
      exam_kind text not null check (exam_kind in ('normal','makeup','retake')),
      check ((score_tenths is null) <> (score_grade is null)),
      unique (term_id, student_id, course_name, exam_kind)
    );
    create index grade_records_student_idx on grade_records (student_id);
  `.execute(db);
}
