import { sql, type Kysely } from 'kysely';

/**
 * 异常退款 review fixes (docs/decisions/0012-abnormal-refunds.md):
 *
 * - `abnormal_pending_*`: an application sent to WeChat Pay and not yet answered. The
 *   `abnormal_route` columns hold only what WeChat accepted, so a refusal leaves them as they
 *   were (an application WeChat is processing keeps its route) instead of overwriting them.
 * - `route_conflict`: WeChat reported a refund paid into the merchant's account when the route
 *   it accepted was the payer's card (or none): nothing is booked and the retry job leaves it
 *   for an operator, who must not pay the payer a second time on our word alone.
 * - The sandbox keeps where a 异常退款 paid the money (`sandbox_refunds.received_account`), as
 *   WeChat's user_received_account names it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_refunds
      add column abnormal_pending_route text check (abnormal_pending_route in ('user_bank_card','merchant_bank_card')),
      add column abnormal_pending_bank_type text,
      add column abnormal_pending_last4 text check (abnormal_pending_last4 ~ '^[0-9]{4}$'),
      add column abnormal_pending_at timestamptz,
      add column abnormal_pending_by text,
      add column route_conflict text;
    alter table sandbox_refunds add column received_account text;
  `.execute(db);
}
