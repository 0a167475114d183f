import { sql, type Kysely } from 'kysely';

/**
 * 余额提醒 (domain rules, "What users ask for": a parent dashboard with low-balance alerts): a
 * parent asks to be told by text message when a child's card balance falls below an amount.
 * `alerted_at` is set when the message goes and cleared once every card of the child is back at
 * or above the amount, so one fall sends one message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table balance_alerts (
      parent_id uuid not null references parents(id),
      student_id uuid not null references students(id),
      threshold_fen int not null check (threshold_fen between 100 and 50000),
      alerted_at timestamptz,
      updated_at timestamptz not null,
      primary key (parent_id, student_id)
    );
    create index balance_alerts_armed_idx on balance_alerts (student_id) where alerted_at is null;
  `.execute(db);
}
