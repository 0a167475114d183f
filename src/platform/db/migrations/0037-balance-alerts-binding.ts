import { sql, type Kysely } from 'kysely';

/**
 * 余额提醒 keyed to the binding, as 消费提醒 is (0035): an alert set while its parent's binding
 * ends goes with the binding instead of outliving it. Alerts already left behind by such a race
 * are removed first (their texts go with them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from balance_alerts a
    where not exists (select 1 from parent_students ps where ps.parent_id = a.parent_id and ps.student_id = a.student_id);
    alter table balance_alerts
      add constraint balance_alerts_binding_fkey foreign key (parent_id, student_id) references parent_students (parent_id, student_id) on delete cascade;
  `.execute(db);
}
