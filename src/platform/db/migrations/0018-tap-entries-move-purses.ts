import { sql, type Kysely } from 'kysely';

/**
 * A tap entry names its purse, and writing it moves the purse (docs/decisions/0006, "Second step").
 *
 * Since 0017 a settled tap is its purse's debit, and the statement trigger on `transit_taps`
 * found each entry's purse by the card (owner and code) to check that it exists: one index probe
 * and heap visit per card, about 6 µs per tap, after which settlement moved the same purses again
 * by id (another probe per card). Now:
 * - the entry tap carries `purse_account_id`, the account it debits (taps written before are
 *   filled in here, found as 0017 found them);
 * - the trigger moves the purses itself: one statement that adds each purse's entries to its
 *   balance, locking the rows in id order (as 0014 does), and that only
 *   touches an account that is the purse of the entry's card (id, owner and code). It moves as
 *   many accounts as the entries name, or the statement fails: so an entry exists only on its
 *   card's purse, and that purse's balance moved by exactly the entries — checked in the same
 *   visit to the row that moves it, with no separate look-up. The floor CHECK on the account
 *   (`ledger_accounts_floor`) refuses a purse taken below its floor, as for any writer;
 * - the trigger checks the balance only of the transactions that already have postings. A
 *   transaction without postings was created in this database transaction (tap entries are
 *   debits only, so every committed transaction has a posting as its other side), and the
 *   deferred trigger on its row (0004) checks it at commit, after its postings are written;
 *   postBatch writes those postings after the taps, in statement mode (0013), so they are
 *   checked once, with the taps, at the end of their own statement.
 * `ledger_entries` takes the entry's account from the tap; the join to its account stays, as the
 * way from one account to its entries (by the card's own index).
 *
 * The backfill rewrites every entry tap written since 0017 with `transit_taps` locked (ACCESS
 * EXCLUSIVE, to switch the append-only trigger off): settlement waits for it, so run it in a quiet
 * window, as 0016. Application servers older than 0018 cannot settle after it (their entry taps
 * name no account and are refused): upgrade them together.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table transit_taps add column purse_account_id uuid;
    alter table transit_taps disable trigger transit_taps_entries_append_only;
    update transit_taps t set purse_account_id = a.id
      from ledger_accounts a
      where t.purse_entry_fen is not null and a.owner_id = t.card_id and a.code = 'purse:' || t.card_id::text;
    alter table transit_taps enable trigger transit_taps_entries_append_only;
    alter table transit_taps add constraint transit_taps_purse_account check ((purse_entry_fen is null) = (purse_account_id is null));

    create or replace view ledger_entries as
      select p.id as posting_id, p.transaction_id, p.account_id, p.debit_fen, p.credit_fen
      from ledger_postings p
      union all
      select null::uuid, t.ledger_transaction_id, t.purse_account_id, t.purse_entry_fen, 0::bigint
      from transit_taps t
      join ledger_accounts a on a.id = t.purse_account_id and a.owner_id = t.card_id
      where t.purse_entry_fen is not null and t.outcome = 'settled';

    -- Adds each purse's entries to its debits, in id order (the plan is forced as in
    -- ledger_apply_balance_deltas), only where the account is the purse of the card. Returns how
    -- many accounts it moved.
    create function transit_move_entry_purses(ids uuid[], owners uuid[], debits int8[]) returns int8 language sql
      set enable_hashjoin = off
      set enable_mergejoin = off
      set enable_seqscan = off
      set enable_bitmapscan = off
    as $$
      with moved as (
        update ledger_accounts a set debits_posted_fen = a.debits_posted_fen + v.debit
        from (select * from unnest(ids, owners, debits) as u(id, owner, debit) order by id) v
        where a.id = v.id and a.owner_id = v.owner and a.code = 'purse:' || v.owner::text
        returning 1
      )
      select count(*) from moved
    $$;

    create or replace function transit_tap_entries_balanced() returns trigger language plpgsql as $$
    declare
      bad record;
      ids uuid[];
      owners uuid[];
      debits int8[];
    begin
      select n.id into bad from (select distinct ledger_transaction_id as id from new_taps where purse_entry_fen is not null) n
        where not exists (select 1 from ledger_transactions t where t.id = n.id)
        limit 1;
      if found then
        raise exception 'a tap entry names no ledger transaction (%)', bad.id using errcode = 'foreign_key_violation';
      end if;
      select n.id, s.debits, s.credits, s.entries into bad
        from (select distinct ledger_transaction_id as id from new_taps where purse_entry_fen is not null) n
        cross join lateral ledger_transaction_totals(n.id) s
        where exists (select 1 from ledger_postings p where p.transaction_id = n.id) and s.debits <> s.credits
        limit 1;
      if found then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', bad.id, bad.debits, bad.credits, bad.entries
          using errcode = 'check_violation';
      end if;
      select array_agg(g.purse_account_id), array_agg(g.card_id), array_agg(g.debit) into ids, owners, debits
        from (select purse_account_id, card_id, sum(purse_entry_fen)::int8 as debit from new_taps where purse_entry_fen is not null group by 1, 2) g;
      if ids is not null and transit_move_entry_purses(ids, owners, debits) <> cardinality(ids) then
        raise exception 'a tap entry names an account that is not its card''s purse' using errcode = 'foreign_key_violation';
      end if;
      return null;
    end $$;
  `.execute(db);
}
