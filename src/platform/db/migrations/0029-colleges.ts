import { sql, type Kysely } from 'kysely';

/**
 * 琴房预订 is for music students (seed 004: 音乐学院、高等职业教育与继续教育学院的音乐类专业同学):
 * a university student's 院系 (college or school within the university) comes from the roster,
 * and a venue may be kept for students of named colleges (empty: the whole university).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table students add column college text check (length(college) between 1 and 32);
    alter table campus_venues add column colleges text[] not null default '{}' check (cardinality(colleges) <= 8);
  `.execute(db);
}
