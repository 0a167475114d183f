import { sql, type Kysely } from 'kysely';

/**
 * WeChat Pay refunds the gateway gave up on, settled by an operator (docs/decisions/0012-abnormal-refunds.md):
 *
 * - `gateway_failure`: why a refund is `failed` (ABNORMAL: the payer's card cannot take it;
 *   CLOSED), read before from `last_error`, which the failures so far carry as their first word.
 * - 异常退款 (ABNORMAL only): `abnormal_route` (to the payer's bank card, or to the merchant's
 *   bank account for an offline transfer), the bank and the card's last four digits (never the
 *   whole number, never the name), when and by whom it was applied.
 * - `offline_due`: WeChat Pay paid the refund into the merchant's bank account; the payer is owed
 *   it until the operator records the offline transfer (`offline_reference`, `offline_paid_*`).
 * - `superseded`: a CLOSED refund asked again under a new out_refund_no; the new request names
 *   it (`replaces_refund_id`, once), and the one-refund-per-trade rule for late and duplicate
 *   payments counts the new one only.
 * - The sandbox keeps which 异常退款 a refund took (`sandbox_refunds.abnormal_type`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_refunds drop constraint payment_refunds_status_check,
      add constraint payment_refunds_status_check check (status in ('requested','succeeded','failed','offline_due','superseded')),
      add column gateway_failure text check (gateway_failure in ('ABNORMAL','CLOSED')),
      add column abnormal_route text check (abnormal_route in ('user_bank_card','merchant_bank_card')),
      add column abnormal_bank_type text,
      add column abnormal_account_last4 text check (abnormal_account_last4 ~ '^[0-9]{4}$'),
      add column abnormal_applied_at timestamptz,
      add column abnormal_applied_by text,
      add column offline_reference text,
      add column offline_paid_at timestamptz,
      add column offline_paid_by text,
      add column replaces_refund_id uuid unique references payment_refunds(id),
      add constraint payment_refunds_offline_paid check (offline_paid_at is null or abnormal_route = 'merchant_bank_card');
    update payment_refunds set gateway_failure = split_part(last_error, ' ', 1)
      where status = 'failed' and split_part(last_error, ' ', 1) in ('ABNORMAL','CLOSED');
    drop index payment_refunds_incoming_once_idx;
    create unique index payment_refunds_incoming_once_idx on payment_refunds (gateway, trade_no)
      where reason in ('late_payment','duplicate_payment') and status <> 'superseded';
    create index payment_refunds_offline_due_idx on payment_refunds (updated_at) where status = 'offline_due';
    alter table sandbox_refunds add column abnormal_type text check (abnormal_type in ('USER_BANK_CARD','MERCHANT_BANK_CARD'));
  `.execute(db);
}
