import { sql, type Kysely } from 'kysely';
import { generateCardNo } from '../../../domain/card-numbers.js';

/**
 * The sticker (卡贴) a middle or high school student's first card comes with gets its Beijing-tong
 * number in the production batch, like the card (`new_card_no`): the printer's file carries it, so
 * the sticker the card centre makes holds the number we issue at pickup and deny-list when it is
 * lost (docs/cards.md, "Where a sticker comes from"). Unique, never the card's own number; the
 * batch's free-number search looks in both columns.
 *
 * A first card already in a batch and not yet handed over (made before this) gets its sticker's
 * number now, for its pickup and a re-sent printer's file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table card_applications
      add column new_sticker_no text unique,
      add constraint card_applications_sticker_no_not_card_no check (new_sticker_no <> new_card_no);
  `.execute(db);
  const { rows } = await sql<{ id: string }>`
    select a.id from card_applications a join students s on s.id = a.student_id
    where a.kind = 'new_card' and a.batch_id is not null and a.new_card_id is null and a.status <> 'cancelled' and s.stage in ('middle','high')
    order by a.id
  `.execute(db);
  for (const row of rows) {
    for (;;) {
      const cardNo = generateCardNo('beijing_tong');
      const taken = await sql`select 1 from cards where card_no = ${cardNo} union all select 1 from card_applications where new_card_no = ${cardNo} or new_sticker_no = ${cardNo}`.execute(db);
      if (taken.rows.length > 0) continue;
      await sql`update card_applications set new_sticker_no = ${cardNo} where id = ${row.id}`.execute(db);
      break;
    }
  }
}
