import { sql, type Kysely } from 'kysely';

/**
 * Idempotency-Key records made before this release fingerprinted the request with a plain
 * SHA-256 of its body, and bodies hold passwords and 6-digit PINs: such a hash is undone by
 * trying every PIN. They are replaced by a marker no new fingerprint (an HMAC, hex) can equal, so
 * a replay of one of them still answers IDEMPOTENCY_KEY_REUSED (422) and never runs twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update idempotency_keys set request_hash = 'retired:plain-sha256'`.execute(db);
}
