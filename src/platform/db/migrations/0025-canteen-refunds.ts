import { sql, type Kysely } from 'kysely';

/**
 * Canteen refunds (退款): a canteen purchase is refunded at most once, by reversing its ledger
 * transaction. The POS that took it may cancel it the same Beijing day (撤销, the cashier's own
 * mistake); later, the university's card manager or an operator refunds it in the console with a
 * reason. The refund's receipt is stored like the purchase's, so a retry gets the same answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table campus_purchases
      add column refunded_at timestamptz,
      add column refund_ledger_transaction_id uuid,
      add column refund_balance_after_fen bigint,
      add column refunded_by_role text check (refunded_by_role in ('terminal','school_admin','operator')),
      add column refunded_by_id uuid,
      add column refund_reason text check (length(refund_reason) between 1 and 200),
      add constraint campus_purchases_refund_whole check (
        (refunded_at is null) = (refund_ledger_transaction_id is null)
        and (refunded_at is null) = (refund_balance_after_fen is null)
        and (refunded_at is null) = (refunded_by_role is null)
      );
    -- The console lists a canteen's purchases by its POS's school, newest first.
    create index campus_purchases_terminal_at_idx on campus_purchases (terminal_id, at desc);
  `.execute(db);
}
