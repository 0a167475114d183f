import { sql, type Kysely } from 'kysely';

/**
 * The sandbox gateway's trades can be closed by the merchant (alipay.trade.close, WeChat Pay's
 * close order), as Onecard now does when an order it sent to a gateway is cancelled or expires.
 * A closed trade, unlike one the payer cancelled at the cashier, can never be paid or reopened.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sandbox_payments drop constraint sandbox_payments_status_check;
    alter table sandbox_payments add constraint sandbox_payments_status_check check (status in ('pending','paid','cancelled','closed'));
  `.execute(db);
}
