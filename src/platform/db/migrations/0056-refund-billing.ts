import { sql, type Kysely } from 'kysely';

/**
 * Reconciliation against the gateways' bill files (docs/decisions/0010-gateway-bill-files.md):
 *
 * - `payment_refunds.gateway_billed_at`: when the gateway took the refund, by its own word in its
 *   answer (Alipay `gmt_refund_pay`, WeChat Pay `create_time`), else when its answer came. That is
 *   the day whose bill lists the refund, which a refund created before midnight and sent after
 *   (a retry after an outage) does not share with its `created_at`. Null on refunds never
 *   answered, and on those made before (reconciliation then falls back to `created_at`).
 * - `sandbox_bill_files`: the sandbox's WeChat Pay bill as it answered its hash, so that the
 *   download serves those very bytes (a refund changing state in between must not change it).
 * - Auto top-up runs whose refund failed at the gateway (`refund_failed`) wait for an operator and
 *   may still move on: the partial index of unsettled runs includes them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_refunds add column gateway_billed_at timestamptz;
    create table sandbox_bill_files (
      id uuid primary key,
      gateway text not null check (gateway in ('alipay', 'wechat')),
      bill_date date not null,
      bytes bytea not null,
      created_at timestamptz not null default now()
    );
    drop index if exists auto_top_up_runs_unsettled;
    create index auto_top_up_runs_unsettled on auto_top_up_runs (order_id) where status = 'charging' or failure in ('unconfirmed', 'refunding', 'refund_failed');
  `.execute(db);
}
