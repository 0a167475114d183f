import { sql, type Kysely } from 'kysely';

/**
 * 自动充值 (domain rules, "What users ask for" 4: auto top-up on a parent dashboard):
 * - payment_agreements: a parent's withholding agreement (支付宝商户代扣) with a gateway, signed on
 *   the gateway's page; at most one live (signing or active) per parent and gateway;
 * - auto_top_ups: a bound parent's amounts for one child (below the threshold, top up the amount),
 *   keyed to the binding so that it ends with it;
 * - auto_top_up_runs: each charge the job made, its order and outcome, and when the parent was
 *   texted of it; at most one per card and Beijing day, so a failing or racing job can never
 *   charge a family twice in a day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table payment_agreements (
      id uuid primary key,
      parent_id uuid not null references parents(id),
      gateway text not null check (gateway in ('alipay')),
      external_agreement_no text not null unique,
      agreement_no text,
      status text not null check (status in ('signing', 'active', 'ended')),
      gateway_base_url text not null,
      notify_url text not null,
      created_at timestamptz not null,
      signed_at timestamptz,
      ended_at timestamptz,
      check ((status = 'active') = (agreement_no is not null and signed_at is not null and ended_at is null) or status = 'ended')
    );
    create unique index payment_agreements_one_live on payment_agreements (parent_id, gateway) where status <> 'ended';

    create table auto_top_ups (
      parent_id uuid not null,
      student_id uuid not null,
      threshold_fen bigint not null check (threshold_fen between 100 and 50000),
      amount_fen bigint not null check (amount_fen between 1000 and 50000),
      updated_at timestamptz not null,
      primary key (parent_id, student_id),
      constraint auto_top_ups_binding_fkey foreign key (parent_id, student_id) references parent_students (parent_id, student_id) on delete cascade
    );

    create table auto_top_up_runs (
      id uuid primary key,
      parent_id uuid not null references parents(id),
      student_id uuid not null references students(id),
      card_id uuid not null references cards(id),
      day date not null,
      agreement_id uuid not null references payment_agreements(id),
      order_id uuid not null unique references payment_orders(id),
      threshold_fen bigint not null,
      balance_fen bigint not null,
      status text not null check (status in ('charging', 'paid', 'failed')),
      failure text,
      created_at timestamptz not null,
      finished_at timestamptz,
      texted_at timestamptz,
      constraint auto_top_up_runs_card_day_key unique (card_id, day)
    );
    create index auto_top_up_runs_parent on auto_top_up_runs (parent_id, student_id, created_at desc);
  `.execute(db);
}
