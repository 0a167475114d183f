import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.js';
import type { StudyLevel } from '../../domain/academic-access.js';
import type { SchoolStage } from '../../platform/db/schema.js';
import type { RowProblem } from './row-problems.js';

/** One student as a roster chunk writes it. */
export interface StudentUpsert {
  id: string;
  educationId: string;
  name: string;
  gender: 'M' | 'F';
  birthDate: string;
  idNumber: string;
  /** K-12: the class; null on a campus roster. */
  classId: string | null;
  /** Campus: the student number; null on a K-12 roster (an existing one is kept). */
  studentNo: string | null;
  /** Campus, when the file says: whether the student has a salary; null keeps what is stored (false for a new student). */
  salaried: boolean | null;
  /** Campus, when the file has the 院系 column; null keeps what is stored. */
  college: string | null;
  /** Campus, when the file has the 专业 column; null keeps what is stored. */
  major: string | null;
  /** Campus, when the file has the 培养层次 column (migration 0053): null stores not known (an empty or unreadable cell); undefined (no column) keeps what is stored. */
  studyLevel: StudyLevel | null | undefined;
  /** Campus, when the file has the 学习形式 column: the same. */
  fullTime: boolean | null | undefined;
}

export interface ImportCounts {
  processedRows: number;
  created: number;
  updated: number;
  rejected: number;
}

const importColumns = [
  'id', 'school_id', 'file_name', 'status', 'total_rows', 'processed_rows', 'created_count', 'updated_count', 'rejected_count', 'warning_count', 'error', 'created_at', 'finished_at',
] as const;

