import { sql, type ExpressionBuilder, type Insertable, type Selectable } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { examKinds } from '../../domain/gpa.js';
import type { Database } from '../../platform/db/schema.js';
import type { AcademicTermsTable, GradeRecordsTable } from './academics.tables.js';

export type TermRow = Selectable<AcademicTermsTable>;

export type AcademicKind = 'timetable' | 'grades';
const tableOf = { timetable: 'timetable_entries', grades: 'grade_records' } as const;

/** A row's student is in the scope: any of the term (college null), or of the term's school with that 院系 on the roster now. */
function inScope(eb: ExpressionBuilder<Database, 'grade_records'>, term: TermRow, college: string | null) {
  if (college === null) return eb.lit(true);
  return eb('student_id', 'in', eb.selectFrom('students').select('id').where('school_id', '=', term.school_id).where('college', '=', college));
}

/** PostgreSQL allows 65,535 parameters a statement: rows go in statements of 1,000 (11 columns each at most). */
const batch = 1_000;

/** The SQL of 课表查询 and 成绩查询. */
export const academicsRepository = {
  /** Who is reading: the student's school stage, enrolment, study level and full-time flag. */
  reader(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').innerJoin('schools', 'schools.id', 'students.school_id')
      .select(['students.id', 'students.school_id', 'students.college', 'students.status', 'students.study_level', 'students.full_time', 'schools.stage as school_stage'])
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

  /** Students by id with what decides whether they may read 课表 and 成绩 (in statements of 5,000 ids). */
  async readers(db: DbOrTx, studentIds: readonly string[]) {
    const found = [];
    for (let i = 0; i < studentIds.length; i += 5_000) {
      found.push(...await db.selectFrom('students').innerJoin('schools', 'schools.id', 'students.school_id')
        .select(['students.id', 'students.status', 'students.study_level', 'students.full_time', 'schools.stage as school_stage'])
        .where('students.id', 'in', studentIds.slice(i, i + 5_000)).execute());
    }
    return found;
  },

  /** The school's students by 学号, whatever their status (a 学号 is unique in a school), with their 院系, in statements of 5,000 numbers. */
  async studentsByStudentNo(db: DbOrTx, schoolId: string, studentNos: readonly string[]) {
    const found: { id: string; student_no: string | null; college: string | null }[] = [];
    for (let i = 0; i < studentNos.length; i += 5_000) {
      found.push(...await db.selectFrom('students').select(['id', 'student_no', 'college']).where('school_id', '=', schoolId).where('student_no', 'in', studentNos.slice(i, i + 5_000)).execute());
    }
    return found;
  },

  /**
   * The rows of a term's timetable or grades in a scope, without their ids and term: the whole
   * term (college null), or the students the roster now puts in that college.
   */
  scopeRows(tx: DbOrTx, kind: AcademicKind, term: TermRow, college: string | null): Promise<Record<string, unknown>[]> {
    return tx.selectFrom(tableOf[kind] as 'grade_records').selectAll().where('term_id', '=', term.id)
      .where((eb) => inScope(eb, term, college)).execute() as Promise<Record<string, unknown>[]>;
  },

  /** Replaces the scope's rows with these (the scope's students' rows only; the rest of the term stays). */
  async replaceScope(tx: Tx, kind: AcademicKind, term: TermRow, college: string | null, rows: Record<string, unknown>[]) {
    await tx.deleteFrom(tableOf[kind] as 'grade_records').where('term_id', '=', term.id).where((eb) => inScope(eb, term, college)).execute();
    for (let i = 0; i < rows.length; i += batch) await tx.insertInto(tableOf[kind] as 'grade_records').values(rows.slice(i, i + batch) as Insertable<GradeRecordsTable>[]).execute();
  },

  /** Empties the scope; the rows removed. */
  async clearScope(tx: Tx, kind: AcademicKind, term: TermRow, college: string | null): Promise<number> {
    const result = await tx.deleteFrom(tableOf[kind] as 'grade_records').where('term_id', '=', term.id).where((eb) => inScope(eb, term, college)).executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  /** The scopes of the term's timetable or grades uploaded and not cleared since ('' the whole term). */
  uploads(db: DbOrTx, termId: string, kind: AcademicKind) {
    return db.selectFrom('academic_uploads').selectAll().where('term_id', '=', termId).where('kind', '=', kind).execute();
  },

  /**
   * Records an upload that changed its scope. The whole term's replaces every record of the kind
   * (it replaced every row); a college's is that college's (the whole term's record stays: the
   * other colleges are still as it said).
   */
  async recordUpload(tx: Tx, termId: string, kind: AcademicKind, college: string | null, sha256: string, at: Date) {
    if (college === null) await tx.deleteFrom('academic_uploads').where('term_id', '=', termId).where('kind', '=', kind).execute();
    await tx.insertInto('academic_uploads').values({ term_id: termId, kind, college: college ?? '', sha256, uploaded_at: at })
      .onConflict((oc) => oc.columns(['term_id', 'kind', 'college']).doUpdateSet({ sha256, uploaded_at: at })).execute();
  },

  /**
   * Forgets the uploads a clear undid: all of the kind for the whole term; for a college, its own
   * and the whole term's (the term is no longer as that upload said), so its students read the
   * term as not published.
   */
  async forgetUploads(tx: Tx, termId: string, kind: AcademicKind, college: string | null) {
    let query = tx.deleteFrom('academic_uploads').where('term_id', '=', termId).where('kind', '=', kind);
    if (college !== null) query = query.where('college', 'in', ['', college]);
    await query.execute();
  },

  /** Whether the student's term is published: uploaded for the whole term or for their college. */
  async publishedFor(db: DbOrTx, termId: string, kind: AcademicKind, college: string | null): Promise<boolean> {
    const row = await db.selectFrom('academic_uploads').select('college').where('term_id', '=', termId).where('kind', '=', kind)
      .where('college', 'in', college === null ? [''] : ['', college]).executeTakeFirst();
    return row !== undefined;
  },

  /** The colleges of the school's students, for the console's choice of a scope. */
  async colleges(db: DbOrTx, schoolId: string): Promise<string[]> {
    const rows = await db.selectFrom('students').select('college').distinct().where('school_id', '=', schoolId).where('college', 'is not', null).orderBy('college').execute();
    return rows.map((r) => r.college!);
  },

  /** Rows and students per term and college (null: students with none), for the console. */
  async termCounts(db: DbOrTx, schoolId: string) {
    const counts = (kind: AcademicKind) => db.selectFrom(`${tableOf[kind] as 'grade_records'} as e`).innerJoin('academic_terms as t', 't.id', 'e.term_id').innerJoin('students as s', 's.id', 'e.student_id')
      .where('t.school_id', '=', schoolId)
      .select(['e.term_id', 's.college', (eb) => eb.fn.countAll<string>().as('rows'), (eb) => eb.fn.count<string>('e.student_id').distinct().as('students')])
      .groupBy(['e.term_id', 's.college']).execute();
    const [timetable, grades, uploads] = await Promise.all([
      counts('timetable'), counts('grades'),
      db.selectFrom('academic_uploads as u').innerJoin('academic_terms as t', 't.id', 'u.term_id').where('t.school_id', '=', schoolId).selectAll('u').execute(),
    ]);
    return { timetable, grades, uploads };
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
