import { sql, type Kysely } from 'kysely';

/**
 * 新生制卡: a K-12 student's first card goes through the same production as a replacement (batch,
 * printer, delivery to school, pickup), as an application of kind `new_card` with no card to
 * replace and the reason `new`. The school opens them with the card information confirmations;
 * one open at a time per student.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table card_applications drop constraint card_applications_kind_check;
    alter table card_applications add constraint card_applications_kind_check check (kind in ('replacement','sticker','new_card'));
    alter table card_applications alter column old_card_id drop not null;
    alter table card_applications add constraint card_applications_old_card check ((kind = 'new_card') = (old_card_id is null));
    alter table card_applications drop constraint card_applications_reason_check;
    alter table card_applications add constraint card_applications_reason_check check (reason in ('lost','damaged','new'));
    alter table card_applications add constraint card_applications_new_card_reason check ((kind = 'new_card') = (reason = 'new'));
    alter table card_applications drop constraint card_applications_damaged_sticker_only;
    alter table card_applications add constraint card_applications_damaged_sticker_only check (reason <> 'damaged' or kind = 'sticker');
    create unique index card_applications_one_new_card on card_applications (student_id) where kind = 'new_card' and status not in ('completed','cancelled');
    alter table production_batches drop constraint production_batches_kind_check;
    alter table production_batches add constraint production_batches_kind_check check (kind in ('replacement','sticker','new_card'));
  `.execute(db);
}
