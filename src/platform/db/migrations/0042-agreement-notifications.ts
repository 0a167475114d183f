import { sql, type Kysely } from 'kysely';

/**
 * Alipay's agreement notifications (dut_user_sign, dut_user_unsign) in the sandbox: the notify_url
 * the merchant gave with its signing link, and notifications about an agreement rather than a
 * trade. A notification belongs to exactly one of the two.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sandbox_agreements add column notify_url text;
    alter table sandbox_notifications alter column sandbox_payment_id drop not null;
    alter table sandbox_notifications add column sandbox_agreement_id uuid references sandbox_agreements(id);
    alter table sandbox_notifications add constraint sandbox_notifications_subject
      check ((sandbox_payment_id is null) <> (sandbox_agreement_id is null));
  `.execute(db);
}
