import { sql, type Kysely } from 'kysely';

/**
 * 到期提醒 (domain rules, "What users ask for" 3: expiry reminders): a bound parent is texted once
 * per card and expiry date when the child's card is due for its extension. The job looks for
 * cards in use expiring soon, hence the partial index by expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table expiry_reminders (
      card_id uuid not null references cards(id),
      valid_until date not null,
      parent_id uuid not null references parents(id),
      texted_at timestamptz not null,
      primary key (card_id, valid_until, parent_id)
    );
    create index cards_active_valid_until on cards (valid_until) where status = 'active' and valid_until is not null;
  `.execute(db);
}
