import { sql, type Kysely } from 'kysely';

/**
 * Fulfilment (helper H4): a home parcel the courier gave up on goes back to the card centre and out
 * again (application statuses `delivery_failed`, `returned_to_centre`; delivery status `returned`),
 * and a sticker may be replaced because it is damaged, not only lost (`reason`; a K-12 card only
 * after a loss report).
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
  `.execute(db);
}
