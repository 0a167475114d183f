import type { Kysely } from 'kysely';

/** Phone e-cards: K-12 NFC e-cards and university e-cards (helper F). */
export async function up(_db: Kysely<unknown>): Promise<void> {
  // Filled in by its module.
}
