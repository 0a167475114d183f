import { sql, type Kysely } from 'kysely';

/**
 * One statement that moves many account balances, locking the rows in id order (docs/decisions/0005
 * "Speed"). Bulk writers (transit settlement) used to lock every touched account with SELECT … FOR
 * NO KEY UPDATE ORDER BY id, read the rows back to check floors, and then update them: two passes
 * over each purse row, a lock record in the WAL for each, and thousands of rows parsed by the
 * server. Now:
 * - the floors are the database's: the CHECK `ledger_accounts_floor` refuses a guarded account
 *   below its floor, the error maps to INSUFFICIENT_FUNDS, and the caller rolls back (bulk callers
 *   run optimistically inside a savepoint and lock first only when that happens);
 * - the order is the function's: the deltas are sorted by id, and with hash joins, merge joins,
 *   sequential and bitmap scans switched off for this function only, the planner is left with a
 *   nested loop whose outer side is either the sorted deltas (the accounts probed by primary key)
 *   or a scan of the primary key itself; both walk the rows in id order, so they are updated, and
 *   locked, in id order — the one order every ledger writer takes locks in, so two batches
 *   sharing purses cannot deadlock. A hash join or a heap scan would lock in heap order, which
 *   differs between concurrent statements (and, on a small table, the planner picks one).
 * Returns how many accounts it updated (fewer than ids: one is missing).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ledger_apply_balance_deltas(
      ids uuid[], debits_posted int8[], credits_posted int8[], debits_pending int8[], credits_pending int8[]
    ) returns int8 language sql
      set enable_hashjoin = off
      set enable_mergejoin = off
      set enable_seqscan = off
      set enable_bitmapscan = off
    as $$
      with moved as (
        update ledger_accounts a set
          debits_posted_fen = a.debits_posted_fen + v.dp,
          credits_posted_fen = a.credits_posted_fen + v.cp,
          debits_pending_fen = a.debits_pending_fen + v.dq,
          credits_pending_fen = a.credits_pending_fen + v.cq
        from (
          select * from unnest(ids, debits_posted, credits_posted, debits_pending, credits_pending) as u(id, dp, cp, dq, cq) order by id
        ) v
        where a.id = v.id
        returning 1
      )
      select count(*) from moved
    $$;
  `.execute(db);
}
