import { sql, type Kysely } from 'kysely';

/**
 * 课表查询 and 成绩查询, after review (decision 0011):
 *
 * - A grade may carry the university's 课程号 (course code): the course's identity for the GPA
 *   when given (courses of one name, 形势与政策 or 体育, are taken every term). One attempt per
 *   student, course and exam kind in a term: the course by its code when given, else its name.
 * - 考试性质 补考二, 重修补考 and 重修二 besides 正常, 补考 and 重修; 成绩 marks 缺考, 缓考, 免修,
 *   通过 and 不通过 besides the 等级.
 * - A timetable row may have no 星期 / 节次 (an online course, a practice week): "time to be
 *   arranged". All three or none.
 * - A roster import's warnings (a 培养层次 or 学习形式 that cannot be read is stored as not known
 *   and reported, the row is still imported), like its report of rejected rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table grade_records add column course_code text check (length(course_code) between 1 and 32);
    alter table grade_records drop constraint if exists grade_records_exam_kind_check;
    alter table grade_records add constraint grade_records_exam_kind_check check (exam_kind in ('normal','makeup','makeup2','retake','retake_makeup','retake2'));
    alter table grade_records drop constraint if exists grade_records_score_grade_check;
    alter table grade_records add constraint grade_records_score_grade_check check (score_grade in ('优','良','中','及格','不及格','缺考','缓考','免修','通过','不通过'));
    alter table grade_records drop constraint if exists grade_records_term_id_student_id_course_name_exam_kind_key;
    create unique index grade_records_attempt_idx on grade_records (term_id, student_id, coalesce(course_code, course_name), exam_kind);

    alter table timetable_entries alter column weekday drop not null;
    alter table timetable_entries alter column first_period drop not null;
    alter table timetable_entries alter column last_period drop not null;
    alter table timetable_entries add constraint timetable_entries_time_check check ((weekday is null) = (first_period is null) and (first_period is null) = (last_period is null));

    alter table roster_imports add column warnings jsonb not null default '[]';
    alter table roster_imports add column warning_count integer not null default 0;
  `.execute(db);
}
