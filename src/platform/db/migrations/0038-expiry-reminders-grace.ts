import { sql, type Kysely } from 'kysely';

/**
 * 到期提醒 in the grace period (docs/decisions/0008): besides the text before a card expires, one
 * more once it has expired and is in its grace period, while it can still be extended. The kind
 * joins the key, so each is sent once per card, expiry date and parent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table expiry_reminders add column kind text not null default 'expiring' check (kind in ('expiring', 'in_grace'));
    alter table expiry_reminders drop constraint expiry_reminders_pkey;
    alter table expiry_reminders add primary key (card_id, valid_until, parent_id, kind);
  `.execute(db);
}
