import { sql, type Kysely } from 'kysely';

/**
 * 校园网充值 by Alipay or WeChat Pay (seed 004: 使用微信或校园卡账户为校园网充值): an order of kind
 * `network_top_up` pays into the student's campus network account, not a card's purse, so it
 * names no card.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_orders drop constraint payment_orders_kind_check;
    alter table payment_orders add constraint payment_orders_kind_check check (kind in ('top_up','fee','network_top_up'));
  `.execute(db);
}
