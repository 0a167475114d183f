import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import type { SchoolBillKind, SchoolBillStatus } from '../../domain/school-bills.js';
import type { SchoolBillsTable } from './campus.tables.js';
import { identityRepository } from '../identity/identity.repository.js';

export type SchoolBillRow = Selectable<SchoolBillsTable>;

export interface ConsoleBillFilter {
  schoolId: string | undefined;
  status: SchoolBillStatus | undefined;
  kind: SchoolBillKind | undefined;
  studentNo: string | undefined;
  /** One bill (the console's answer after a change). */
  billId?: string;
}

/** The SQL of 学费及重修费缴费. */
export const schoolBillsRepository = {
  /** In statements of 1,000 rows: PostgreSQL's protocol allows 65,535 parameters per statement (20 per bill). */
  async insertBills(db: DbOrTx, rows: Insertable<SchoolBillsTable>[]) {
    for (let i = 0; i < rows.length; i += 1_000) await db.insertInto('school_bills').values(rows.slice(i, i + 1_000)).execute();
  },

  findBill(db: DbOrTx, id: string) {
    return db.selectFrom('school_bills').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Locks the bill in the caller's transaction (an idempotent operation's, or the settlement's). */
  lockBill(db: DbOrTx, id: string) {
    return db.selectFrom('school_bills').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  billOfOrder(db: DbOrTx, orderId: string) {
    return db.selectFrom('school_bills').select('school_id').where('order_id', '=', orderId).executeTakeFirst();
  },

  lockBillByOrder(tx: Tx, orderId: string) {
    return tx.selectFrom('school_bills').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
  },

  updateBill(db: DbOrTx, id: string, patch: Updateable<SchoolBillsTable>) {
    return db.updateTable('school_bills').set(patch).where('id', '=', id).execute();
  },

  /**
   * The student's bills, unpaid first (earliest due first), then the rest newest first, each with
   * its latest order's status and time limit. All of them: a student has a few a year.
   */
  billsOfStudent(db: DbOrTx, studentId: string) {
    return db.selectFrom('school_bills as b').innerJoin('schools as sc', 'sc.id', 'b.school_id').leftJoin('payment_orders as o', 'o.id', 'b.order_id')
      .selectAll('b').select(['sc.name as school_name', 'o.status as order_status', 'o.expires_at as order_expires_at'])
      .where('b.student_id', '=', studentId)
      .orderBy((eb) => eb.case().when('b.status', '=', 'unpaid').then(0).else(1).end())
      .orderBy((eb) => eb.case().when('b.status', '=', 'unpaid').then(eb.ref('b.due_date')).else(null).end())
      .orderBy('b.created_at', 'desc').orderBy('b.id')
      .execute();
  },

  /** A school's bills for the console, newest first, with the filter's totals per status. */
  async billsOfSchool(db: DbOrTx, filter: ConsoleBillFilter, limit: number, offset: number) {
    let query = db.selectFrom('school_bills as b').innerJoin('students as s', 's.id', 'b.student_id').innerJoin('schools as sc', 'sc.id', 'b.school_id').leftJoin('payment_orders as o', 'o.id', 'b.order_id');
    if (filter.schoolId) query = query.where('b.school_id', '=', filter.schoolId);
    if (filter.kind) query = query.where('b.kind', '=', filter.kind);
    if (filter.studentNo) query = query.where('s.student_no', '=', filter.studentNo);
    if (filter.billId) query = query.where('b.id', '=', filter.billId);
    const listed = filter.status ? query.where('b.status', '=', filter.status) : query;
    const [rows, count, totals] = await Promise.all([
      listed.selectAll('b').select(['s.name as student_name', 's.student_no', 'sc.name as school_name', 'o.status as order_status', 'o.expires_at as order_expires_at']).orderBy('b.created_at', 'desc').orderBy('b.id').limit(limit).offset(offset).execute(),
      listed.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      query.select(['b.status', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.sum<string>('b.amount_fen').as('fen')]).groupBy('b.status').execute(),
    ]);
    return { rows, total: Number(count.n), totals };
  },

  /** Enrolled students of a school by 学号 (the file's and the form's way to name them). */
  enrolledByStudentNo(db: DbOrTx, schoolId: string, studentNos: readonly string[]) {
    if (studentNos.length === 0) return Promise.resolve([]);
    return db.selectFrom('students').select(['id', 'student_no']).where('school_id', '=', schoolId).where('status', '=', 'enrolled').where('student_no', 'in', studentNos).execute();
  },

  /** The students of an issue whose family has not been told yet (the bill texts' job). */
  async untoldStudentsOfIssue(db: DbOrTx, issueId: string): Promise<string[]> {
    const rows = await db.selectFrom('school_bills').select('student_id').distinct().where('issue_id', '=', issueId).where('notified_at', 'is', null).orderBy('student_id').execute();
    return rows.map((r) => r.student_id);
  },

  /**
   * Issues whose text job gave up (failed for good) with families still to tell about bills that
   * can still be paid (unpaid, not past due on `today`), and no text job queued or running: how many
   * of the issue's text jobs failed and when the last one did. Oldest failure first, `limit` of them.
   */
  async stalledTextIssues(db: DbOrTx, jobKind: string, today: string, limit: number) {
    const { rows } = await sql<{ issue_id: string; failures: string | number; last_failed_at: Date }>`
      select u.issue_id, count(*) filter (where j.status = 'failed') as failures, max(j.updated_at) filter (where j.status = 'failed') as last_failed_at
      from (select distinct issue_id from school_bills where issue_id is not null and notified_at is null and status = 'unpaid' and due_date >= ${today}) u
      join jobs j on j.kind = ${jobKind} and j.payload->>'issueId' = u.issue_id::text
      group by u.issue_id
      having count(*) filter (where j.status in ('queued', 'running')) = 0 and count(*) filter (where j.status = 'failed') > 0
      order by last_failed_at, u.issue_id
      limit ${limit}`.execute(db);
    return rows.map((r) => ({ issueId: r.issue_id, failures: Number(r.failures), lastFailedAt: new Date(r.last_failed_at) }));
  },

  /** Marks the student's bills of the issue told and returns them: none when another run told them first (the row locks decide). */
  markIssueTold(tx: Tx, issueId: string, studentId: string, at: Date) {
    return tx.updateTable('school_bills').set({ notified_at: at }).where('issue_id', '=', issueId).where('student_id', '=', studentId).where('notified_at', 'is', null).returningAll().execute();
  },

  /** Who to text about a student's bills: the student's name, the school's, and the bound parents' phones. */
  async familyOf(db: DbOrTx, studentId: string, schoolId: string) {
    const [student, school, phones] = await Promise.all([
      db.selectFrom('students').select('name').where('id', '=', studentId).executeTakeFirstOrThrow(),
      db.selectFrom('schools').select('name').where('id', '=', schoolId).executeTakeFirstOrThrow(),
      identityRepository.parentPhones(db, studentId),
    ]);
    return { student_name: student.name, school_name: school.name, phones };
  },

  /** Live bills (not cancelled) of these students: a new bill for the same item is a duplicate. */
  liveBillsOf(db: DbOrTx, studentIds: readonly string[]) {
    if (studentIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('school_bills').select(['student_id', 'kind', 'academic_year', 'course']).where('student_id', 'in', studentIds).where('status', '<>', 'cancelled').execute();
  },
};
