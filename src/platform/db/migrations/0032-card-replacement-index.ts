import { sql, type Kysely } from 'kysely';

/**
 * The card that replaced a card (补卡): a canteen refund of a purchase made with a replaced card
 * follows the replacements to the card in use, one lookup per replacement, under locks.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index cards_replaces_card on cards (replaces_card_id) where replaces_card_id is not null`.execute(db);
}
