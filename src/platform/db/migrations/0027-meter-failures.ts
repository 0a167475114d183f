import { sql, type Kysely } from 'kysely';

/**
 * A dorm electricity purchase whose meter never took the energy (the head-end kept refusing or
 * did not answer, through all of the delivery job's attempts) is `failed`, with the last error,
 * so the student sees it and reports it (seed 004: 电费缴费中出现问题请通过校园卡APP网上报修处理)
 * instead of 下发中 for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table campus_electricity_purchases drop constraint campus_electricity_purchases_meter_status_check;
    alter table campus_electricity_purchases add constraint campus_electricity_purchases_meter_status_check check (meter_status in ('queued','delivered','failed'));
    alter table campus_electricity_purchases add column meter_error text;
  `.execute(db);
}
