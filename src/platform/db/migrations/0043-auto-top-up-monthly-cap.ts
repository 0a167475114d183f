import { sql, type Kysely } from 'kysely';

/**
 * 自动充值's monthly cap: at most this much charged for a child in a Beijing month (null: no cap
 * beyond one charge per card and day), and the month the parent was last texted that the cap
 * stopped a charge, so that they are told once a month, not every minute.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table auto_top_ups add column monthly_cap_fen bigint
      check (monthly_cap_fen between 1000 and 500000 and monthly_cap_fen >= amount_fen);
    alter table auto_top_ups add column cap_texted_month text;
  `.execute(db);
}
