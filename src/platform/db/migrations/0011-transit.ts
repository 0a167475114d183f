import { sql, type Kysely } from 'kysely';

/**
 * Transit: uploaded tap batches, every tap a terminal ever sent (settled or rejected, one row per
 * terminal and sequence number: the key that makes a re-upload harmless), each terminal's
 * acknowledged sequence and deny-list version, and action lists (online top-ups and extensions
 * waiting to be written to a card at its next tap). Money stays in the ledger. See
 * docs/decisions/0005-transit-settlement.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table transit_batches (
      id uuid primary key,
      terminal_id uuid not null references terminals(id),
      batch_id uuid not null,
      received_at timestamptz not null,
      records int not null,
      accepted int not null,
      duplicates int not null,
      rejected int not null,
      flagged int not null,
      amount_fen bigint not null,
      ack_seq bigint not null
    );
    create index transit_batches_terminal on transit_batches (terminal_id, received_at desc);

    -- The hot table: one row per tap, written in bulk. No foreign keys on purpose (a per-row
    -- referential check per tap would cost more than the insert); terminal and card come from
    -- the session and the cards table inside the same transaction.
    create table transit_taps (
      terminal_id uuid not null,
      seq bigint not null check (seq >= 1),
      batch_row_id uuid not null,
      card_no text not null,
      card_id uuid,
      card_counter bigint not null,
      kind text not null check (kind in ('bus','rail_entry','rail_exit','pos')),
      amount_fen bigint not null check (amount_fen >= 0),
      balance_after_fen bigint not null,
      at timestamptz not null,
      fare jsonb,
      applied_action_ids text[] not null default '{}',
      outcome text not null check (outcome in ('settled','rejected')),
      code text check (code in ('TAC_INVALID','CARD_UNKNOWN','COUNTER_REPLAY')),
      flags text[] not null default '{}',
      operator text not null,
      ledger_transaction_id uuid,
      shortfall_fen bigint not null default 0 check (shortfall_fen >= 0 and shortfall_fen <= amount_fen),
      settled_at timestamptz not null,
      primary key (terminal_id, seq),
      check ((outcome = 'rejected') = (code is not null)),
      check (outcome = 'rejected' or card_id is not null)
    );
    -- A card counter is settled once: the database refuses a replay even if two terminals race.
    create unique index transit_taps_card_counter on transit_taps (card_id, card_counter) where outcome = 'settled';

    create table transit_terminal_state (
      terminal_id uuid primary key references terminals(id),
      ack_seq bigint not null default 0,
      last_upload_at timestamptz,
      last_batch_id uuid,
      deny_list_version bigint,
      deny_list_polled_at timestamptz,
      actions_polled_at timestamptz
    );

    create table transit_card_actions (
      id uuid primary key,
      -- The action-list cursor: handed out under a lock held to commit, so gap-free in commit order.
      position bigint not null unique,
      card_id uuid not null references cards(id),
      card_no text not null,
      kind text not null check (kind in ('top_up','extend')),
      amount_fen bigint check (amount_fen > 0),
      valid_until date,
      source text not null unique,
      created_at timestamptz not null,
      applied_at timestamptz,
      applied_terminal_id uuid,
      applied_seq bigint,
      check ((kind = 'top_up') = (amount_fen is not null)),
      check ((kind = 'extend') = (valid_until is not null)),
      check ((applied_at is null) = (applied_terminal_id is null))
    );
    create index transit_card_actions_card on transit_card_actions (card_id, position);

    -- Settlement asks "was this card deny-listed when it tapped?" for a whole batch of cards; this
    -- small partial index answers for the few that ever were.
    create index transit_denied_card_events on card_status_events (card_id) where denied;

    -- Every settled batch rewrites thousands of purse balance rows. Room on each page lets those
    -- updates stay HOT (no new index entries: none of the balance columns is indexed).
    alter table ledger_accounts set (fillfactor = 70);
  `.execute(db);
}
