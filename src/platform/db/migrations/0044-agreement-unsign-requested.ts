import { sql, type Kysely } from 'kysely';

/**
 * When the parent asked to end an agreement (关闭免密代扣 sends the unsign to Alipay first, then
 * ends it here): Alipay notifies that unsign as well, and a notification that lands between the
 * two steps must not read as the parent closing it in the Alipay app, nor a signing that lands
 * then make it active. Also the index the sandbox's agreement notifications lacked (0042).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_agreements add column unsign_requested_at timestamptz;
    create index sandbox_notifications_agreement_idx on sandbox_notifications (sandbox_agreement_id) where sandbox_agreement_id is not null;
  `.execute(db);
}
