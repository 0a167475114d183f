import { sql, type Kysely } from 'kysely';

/**
 * WeChat Pay refunds are asynchronous: the refund call is answered PROCESSING (or SUCCESS), and
 * the outcome is POSTed to the notify_url given with the refund (REFUND.SUCCESS, REFUND.ABNORMAL,
 * REFUND.CLOSED). A payment attempt keeps the notify_url it gave the gateway, so that refunds of
 * its trade name the same one; the sandbox keeps each refund's notify_url and when it succeeded
 * (null: still processing, or failed with \`failed_status\`). Refunds the sandbox made before this migration had succeeded at once.
 * A refund the gateway gives up on (ABNORMAL: the payer's account cannot take the money; CLOSED)
 * becomes `failed`: the money stays reserved, the retry job leaves it, and an operator takes over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_attempts add column notify_url text;
    alter table payment_refunds drop constraint payment_refunds_status_check,
      add constraint payment_refunds_status_check check (status in ('requested','succeeded','failed'));
    alter table sandbox_refunds add column notify_url text, add column succeeded_at timestamptz,
      add column failed_status text check (failed_status in ('ABNORMAL','CLOSED'));
    update sandbox_refunds set succeeded_at = created_at;
  `.execute(db);
}
