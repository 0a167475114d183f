import { sql, type Kysely } from 'kysely';

/**
 * 琴房预订 is for "音乐学院、高等职业教育与继续教育学院的音乐类专业同学" (seed 004): the whole music
 * college, and only the music majors of the vocational college. A college alone cannot say that,
 * so a university student also has a 专业 (major, from the roster's column or the console), and a
 * venue may be kept for named majors beside named colleges. A venue with neither is open to the
 * whole university; otherwise a student of one of its colleges or of one of its majors may book it
 * (src/domain/venue-access.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table students add column major text check (length(major) between 1 and 32);
    alter table campus_venues add column majors text[] not null default '{}' check (cardinality(majors) <= 16);
  `.execute(db);
}
