import { sql, type Kysely } from 'kysely';

/**
 * 每日消费限额 (domain rules, "What users ask for": per-child limits on a parent dashboard): a bound
 * parent caps what a child's campus card may spend at the canteen in one Beijing day. One limit per
 * child, whoever of the parents set it last, and always names a parent still bound (the key to
 * the binding; unbinding hands it to another bound parent first). A purchase adds up the child's purchases of the day
 * (refunded ones left out), hence the index by student and time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table campus_daily_limits (
      student_id uuid primary key references students(id),
      limit_fen int not null check (limit_fen between 100 and 100000),
      set_by_parent_id uuid not null,
      updated_at timestamptz not null,
      -- Set by a parent bound to the child: a binding ended while the limit was being set takes it with it.
      foreign key (set_by_parent_id, student_id) references parent_students (parent_id, student_id) on delete cascade
    );
    create index campus_purchases_student_at_idx on campus_purchases (student_id, at);
  `.execute(db);
}
