import { sql, type Kysely } from 'kysely';

/**
 * 学费及重修费: the families are texted when bills are issued (docs/decisions/0007). Each issue (one
 * bill from the console's form, or a file) has its id on its bills, and a job texts the bound
 * parents of its students, one text per student, after the request has committed. `notified_at`
 * records that a bill's student was dealt with (texted, or had nobody to text), in the text's own
 * transaction, so a job that stops half-way goes on where it stopped and never texts twice. Bills
 * issued before this migration (and the demo's) have no issue and are not texted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table school_bills add column issue_id uuid;
    alter table school_bills add column notified_at timestamptz;
    create index school_bills_untold on school_bills (issue_id, student_id) where notified_at is null and issue_id is not null;
  `.execute(db);
}
