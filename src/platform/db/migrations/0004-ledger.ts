import type { Kysely } from 'kysely';

/** The double-entry ledger (being written). */
export async function up(_db: Kysely<unknown>): Promise<void> {}
