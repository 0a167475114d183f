import { sql, type Kysely } from 'kysely';

/**
 * A withholding agreement ended here while it was still signing (the parent chose the other
 * gateway, or ended it before agreeing) may be signed at the gateway afterwards, on a signing page
 * left open. The gateway's signing notice has it unsigned there; were that notice never to come,
 * the auto top-up job asks the gateway (the agreement query) for a few days after the ending
 * (docs/decisions/0004-payments.md). `gateway_checked_at`: when it last asked (the next ask waits
 * longer each time); `gateway_settled_at`: when the gateway's side became known, so nothing is asked
 * again: signed there and unsigned by the retried job (queued by the notice or by the check), or
 * ended there. The partial index serves the check: few rows, oldest ending first.
 *
 * Auto top-up runs whose charge's outcome is still open (charging) or may still change (failed
 * 'unconfirmed': a payment the gateway reports late is refunded, and the run becomes 'refunding',
 * then 'refunded') are looked at by the job every minute: a partial index keeps that to the few.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table payment_agreements add column gateway_checked_at timestamptz;
    alter table payment_agreements add column gateway_settled_at timestamptz;
    create index payment_agreements_ended_unsettled on payment_agreements (ended_at) where status = 'ended' and agreement_no is null and gateway_settled_at is null;
    create index auto_top_up_runs_unsettled on auto_top_up_runs (order_id) where status = 'charging' or failure in ('unconfirmed', 'refunding');
  `.execute(db);
}
