import { sql, type Kysely } from 'kysely';

/**
 * A settled tap is its purse's ledger entry (docs/decisions/0006-taps-as-purse-entries.md).
 *
 * Until now every settled tap wrote a `ledger_postings` row debiting the card's purse, beside its
 * own `transit_taps` row that says the same thing (card, amount, ledger transaction): at a million
 * taps a day, the copy was the largest single cost of settling a tap. Now a tap settled from here
 * on carries `purse_entry_fen` (what it took from the purse: its amount less any shortfall sent to
 * suspense) and is the purse's debit itself; its ledger transaction holds only the other side
 * (fare revenue, suspense) as postings. Taps settled before keep their postings and leave the
 * column null, so nothing is counted twice and no history is rewritten.
 *
 * The ledger's rules now cover both kinds of entry:
 * - `ledger_entries` is every entry of the ledger: the postings (with their id) and the purse
 *   entries of taps (posting_id null).
 *   Statements, the reversal of a transaction and `ledger check` read it;
 * - `ledger_transaction_totals(txn)` sums a transaction's entries, and every balance check (the
 *   deferred row triggers of 0004, the statement trigger of 0013) now uses it;
 * - a statement trigger on `transit_taps` checks that the ledger transactions and the purses its
 *   new entries name exist and that the transactions balance, at the end of that statement, so a
 *   tap cannot be added to a transaction, old or new, without its other side;
 * - entry taps are append-only, like postings, and no tap becomes an entry after it was written;
 * - a ledger account's code and owner never change (the entries find their purse by them).
 * The balance columns of the purse still move in the same database transaction (postBatch), so
 * every reader of balances is unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table transit_taps
      add column purse_entry_fen bigint,
      add constraint transit_taps_purse_entry check (
        purse_entry_fen is null
        or (purse_entry_fen > 0 and outcome = 'settled' and ledger_transaction_id is not null and purse_entry_fen = amount_fen - shortfall_fen));
    create index transit_taps_ledger_transaction on transit_taps (ledger_transaction_id) where purse_entry_fen is not null;

    -- The purse is found the way settlement finds it (cards own their purse, code purse:<cardId>);
    -- from one account's side the planner walks owner → the card's taps (transit_taps_card_counter).
    create view ledger_entries as
      select p.id as posting_id, p.transaction_id, p.account_id, p.debit_fen, p.credit_fen
      from ledger_postings p
      union all
      select null::uuid, t.ledger_transaction_id, a.id, t.purse_entry_fen, 0::bigint
      from transit_taps t
      join ledger_accounts a on a.owner_id = t.card_id and a.code = 'purse:' || t.card_id::text
      where t.purse_entry_fen is not null and t.outcome = 'settled';

    -- Without the account: a transaction's balance does not depend on which purse each tap hit.
    create function ledger_transaction_totals(txn uuid, out debits numeric, out credits numeric, out entries int8)
      language sql stable as $$
        select coalesce(sum(d), 0), coalesce(sum(c), 0), count(*) from (
          select debit_fen as d, credit_fen as c from ledger_postings where transaction_id = txn
          union all
          select purse_entry_fen, 0 from transit_taps where ledger_transaction_id = txn and purse_entry_fen is not null
        ) e
      $$;

    create or replace function ledger_assert_balanced() returns trigger language plpgsql as $$
    declare
      txn uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;
      totals record;
    begin
      select * into totals from ledger_transaction_totals(txn);
      if totals.entries = 0 or totals.debits <> totals.credits then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', txn, totals.debits, totals.credits, totals.entries
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;

    create or replace function ledger_assert_balanced_statement() returns trigger language plpgsql as $$
    declare
      bad record;
    begin
      if not ledger_checked_by_statement() then
        return null;
      end if;
      select n.transaction_id into bad from (select distinct transaction_id from new_postings) n
        where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id)
        limit 1;
      if found then
        raise exception 'a ledger posting names no ledger transaction (%)', bad.transaction_id using errcode = 'foreign_key_violation';
      end if;
      select n.account_id into bad from (select distinct account_id from new_postings) n
        where not exists (select 1 from ledger_accounts a where a.id = n.account_id)
        limit 1;
      if found then
        raise exception 'a ledger posting names no ledger account (%)', bad.account_id using errcode = 'foreign_key_violation';
      end if;
      select t.transaction_id, s.debits, s.credits, s.entries into bad
        from (select distinct transaction_id from new_postings) t
        cross join lateral ledger_transaction_totals(t.transaction_id) s
        where s.entries = 0 or s.debits <> s.credits
        limit 1;
      if found then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', bad.transaction_id, bad.debits, bad.credits, bad.entries
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;

    create function transit_tap_entries_balanced() returns trigger language plpgsql as $$
    declare
      bad record;
    begin
      select n.id into bad from (select distinct ledger_transaction_id as id from new_taps where purse_entry_fen is not null) n
        where not exists (select 1 from ledger_transactions t where t.id = n.id)
        limit 1;
      if found then
        raise exception 'a tap entry names no ledger transaction (%)', bad.id using errcode = 'foreign_key_violation';
      end if;
      -- The account an entry moves is its card's purse (as ledger_entries finds it): it must exist.
      select n.card_id into bad from (select distinct card_id from new_taps where purse_entry_fen is not null) n
        where not exists (select 1 from ledger_accounts a where a.owner_id = n.card_id and a.code = 'purse:' || n.card_id::text)
        limit 1;
      if found then
        raise exception 'a tap entry names no ledger account (no purse for card %)', bad.card_id using errcode = 'foreign_key_violation';
      end if;
      select n.id, s.debits, s.credits, s.entries into bad
        from (select distinct ledger_transaction_id as id from new_taps where purse_entry_fen is not null) n
        cross join lateral ledger_transaction_totals(n.id) s
        where s.debits <> s.credits
        limit 1;
      if found then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', bad.id, bad.debits, bad.credits, bad.entries
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;
    create trigger transit_taps_entries_balanced after insert on transit_taps
      referencing new table as new_taps
      for each statement execute function transit_tap_entries_balanced();

    create function transit_tap_entries_are_kept() returns trigger language plpgsql as $$
    begin
      raise exception 'a tap that is a purse entry is append-only: post a reversing transaction instead' using errcode = 'raise_exception';
    end $$;
    -- Nor does a tap become an entry after it was written: entries are checked when inserted.
    create trigger transit_taps_entries_append_only before update on transit_taps
      for each row when (old.purse_entry_fen is not null or new.purse_entry_fen is not null) execute function transit_tap_entries_are_kept();
    create trigger transit_taps_entries_not_deleted before delete on transit_taps
      for each row when (old.purse_entry_fen is not null) execute function transit_tap_entries_are_kept();
    create trigger transit_taps_no_truncate before truncate on transit_taps
      for each statement execute function transit_tap_entries_are_kept();

    -- A tap entry finds its purse by the account's owner and code, so those never change either
    -- (0013 already kept the id).
    create or replace function ledger_accounts_are_kept() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger accounts are never deleted and never change id, code or owner (postings and tap entries refer to them)' using errcode = 'raise_exception';
    end $$;
    drop trigger ledger_accounts_id_fixed on ledger_accounts;
    create trigger ledger_accounts_identity_fixed before update of id, code, owner_id on ledger_accounts
      for each row when (old.id is distinct from new.id or old.code is distinct from new.code or old.owner_id is distinct from new.owner_id)
      execute function ledger_accounts_are_kept();
  `.execute(db);
}
