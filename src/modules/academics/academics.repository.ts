import { sql, type Insertable, type Selectable } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { examKinds } from '../../domain/gpa.js';
import type { AcademicTermsTable, GradeRecordsTable, TimetableEntriesTable } from './academics.tables.js';

export type TermRow = Selectable<AcademicTermsTable>;

/** PostgreSQL allows 65,535 parameters a statement: rows go in statements of 1,000 (11 columns each at most). */
const batch = 1_000;

/** The SQL of 课表查询 and 成绩查询. */
export const academicsRepository = {
  /** Who is reading: the student's school stage, enrolment, study level and full-time flag. */
  reader(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').innerJoin('schools', 'schools.id', 'students.school_id')
      .select(['students.id', 'students.school_id', 'students.status', 'students.study_level', 'students.full_time', 'schools.stage as school_stage'])
      .where('students.id', '=', studentId).executeTakeFirst();
  },

  terms(db: DbOrTx, schoolId: string) {
    return db.selectFrom('academic_terms').selectAll().where('school_id', '=', schoolId).orderBy('first_monday').execute();
  },

  /** Locks the term in the request's transaction: two uploads of one term (or an upload and a change of its weeks) go one after the other. */
  lockTerm(tx: Tx, schoolId: string, code: string) {
    return tx.selectFrom('academic_terms').selectAll().where('school_id', '=', schoolId).where('code', '=', code).forUpdate().executeTakeFirst();
  },

  /** Registers the term, or corrects its first Monday and weeks; the row after. */
  saveTerm(db: DbOrTx, row: Insertable<AcademicTermsTable>) {
    return db.insertInto('academic_terms').values(row)
      .onConflict((oc) => oc.columns(['school_id', 'code']).doUpdateSet({ first_monday: row.first_monday, weeks: row.weeks, updated_at: row.updated_at }))
      .returningAll().executeTakeFirstOrThrow();
  },

  /** The latest teaching week the term's timetable uses (0 when none). Each entry's weeks are stored sorted: its last is its latest. */
  async lastWeekUsed(db: DbOrTx, termId: string): Promise<number> {
    const { rows } = await sql<{ w: number | null }>`select max(weeks[cardinality(weeks)]) as w from timetable_entries where term_id = ${termId}`.execute(db);
    return Number(rows[0]?.w ?? 0);
  },

  /** The school's students by 学号, whatever their status (a 学号 is unique in a school), in statements of 5,000 numbers. */
  async studentsByStudentNo(db: DbOrTx, schoolId: string, studentNos: readonly string[]) {
    const found: { id: string; student_no: string | null }[] = [];
    for (let i = 0; i < studentNos.length; i += 5_000) {
      found.push(...await db.selectFrom('students').select(['id', 'student_no']).where('school_id', '=', schoolId).where('student_no', 'in', studentNos.slice(i, i + 5_000)).execute());
    }
    return found;
  },

  async replaceTimetable(tx: Tx, term: TermRow, rows: Insertable<TimetableEntriesTable>[], hash: string, at: Date) {
    await tx.deleteFrom('timetable_entries').where('term_id', '=', term.id).execute();
    for (let i = 0; i < rows.length; i += batch) await tx.insertInto('timetable_entries').values(rows.slice(i, i + batch)).execute();
    await tx.updateTable('academic_terms').set({ timetable_hash: hash, timetable_uploaded_at: at }).where('id', '=', term.id).execute();
  },

  async replaceGrades(tx: Tx, term: TermRow, rows: Insertable<GradeRecordsTable>[], hash: string, at: Date) {
    await tx.deleteFrom('grade_records').where('term_id', '=', term.id).execute();
    for (let i = 0; i < rows.length; i += batch) await tx.insertInto('grade_records').values(rows.slice(i, i + batch)).execute();
    await tx.updateTable('academic_terms').set({ grades_hash: hash, grades_uploaded_at: at }).where('id', '=', term.id).execute();
  },

  /** Empties the term's timetable (not published again); the rows removed. */
  async clearTimetable(tx: Tx, term: TermRow): Promise<number> {
    const result = await tx.deleteFrom('timetable_entries').where('term_id', '=', term.id).executeTakeFirst();
    await tx.updateTable('academic_terms').set({ timetable_hash: null, timetable_uploaded_at: null }).where('id', '=', term.id).execute();
    return Number(result.numDeletedRows);
  },

  async clearGrades(tx: Tx, term: TermRow): Promise<number> {
    const result = await tx.deleteFrom('grade_records').where('term_id', '=', term.id).executeTakeFirst();
    await tx.updateTable('academic_terms').set({ grades_hash: null, grades_uploaded_at: null }).where('id', '=', term.id).execute();
    return Number(result.numDeletedRows);
  },

  /** Rows and students per term, for the console. */
  async termCounts(db: DbOrTx, schoolId: string) {
    const [timetable, grades] = await Promise.all([
      db.selectFrom('timetable_entries as e').innerJoin('academic_terms as t', 't.id', 'e.term_id').where('t.school_id', '=', schoolId)
        .select(['e.term_id', (eb) => eb.fn.countAll<string>().as('rows'), (eb) => eb.fn.count<string>('e.student_id').distinct().as('students')]).groupBy('e.term_id').execute(),
      db.selectFrom('grade_records as g').innerJoin('academic_terms as t', 't.id', 'g.term_id').where('t.school_id', '=', schoolId)
        .select(['g.term_id', (eb) => eb.fn.countAll<string>().as('rows'), (eb) => eb.fn.count<string>('g.student_id').distinct().as('students')]).groupBy('g.term_id').execute(),
    ]);
    return { timetable, grades };
  },

  timetableOf(db: DbOrTx, termId: string, studentId: string) {
    return db.selectFrom('timetable_entries').selectAll().where('term_id', '=', termId).where('student_id', '=', studentId)
      .orderBy('weekday').orderBy('first_period').orderBy('course_name').execute();
  },

  /**
   * Every grade of the student with its term, earliest term first. One order whatever the
   * storage: terms by first Monday, then code, then id (a transferred student may have two terms
   * of one code and date, from two schools); in a term a course's attempts in the order they
   * are sat (正常, 补考, 补考二, 重修, 重修补考, 重修二), then by id.
   */
  gradesOf(db: DbOrTx, studentId: string) {
    const kinds = examKinds.map((k, i) => sql`when ${k} then ${i}`);
    return db.selectFrom('grade_records as g').innerJoin('academic_terms as t', 't.id', 'g.term_id')
      .selectAll('g').select(['t.code as term_code', 't.first_monday', 't.weeks'])
      .where('g.student_id', '=', studentId)
      .orderBy('t.first_monday').orderBy('t.code').orderBy('t.id').orderBy('g.course_name')
      .orderBy(sql`case g.exam_kind ${sql.join(kinds, sql` `)} end`)
      .orderBy('g.id')
      .execute();
  },
};