/** The only place with SQL for roster imports. */
export const rosterRepository = {
  findSchoolById(db: DbOrTx, id: string) {
    return db.selectFrom('schools').select(['id', 'code', 'stage']).where('id', '=', id).executeTakeFirst();
  },

  findSchoolByCode(db: DbOrTx, code: string) {
    return db.selectFrom('schools').select(['id', 'code', 'stage']).where('code', '=', code).executeTakeFirst();
  },

  /** Creates a school unless the code is taken; false when it is. */
  classesOf(db: DbOrTx, schoolId: string) {
    return db.selectFrom('classes').select(['id', 'grade', 'class_no']).where('school_id', '=', schoolId).execute();
  },

  /**
   * The education IDs of `rows` whose student number another student of the school (one with
   * another education ID) holds: writing them would break the school's unique student numbers.
   * Numbers that change hands within the file were moved before the chunks (moveStudentNumbers).
   */
  async studentNumbersHeldByOthers(db: DbOrTx, schoolId: string, rows: readonly StudentUpsert[]): Promise<Set<string>> {
    const numbered = rows.flatMap((r) => (r.studentNo === null ? [] : [{ educationId: r.educationId, studentNo: r.studentNo }]));
    const holderOf = await holdersOfStudentNumbers(db, schoolId, numbered.map((r) => r.studentNo));
    const takenFrom = (r: { educationId: string; studentNo: string }) => {
      const holder = holderOf.get(r.studentNo);
      return holder !== undefined && holder !== r.educationId;
    };
    return new Set(numbered.filter(takenFrom).map((r) => r.educationId));
  },

  holdersOfStudentNumbers,

  /** One import at a time writes a school's students (held to the end of the transaction): the numbers a plan found free stay free. */
  async lockSchoolRoster(tx: DbOrTx, schoolId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`roster:${schoolId}`}, 0))`.execute(tx);
  },

  /** The stored student numbers of the school's students with these education IDs (null: none yet). */
  async studentNumbersOf(db: DbOrTx, schoolId: string, educationIds: readonly string[]): Promise<Map<string, string | null>> {
    if (educationIds.length === 0) return new Map();
    const rows = await db.selectFrom('students').select(['education_id', 'student_no']).where('school_id', '=', schoolId)
      .where(sql<boolean>`education_id = any(${educationIds}::text[])`).execute();
    return new Map(rows.map((r) => [r.education_id, r.student_no]));
  },

  /** Gives students new numbers at once (education ID → number): their old numbers are let go first, so they may pass among them. */
  async renumberStudents(db: DbOrTx, schoolId: string, numbers: ReadonlyMap<string, string>): Promise<void> {
    const educationIds = [...numbers.keys()];
    await db.updateTable('students').set({ student_no: null }).where('school_id', '=', schoolId).where(sql<boolean>`education_id = any(${educationIds}::text[])`).execute();
    await sql`
      update students s set student_no = u.student_no
      from unnest(${educationIds}::text[], ${[...numbers.values()]}::text[]) as u(education_id, student_no)
      where s.school_id = ${schoolId} and s.education_id = u.education_id`.execute(db);
  },

  /**
   * Inserts new students and updates this school's existing ones in one statement; the rows
   * come in as arrays through unnest, so a chunk of thousands is one short, cheap-to-plan
   * statement. A student of another school is left alone (the WHERE of DO UPDATE), so it is
   * missing from the result: moving a student between schools is a transfer, not an import.
   * New students get no password hash (the birth date is their initial password); existing
   * ones keep theirs, their status and their history.
   */
  async upsertStudents(db: DbOrTx, school: { id: string; stage: SchoolStage }, rows: StudentUpsert[], now: Date) {
    const column = <K extends keyof StudentUpsert>(key: K) => rows.map((r) => r[key]);
    // A file either has the salary column (and every row says) or not: excluded.salaried is then
    // the value to keep, else the default a new student gets, which must not overwrite a stored one.
    const salariedGiven = rows.some((r) => r.salaried !== null);
    const collegeGiven = rows.some((r) => r.college !== null);
    const majorGiven = rows.some((r) => r.major !== null);
    // These two are stored as the file says when it has the column, an unreadable cell as null (not known).
    const studyLevelGiven = rows.some((r) => r.studyLevel !== undefined);
    const fullTimeGiven = rows.some((r) => r.fullTime !== undefined);
    const result = await sql<{ education_id: string; inserted: boolean }>`
      insert into students as s (id, education_id, name, gender, birth_date, id_number, school_id, class_id, student_no, salaried, college, major, study_level, full_time, stage, password_hash, updated_at)
      select u.id, u.education_id, u.name, u.gender, u.birth_date, u.id_number, ${school.id}::uuid, u.class_id, u.student_no, coalesce(u.salaried, false), u.college, u.major, u.study_level, u.full_time,
        ${school.stage}::text, null::text, ${now}::timestamptz
      from unnest(
        ${column('id')}::uuid[], ${column('educationId')}::text[], ${column('name')}::text[], ${column('gender')}::text[],
        ${column('birthDate')}::date[], ${column('idNumber')}::text[], ${column('classId')}::uuid[], ${column('studentNo')}::text[], ${column('salaried')}::bool[], ${column('college')}::text[], ${column('major')}::text[],
        ${column('studyLevel').map((v) => v ?? null)}::text[], ${column('fullTime').map((v) => v ?? null)}::bool[]
      ) as u(id, education_id, name, gender, birth_date, id_number, class_id, student_no, salaried, college, major, study_level, full_time)
      on conflict (education_id) do update set
        name = excluded.name, gender = excluded.gender, birth_date = excluded.birth_date, id_number = excluded.id_number,
        -- A campus roster has no classes: a class given in the console stays. A K-12 roster always names one.
        class_id = coalesce(excluded.class_id, s.class_id), student_no = coalesce(excluded.student_no, s.student_no),
        salaried = case when ${salariedGiven}::bool then excluded.salaried else s.salaried end,
        college = case when ${collegeGiven}::bool then excluded.college else s.college end,
        major = case when ${majorGiven}::bool then excluded.major else s.major end,
        study_level = case when ${studyLevelGiven}::bool then excluded.study_level else s.study_level end,
        full_time = case when ${fullTimeGiven}::bool then excluded.full_time else s.full_time end,
        stage = excluded.stage, updated_at = excluded.updated_at
      where s.school_id = excluded.school_id
      returning s.education_id, (s.xmax = 0) as inserted`.execute(db);
    return result.rows;
  },

  insertImport(db: DbOrTx, values: { id: string; schoolId: string; fileName: string; totalRows: number; createdBy: string | null; now: Date }) {
    return db
      .insertInto('roster_imports')
      .values({ id: values.id, school_id: values.schoolId, file_name: values.fileName, status: 'running', total_rows: values.totalRows, created_by: values.createdBy, created_at: values.now })
      .execute();
  },

  recordProgress(db: DbOrTx, id: string, counts: ImportCounts) {
    return db
      .updateTable('roster_imports')
      .set({ processed_rows: counts.processedRows, created_count: counts.created, updated_count: counts.updated, rejected_count: counts.rejected })
      .where('id', '=', id)
      .execute();
  },

  finishImport(db: DbOrTx, id: string, outcome: { status: 'done' | 'failed'; counts: ImportCounts; report: RowProblem[]; warnings: RowProblem[]; warningCount: number; errorCode: string | null; now: Date }) {
    const { counts } = outcome;
    return db
      .updateTable('roster_imports')
      .set({
        status: outcome.status,
        processed_rows: counts.processedRows,
        created_count: counts.created,
        updated_count: counts.updated,
        rejected_count: counts.rejected,
        report: JSON.stringify(outcome.report),
        warnings: JSON.stringify(outcome.warnings),
        warning_count: outcome.warningCount,
        error: outcome.errorCode,
        finished_at: outcome.now,
      })
      .where('id', '=', id)
      .execute();
  },

  findImport(db: DbOrTx, id: string) {
    return db.selectFrom('roster_imports').select([...importColumns, 'report', 'warnings']).where('id', '=', id).executeTakeFirst();
  },

  async listImports(db: DbOrTx, schoolId: string, page: { limit: number; offset: number }) {
    const query = db.selectFrom('roster_imports').where('school_id', '=', schoolId);
    const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await query.select(importColumns).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
    return { rows, total: Number(total) };
  },
};

/** Who of the school holds each of these student numbers: number → education ID. */
async function holdersOfStudentNumbers(db: DbOrTx, schoolId: string, numbers: readonly string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const holders = await db.selectFrom('students').select(['education_id', 'student_no']).where('school_id', '=', schoolId)
    .where(sql<boolean>`student_no = any(${numbers}::text[])`).execute();
  return new Map(holders.flatMap((h) => (h.student_no === null ? [] : [[h.student_no, h.education_id] as const])));
}
