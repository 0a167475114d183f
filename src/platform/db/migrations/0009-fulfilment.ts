import type { Kysely } from 'kysely';

/** Production and delivery: information confirmation, replacement and sticker applications, production batches, deliveries (helper E). */
export async function up(_db: Kysely<unknown>): Promise<void> {
  // Filled in by its module.
}
