import { sql, type Kysely } from 'kysely';

/**
 * 消费提醒 (domain rules, "What users ask for" 4: tap notifications on a parent dashboard): a bound
 * parent is texted about the child's canteen purchases and transit rides of at least an amount.
 * A job reads each card's new ones and texts them together. The marks say, per card, how far it
 * has read: the last canteen purchase (time and time-ordered id) and the last ride counter up to
 * which every ride has arrived. They move on every run, texted or not, so a run reads only what is
 * new. Only what happens after `armed_at` is told. The notice is keyed to the binding: it cannot
 * outlive it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table spend_notices (
      parent_id uuid not null,
      student_id uuid not null,
      min_amount_fen int not null check (min_amount_fen between 1 and 50000),
      armed_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (parent_id, student_id),
      foreign key (parent_id, student_id) references parent_students (parent_id, student_id) on delete cascade
    );
    create index spend_notices_student_idx on spend_notices (student_id);
    create table spend_notice_marks (
      parent_id uuid not null,
      student_id uuid not null,
      card_id uuid not null references cards(id),
      last_purchase_at timestamptz,
      last_purchase_id uuid,
      last_tap_counter bigint,
      primary key (parent_id, student_id, card_id),
      check ((last_purchase_at is null) = (last_purchase_id is null)),
      foreign key (parent_id, student_id) references spend_notices (parent_id, student_id) on delete cascade
    );
  `.execute(db);
}
