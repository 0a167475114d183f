import type { Kysely } from 'kysely';

/** Transit: tap batches, settled taps, deny-list state, action lists (helper D). */
export async function up(_db: Kysely<unknown>): Promise<void> {
  // Filled in by its module.
}
