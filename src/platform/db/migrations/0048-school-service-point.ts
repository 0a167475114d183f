import { sql, type Kysely } from 'kysely';

/**
 * 服务点: where a university's self-service kiosk stands (seed 004: the campus card is replaced,
 * and its consumption password changed, at the kiosk). The app names it on the campus card's page;
 * null until the school or an operator sets it, and the app then says "the university's kiosk".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table schools add column service_point text check (length(service_point) between 1 and 60)`.execute(db);
}
