import { sql, type Kysely } from 'kysely';

/**
 * The meter a dorm electricity purchase was delivered to. A room's meter may be replaced (更换电表)
 * after delivery; the purchase stays with the meter that took the energy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campus_electricity_purchases add column delivered_meter_no text`.execute(db);
}
