import { sql, type Kysely } from 'kysely';

/**
 * 消费提醒 (domain rules, "What users ask for" 4: tap notifications on a parent dashboard): a bound
 * parent is texted about the child's canteen purchases and transit rides of at least an amount.
 * A job texts each card's new ones together; the marks say, per card, the last purchase (ids are
 * time-ordered) and the last ride counter already told, so a run tells each once. Only what
 * happens after `armed_at` is told: switching it on does not text the past.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table spend_notices (
      parent_id uuid not null references parents(id),
      student_id uuid not null references students(id),
      min_amount_fen int not null check (min_amount_fen between 1 and 50000),
      armed_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (parent_id, student_id)
    );
    create index spend_notices_student_idx on spend_notices (student_id);
    create table spend_notice_marks (
      parent_id uuid not null,
      student_id uuid not null,
      card_id uuid not null references cards(id),
      last_purchase_id uuid,
      last_tap_counter int,
      primary key (parent_id, student_id, card_id),
      foreign key (parent_id, student_id) references spend_notices (parent_id, student_id) on delete cascade
    );
  `.execute(db);
}
