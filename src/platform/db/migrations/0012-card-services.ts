import type { Kysely } from 'kysely';

/** Card services: extension windows, returns, campus and temporary cards (helper G). */
export async function up(_db: Kysely<unknown>): Promise<void> {
  // Filled in by its module.
}
