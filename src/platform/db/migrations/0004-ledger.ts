import { sql, type Kysely } from 'kysely';

/**
 * The double-entry ledger. The application checks every rule first (to answer with a clear
 * error), and the database enforces the ones that protect money again, so a bug or a hand-written
 * statement cannot break them: non-negative balance columns, the purse floor (CHECK), postings
 * that sum to zero (deferred constraint trigger, checked at commit), append-only history, and
 * holds that only move from pending. See docs/decisions/0002-ledger.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ledger_accounts (
      id uuid primary key,
      code text not null unique check (code ~ '^[a-z_]+(:[A-Za-z0-9_.-]+)*$'),
      type text not null check (type in ('purse','gateway_clearing','fee_income','fare_revenue','merchant','refunds_payable','suspense')),
      owner_id uuid,
      debits_posted_fen bigint not null default 0 check (debits_posted_fen >= 0),
      credits_posted_fen bigint not null default 0 check (credits_posted_fen >= 0),
      debits_pending_fen bigint not null default 0 check (debits_pending_fen >= 0),
      credits_pending_fen bigint not null default 0 check (credits_pending_fen >= 0),
      floor_fen bigint not null default 0 check (floor_fen <= 0),
      debits_must_not_exceed_credits boolean not null default false,
      created_at timestamptz not null,
      constraint ledger_accounts_purse_guarded check (type <> 'purse' or debits_must_not_exceed_credits),
      -- Pending debits (holds) count against the balance; pending credits do not, until posted.
      constraint ledger_accounts_floor check (
        not debits_must_not_exceed_credits
        or credits_posted_fen - debits_posted_fen - debits_pending_fen >= floor_fen)
    );
    create index ledger_accounts_owner_idx on ledger_accounts (owner_id) where owner_id is not null;

    create table ledger_transactions (
      id uuid primary key,
      type text not null check (type in ('top_up','fare','purchase','fee','refund','transfer','adjustment','reversal')),
      idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
      request_hash text not null,
      reverses_id uuid unique references ledger_transactions(id),
      memo text,
      metadata jsonb not null default '{}',
      created_at timestamptz not null,
      created_by text not null,
      check ((type = 'reversal') = (reverses_id is not null))
    );
    create index ledger_transactions_created_idx on ledger_transactions (created_at, id);

    create table ledger_postings (
      id uuid primary key,
      transaction_id uuid not null references ledger_transactions(id),
      account_id uuid not null references ledger_accounts(id),
      debit_fen bigint not null default 0,
      credit_fen bigint not null default 0,
      check ((debit_fen > 0 and credit_fen = 0) or (credit_fen > 0 and debit_fen = 0))
    );
    create index ledger_postings_account_idx on ledger_postings (account_id, transaction_id);
    create index ledger_postings_transaction_idx on ledger_postings (transaction_id);

    create table ledger_holds (
      id uuid primary key,
      idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
      request_hash text not null,
      account_id uuid not null references ledger_accounts(id),
      counter_account_id uuid not null references ledger_accounts(id),
      amount_fen bigint not null check (amount_fen > 0),
      transaction_type text not null check (transaction_type in ('top_up','fare','purchase','fee','refund','transfer','adjustment')),
      status text not null default 'pending' check (status in ('pending','posted','voided','expired')),
      expires_at timestamptz not null,
      memo text,
      metadata jsonb not null default '{}',
      transaction_id uuid references ledger_transactions(id),
      created_at timestamptz not null,
      created_by text not null,
      resolved_at timestamptz,
      check (account_id <> counter_account_id),
      check ((status = 'posted') = (transaction_id is not null)),
      check ((status = 'pending') = (resolved_at is null))
    );
    create index ledger_holds_expiry_idx on ledger_holds (expires_at) where status = 'pending';
    create index ledger_holds_account_idx on ledger_holds (account_id) where status = 'pending';
    create index ledger_holds_counter_idx on ledger_holds (counter_account_id) where status = 'pending';

    -- Debits equal credits, checked at commit: the postings of a transaction are inserted one
    -- statement after another, so only the end of the database transaction can judge them. It
    -- fires for new transactions (none may lack postings) and for new postings (none may be
    -- added to an old transaction to unbalance it).
    create function ledger_assert_balanced() returns trigger language plpgsql as $$
    declare
      txn uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;
      debits numeric;
      credits numeric;
      postings int;
    begin
      select coalesce(sum(debit_fen), 0), coalesce(sum(credit_fen), 0), count(*)
        into debits, credits, postings
        from ledger_postings where transaction_id = txn;
      if postings = 0 or debits <> credits then
        raise exception 'ledger transaction % is unbalanced: debits % fen, credits % fen, % postings', txn, debits, credits, postings
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;
    create constraint trigger ledger_transactions_balanced after insert on ledger_transactions
      deferrable initially deferred for each row execute function ledger_assert_balanced('id');
    create constraint trigger ledger_postings_balanced after insert on ledger_postings
      deferrable initially deferred for each row execute function ledger_assert_balanced('transaction_id');

    -- History that can be edited proves nothing.
    create function ledger_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: post a reversing transaction instead', tg_table_name using errcode = 'raise_exception';
    end $$;
    create trigger ledger_transactions_append_only before update or delete on ledger_transactions
      for each row execute function ledger_is_append_only();
    create trigger ledger_transactions_no_truncate before truncate on ledger_transactions
      for each statement execute function ledger_is_append_only();
    create trigger ledger_postings_append_only before update or delete on ledger_postings
      for each row execute function ledger_is_append_only();
    create trigger ledger_postings_no_truncate before truncate on ledger_postings
      for each statement execute function ledger_is_append_only();

    -- A hold is resolved once (pending → posted / voided / expired) and nothing but its outcome changes.
    create function ledger_hold_resolves_once() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'UPDATE' then
        raise exception 'ledger_holds rows are never deleted' using errcode = 'raise_exception';
      end if;
      if old.status <> 'pending' then
        raise exception 'ledger hold % is already %', old.id, old.status using errcode = 'raise_exception';
      end if;
      if to_jsonb(new) - array['status','transaction_id','resolved_at'] <> to_jsonb(old) - array['status','transaction_id','resolved_at'] then
        raise exception 'only the outcome of ledger hold % may change', old.id using errcode = 'raise_exception';
      end if;
      return new;
    end $$;
    create trigger ledger_holds_resolve_once before update or delete on ledger_holds
      for each row execute function ledger_hold_resolves_once();
    create trigger ledger_holds_no_truncate before truncate on ledger_holds
      for each statement execute function ledger_hold_resolves_once();
  `.execute(db);
}
