import { sql, type Kysely } from 'kysely';

/**
 * 余额提醒 (domain rules, "What users ask for": a parent dashboard with low-balance alerts): a
 * parent asks to be told by text message when a card of a child falls below an amount. Each card
 * that fell is texted once (balance_alert_texts) and is texted again only after it has been back
 * at or above the amount, so a card left at ¥0 (a spare e-card) does not text on every run, nor
 * stop the alert for the child's other cards.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table balance_alerts (
      parent_id uuid not null references parents(id),
      student_id uuid not null references students(id),
      threshold_fen int not null check (threshold_fen between 100 and 50000),
      updated_at timestamptz not null,
      primary key (parent_id, student_id)
    );
    create index balance_alerts_student_idx on balance_alerts (student_id);
    create table balance_alert_texts (
      parent_id uuid not null,
      student_id uuid not null,
      card_id uuid not null references cards(id),
      texted_at timestamptz not null,
      primary key (parent_id, student_id, card_id),
      foreign key (parent_id, student_id) references balance_alerts (parent_id, student_id) on delete cascade
    );
  `.execute(db);
}
