import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0016 moves a tap's fare breakdown from one jsonb document into columns: taps stored
 * before it keep their breakdown, field by field, and a tap without a fare stays without one.
 */

const fareMigration = '0016-transit-fare-columns';
let handle: DatabaseHandle;
const terminalId = newId();

beforeAll(async () => {
  handle = await createTestDatabaseBefore(fareMigration);
  const tap = (seq: number, kind: string, fare: unknown) => sql`
    insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, fare, outcome, operator, settled_at)
    values (${terminalId}::uuid, ${seq}, ${newId()}::uuid, '32000000016', ${newId()}::uuid, ${seq}, ${kind}, 300, 700, now(), ${fare === null ? null : JSON.stringify(fare)}::jsonb, 'settled', 'bjsubway', now())`;
  await tap(1, 'rail_entry', null).execute(handle.db);
  await tap(2, 'rail_exit', {
    mode: 'rail', category: 'student', distanceKm: 12.5, fullFareFen: 500, fareFen: 300, rule: 'RAIL_CARD', monthSpentBeforeFen: 15_200, entryStation: '西直门', exitStation: '五道口',
  }).execute(handle.db);
  await tap(3, 'bus', { mode: 'bus', category: 'student', lineType: 'ordinary', distanceKm: 8, fullFareFen: 200, fareFen: 50, rule: 'BUS_STUDENT' }).execute(handle.db);
  await migrateToLatest(handle.db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0016: fare breakdown as columns', () => {
  it('carries every field of a stored breakdown over, and leaves a tap without a fare without one', async () => {
    const rows = await handle.db.selectFrom('transit_taps').selectAll().where('terminal_id', '=', terminalId).orderBy('seq').execute();
    expect(rows.map((r) => [r.seq, r.fare_mode, r.fare_rule])).toEqual([[1, null, null], [2, 'rail', 'RAIL_CARD'], [3, 'bus', 'BUS_STUDENT']]);
    expect(rows[1]).toMatchObject({
      fare_category: 'student', fare_line_type: null, fare_distance_km: 12.5, fare_full_fen: 500, fare_fen: 300, fare_month_spent_before_fen: 15_200,
      fare_entry_station: '西直门', fare_exit_station: '五道口',
    });
    expect(rows[2]).toMatchObject({ fare_line_type: 'ordinary', fare_distance_km: 8, fare_full_fen: 200, fare_fen: 50, fare_month_spent_before_fen: null });
  });

  it('refuses a half-written breakdown', async () => {
    await expect(sql`
      insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, outcome, operator, settled_at, fare_mode)
      values (${terminalId}::uuid, 9, ${newId()}::uuid, '32000000016', ${newId()}::uuid, 9, 'bus', 50, 650, now(), 'settled', 'bjbus', now(), 'bus')`.execute(handle.db)).rejects.toThrow(/transit_taps_fare_whole/);
  });
});
