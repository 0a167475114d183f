import { sql, type Kysely } from 'kysely';

/**
 * Indexes for reads that run often: the auto top-up job looks every minute for charges still
 * waiting for Alipay and for parents still to text (0040); 导出我的数据 reads the texts sent to a
 * parent's phone (sms_outbox had no index but its key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- "if not exists": a development database migrated before they moved here has them from 0040.
    create index if not exists auto_top_up_runs_charging on auto_top_up_runs (card_id) where status = 'charging';
    create index if not exists auto_top_up_runs_untexted on auto_top_up_runs (created_at) where texted_at is null;
    create index sms_outbox_phone on sms_outbox (phone, created_at);
  `.execute(db);
}
