import { sql, type Kysely } from 'kysely';

/**
 * The ledger's "postings sum to zero" check, made linear for bulk writers (transit settlement,
 * docs/decisions/0005-transit-settlement.md "Speed").
 *
 * Until now every posting queued a deferred row trigger that re-summed its whole ledger
 * transaction: n postings in one transaction cost n² row visits, and each run paid for a PL/pgSQL
 * call. Now a posting is checked by exactly one of two triggers, both summing every posting its
 * ledger transaction has in the table (so a posting added later to an old transaction is judged
 * with the old ones):
 * - inserted while the transaction-local setting `ledger.balance_check = 'statement'` is on (postBatch
 *   sets it around its one postings statement): an AFTER INSERT … FOR EACH STATEMENT trigger with
 *   the statement's rows as a transition table checks each ledger transaction they touch once, at
 *   the end of that statement, in one set-based query;
 * - otherwise (every other writer, and hand-written SQL): the deferred constraint trigger, as
 *   before, at commit (its WHEN skips only rows the statement trigger checks).
 * Whoever sets the setting, the rows are checked: the statement trigger reads the same setting
 * the row trigger's WHEN does. The deferred trigger on ledger_transactions (no transaction without
 * postings, and balanced at commit) is unchanged.
 *
 * The same split replaces the two foreign keys of ledger_postings (to its transaction and its
 * account). A foreign key checks row by row and takes a KEY SHARE lock on the referenced row — a
 * heap write and a WAL record on the purse row per tap, more than the posting itself cost. The
 * rule stays the database's: the statement trigger checks the statement's postings against both
 * tables in one set-based query, an immediate row trigger checks every other posting as the
 * foreign key did; and what the foreign keys also guaranteed — the referenced rows never go away
 * or change key — holds because ledger_transactions is append-only (0004) and ledger_accounts now
 * refuses DELETE, TRUNCATE and a change of id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ledger_checked_by_statement() returns boolean language sql stable as $$
      select coalesce(current_setting('ledger.balance_check', true), '') = 'statement'
    $$;

    drop trigger ledger_postings_balanced on ledger_postings;
    create constraint trigger ledger_postings_balanced after insert on ledger_postings
      deferrable initially deferred for each row
      when (not ledger_checked_by_statement())
      execute function ledger_assert_balanced('transaction_id');

    alter table ledger_postings
      drop constraint ledger_postings_transaction_id_fkey,
      drop constraint ledger_postings_account_id_fkey;

    create function ledger_assert_posting_refs() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from ledger_transactions where id = new.transaction_id) then
        raise exception 'ledger posting % names no ledger transaction (%)', new.id, new.transaction_id using errcode = 'foreign_key_violation';
      end if;
      if not exists (select 1 from ledger_accounts where id = new.account_id) then
        raise exception 'ledger posting % names no ledger account (%)', new.id, new.account_id using errcode = 'foreign_key_violation';
      end if;
      return null;
    end $$;
    create trigger ledger_postings_refs after insert on ledger_postings
      for each row when (not ledger_checked_by_statement())
      execute function ledger_assert_posting_refs();

    create function ledger_accounts_are_kept() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger accounts are never deleted and never change id (postings refer to them)' using errcode = 'raise_exception';
    end $$;
    create trigger ledger_accounts_no_delete before delete on ledger_accounts
      for each row execute function ledger_accounts_are_kept();
    create trigger ledger_accounts_no_truncate before truncate on ledger_accounts
      for each statement execute function ledger_accounts_are_kept();
    create trigger ledger_accounts_id_fixed before update of id on ledger_accounts
      for each row when (old.id is distinct from new.id) execute function ledger_accounts_are_kept();

    create function ledger_assert_balanced_statement() returns trigger language plpgsql as $$
    declare
      bad record;
    begin
      if not ledger_checked_by_statement() then
        return null;
      end if;
      -- Each id once: a bulk statement has a few transactions and thousands of postings.
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
      select t.transaction_id, coalesce(sum(p.debit_fen), 0) as debits, coalesce(sum(p.credit_fen), 0) as credits, count(p.id) as postings
        into bad
        from (select distinct transaction_id from new_postings) t
        left join ledger_postings p on p.transaction_id = t.transaction_id
        group by t.transaction_id
        having count(p.id) = 0 or coalesce(sum(p.debit_fen), 0) <> coalesce(sum(p.credit_fen), 0)
        limit 1;
      if found then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', bad.transaction_id, bad.debits, bad.credits, bad.postings
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;
    create trigger ledger_postings_balanced_statement after insert on ledger_postings
      referencing new table as new_postings
      for each statement execute function ledger_assert_balanced_statement();
  `.execute(db);
}
