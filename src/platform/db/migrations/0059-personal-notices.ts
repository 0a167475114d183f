import { sql, type Kysely } from 'kysely';

/**
 * 消息公告 to one student (decision 0009): the server writes a notice for one student when
 * something of theirs changed that they should look at — the first is 成绩已更新 when a grades
 * upload brings them new or different grades (decision 0011). Such a notice has the student's
 * school (whose name the app shows as the issuer) and the student; only that student reads it,
 * and no console lists it. `topic` names what it is about ('grades:<term id>'): one published
 * notice per student and topic, a newer one withdrawing the older.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table notices add column student_id uuid references students(id);
    alter table notices add column topic text check (length(topic) between 1 and 80);
    alter table notices add constraint notices_personal check (student_id is null or (school_id is not null and audience is null and topic is not null));
    create unique index notices_personal_topic_idx on notices (student_id, topic) where status = 'published' and student_id is not null;
    create index notices_student_idx on notices (student_id, status, published_at desc) where student_id is not null;
  `.execute(db);
}
