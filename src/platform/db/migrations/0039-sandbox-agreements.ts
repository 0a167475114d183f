import { sql, type Kysely } from 'kysely';

/**
 * The sandbox gateway's 商户代扣 agreements (Alipay's alipay.user.agreement.*): what Alipay keeps
 * when a user signs a withholding agreement with a merchant on its agreement page. Alipay issues
 * the agreement_no only once the user has agreed, so a TEMP agreement has none. One agreement per
 * merchant signing number, product and scene; signing again with the same number reuses it.
 * `withholding_fails` is the agreement page's test switch: every withholding on it fails for
 * want of balance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sandbox_agreements (
      id uuid primary key,
      app_id text not null,
      agreement_no text unique,
      external_agreement_no text not null,
      personal_product_code text not null,
      sign_scene text not null,
      external_logon_id text,
      status text not null check (status in ('TEMP','NORMAL','STOP','UNSIGN')),
      return_url text,
      withholding_fails boolean not null default false,
      created_at timestamptz not null,
      signed_at timestamptz,
      unsigned_at timestamptz,
      unique (app_id, external_agreement_no, personal_product_code, sign_scene),
      check ((status = 'TEMP') = (agreement_no is null)),
      check ((status = 'TEMP') = (signed_at is null))
    );
  `.execute(db);
}
