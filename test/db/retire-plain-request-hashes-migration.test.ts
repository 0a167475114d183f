import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0023 retires the plain SHA-256 request fingerprints of Idempotency-Key records made
 * before keyed fingerprints: a body with a 6-digit PIN must not be recoverable from the database.
 */

let handle: DatabaseHandle;
const pinBody = `PUT /api/v1/kiosk/students/x/consumption-pin\n/api/v1/kiosk/students/x/consumption-pin\n${JSON.stringify({ newPin: '135790' })}`;
const plain = createHash('sha256').update(pinBody).digest('hex');

beforeAll(async () => {
  handle = await createTestDatabaseBefore('0023-retire-plain-request-hashes');
  await sql`insert into idempotency_keys (caller, key, request_hash, status_code, response) values ('kiosk:1', 'k-1', ${plain}, 204, 'null'::jsonb)`.execute(handle.db);
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0023', () => {
  it('keeps the record (a replay still answers 422) but no hash of the PIN', async () => {
    const rows = await sql<{ key: string; request_hash: string; status_code: number }>`select key, request_hash, status_code from idempotency_keys where caller = 'kiosk:1'`.execute(handle.db);
    expect(rows.rows).toEqual([{ key: 'k-1', request_hash: 'retired:plain-sha256', status_code: 204 }]);
    expect(rows.rows[0]!.request_hash).not.toMatch(/^[0-9a-f]{64}$/);
  });
});
