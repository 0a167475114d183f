import { sql, type Kysely } from 'kysely';

/**
 * Fulfilment (helper H4): a home parcel the courier gave up on goes back to the card centre and out
 * again (application statuses `delivery_failed`, `returned_to_centre`; delivery status `returned`),
 * and a sticker may be replaced because it is damaged, not only lost (`reason`; a K-12 card only
 * after a loss report). Tracking takes its parcels in turn (`tracked_at`) and keeps a parcel's
 * last tracking failure on it (`tracking_error`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table card_applications drop constraint card_applications_status_check;
    alter table card_applications add constraint card_applications_status_check
      check (status in ('awaiting_payment','ready_for_production','in_production','produced','dispatched','delivery_failed','returned_to_centre','delivered','completed','cancelled'));

    alter table card_applications add column reason text not null default 'lost'
      constraint card_applications_reason_check check (reason in ('lost','damaged'));
    alter table card_applications add constraint card_applications_damaged_sticker_only
      check (reason = 'lost' or kind = 'sticker');

    alter table deliveries drop constraint deliveries_status_check;
    alter table deliveries add constraint deliveries_status_check
      check (status in ('created','in_transit','delivered','failed','returned'));

    -- When tracking last asked the courier about the parcel (null: never), and why that failed.
    -- The queue takes the parcel asked about longest ago first, so a parcel that never comes back
    -- cannot keep the others from being tracked.
    alter table deliveries add column tracked_at timestamptz;
    alter table deliveries add column tracking_error text;
    create index deliveries_to_track on deliveries (tracked_at nulls first, created_at, id)
      where method = 'home' and status in ('created','in_transit','failed');
  `.execute(db);
  await moveFailedApplications(db);
}

/**
 * Before this migration a failed parcel left its application `dispatched`; tracking now brings the
 * parcel back (`failed` → `returned`), which moves only a `delivery_failed` application. So
 * those applications take the step now, with its timeline row (at the time the parcel failed) and
 * audit row. No SMS: the one for the parcel's return follows when tracking sees it back.
 */
async function moveFailedApplications(db: Kysely<unknown>): Promise<void> {
  await sql`
    with moved as (
      update card_applications a set status = 'delivery_failed', updated_at = now()
      from deliveries d
      where d.id = a.delivery_id and a.status = 'dispatched' and d.status = 'failed'
      returning a.id, d.updated_at as failed_at, trim(coalesce(d.courier, '') || ' ' || coalesce(d.tracking_no, '')) as note
    ), steps as (
      insert into card_application_steps (id, application_id, step, note, actor_role, actor_id, at)
      select gen_random_uuid(), id, 'delivery_failed', note, 'system', null, failed_at from moved
    )
    insert into audit_log (id, at, actor_role, actor_id, action, entity_type, entity_id, before, after, request_id)
    select gen_random_uuid(), now(), 'system', null, 'fulfilment.application.delivery_failed', 'card_application', id::text,
      '{"status":"dispatched"}'::jsonb, jsonb_build_object('step', 'delivery_failed', 'note', note, 'migration', '0015-fulfilment-returns'), null
    from moved
  `.execute(db);
}
