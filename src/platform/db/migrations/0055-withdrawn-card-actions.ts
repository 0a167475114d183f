import { sql, type Kysely } from 'kysely';

/**
 * A card that leaves service (returned, replaced, closed) never takes its waiting action-list
 * entries: terminals deny it. Its top-ups paid online stay in its shadow purse, which the return
 * refunds or the replacement moves on; the entries are withdrawn (kept, for the history) so that
 * terminals are no longer sent them and nothing reports them as waiting for the card.
 *
 * Campus and temporary cards keep their balance in the account, not on the card (decision 0007),
 * yet their top-ups used to make entries too: those are withdrawn as `not_on_card`, and so are
 * the entries of cards that had already left service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table transit_card_actions
      add column withdrawn_at timestamptz,
      add column withdrawn_reason text check (withdrawn_reason in ('returned', 'replaced', 'closed', 'not_on_card')),
      add check ((withdrawn_at is null) = (withdrawn_reason is null));
    update transit_card_actions a
      set withdrawn_at = now(),
          withdrawn_reason = case when c.product in ('campus_card', 'temporary_card') then 'not_on_card' else c.status end
      from cards c
      where c.id = a.card_id and a.applied_at is null
        and (c.product in ('campus_card', 'temporary_card') or c.status in ('returned', 'replaced', 'closed'));
  `.execute(db);
}
