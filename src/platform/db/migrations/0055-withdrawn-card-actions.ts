import { sql, type Kysely } from 'kysely';

/**
 * A card that leaves service (returned, replaced, closed) never takes its waiting action-list
 * entries: terminals deny it. Its top-ups paid online stay in its shadow purse, which the return
 * refunds or the replacement moves on; the entries are withdrawn (kept, for the history) so that
 * terminals are no longer sent them and nothing reports them as waiting for the card.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table transit_card_actions
      add column withdrawn_at timestamptz,
      add column withdrawn_reason text check (withdrawn_reason in ('returned', 'replaced', 'closed')),
      add check ((withdrawn_at is null) = (withdrawn_reason is null));
  `.execute(db);
}
