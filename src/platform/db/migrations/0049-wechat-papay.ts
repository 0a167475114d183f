import { sql, type Kysely } from 'kysely';

/**
 * WeChat Pay's 委托代扣 (papay) beside Alipay's 商户代扣 for 自动充值:
 * - payment_agreements may be WeChat Pay's (the contract's out_contract_code is our
 *   external_agreement_no, its contract_id the agreement_no), and the one-live rule becomes one
 *   live agreement per parent whichever the gateway (it was one per parent and gateway, when
 *   there was only Alipay), since auto top-ups charge "the parent's agreement";
 * - the sandbox's agreements say which gateway keeps them (its WeChat contracts sit in the same
 *   table: plan_id in personal_product_code, 'papay' in sign_scene), and a trade the sandbox's
 *   WeChat Pay could not charge under a contract is `failed` (its PAYERROR).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_agreements drop constraint if exists payment_agreements_gateway_check;
    alter table payment_agreements add constraint payment_agreements_gateway_check check (gateway in ('alipay', 'wechat'));
    drop index payment_agreements_one_live;
    create unique index payment_agreements_one_live on payment_agreements (parent_id) where status <> 'ended';
    alter table sandbox_agreements add column gateway text not null default 'alipay' check (gateway in ('alipay', 'wechat'));
    alter table sandbox_payments drop constraint sandbox_payments_status_check;
    alter table sandbox_payments add constraint sandbox_payments_status_check check (status in ('pending','paid','cancelled','closed','failed'));
  `.execute(db);
}
