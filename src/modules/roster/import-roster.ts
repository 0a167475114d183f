import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { SchoolStage } from '../../platform/db/schema.js';
import { newId } from '../../platform/ids.js';
import { isCampusRow, type K12RosterRow, type ParsedRoster, type RosterRow } from './parse-roster.js';
import { classKey } from './roster-fields.js';
import { rosterRepository as repo, type ImportCounts, type StudentUpsert } from './roster.repository.js';
import { byRowThenField, rowProblem, type RowProblem } from './row-problems.js';

/**
 * Writes a parsed roster into a school: upsert by education ID, so importing the same file
 * again only updates. Each chunk is its own short transaction (PGlite has one connection, and
 * other requests must get their turn between chunks) and records progress as it commits.
 */

/** Rows per statement: large enough that per-statement overhead vanishes, small enough to keep each transaction short. */
export const CHUNK_ROWS = 2_000;
/** The stored report keeps the problems of this many rejected rows; the counts cover them all. */
export const REPORT_ROWS = 1_000;

export interface RosterImportJob {
  id: string;
  school: { id: string; stage: SchoolStage };
  fileName: string;
  parsed: ParsedRoster;
  actor: AuditActor;
  requestId: string | null;
}

export interface ImportProgress extends ImportCounts {
  totalRows: number;
}

export interface RosterImportOutcome extends ImportProgress {
  /** Every problem of every rejected row, in row order. */
  problems: RowProblem[];
}

type ImportContext = Pick<AppContext, 'db' | 'clock' | 'logger'>;

/** Records the import as running; `runRosterImport` does the work. */
export async function createRosterImport(db: DbOrTx, now: Date, input: Omit<RosterImportJob, 'id'>): Promise<RosterImportJob> {
  const id = newId();
  await repo.insertImport(db, { id, schoolId: input.school.id, fileName: input.fileName, totalRows: input.parsed.totalRows, createdBy: input.actor.id, now });
  return { id, ...input };
}

interface ChunkResult {
  created: number;
  updated: number;
  problems: RowProblem[];
}

/** Counts and problems as the import goes; rows rejected while parsing count as processed from the start. */
class ImportTally {
  private created = 0;
  private updated = 0;
  private rejected: number;
  private processedRows: number;
  private readonly problems: RowProblem[];

  constructor(private readonly parsed: ParsedRoster) {
    this.problems = [...parsed.problems];
    this.rejected = parsed.rejectedRows;
    this.processedRows = parsed.rejectedRows;
  }

  reject(problem: RowProblem): void {
    this.problems.push(problem);
    this.rejected += 1;
    this.processedRows += 1;
  }

  /** Adds a chunk's result once its transaction has committed. */
  add(chunk: ChunkResult): void {
    this.created += chunk.created;
    this.updated += chunk.updated;
    this.rejected += chunk.problems.length;
    this.processedRows += chunk.created + chunk.updated + chunk.problems.length;
    this.problems.push(...chunk.problems);
  }

  /** The counts as they will be once `chunk` is added: recorded in the chunk's own transaction. */
  countsWith(chunk: ChunkResult): ImportCounts {
    const rejected = this.rejected + chunk.problems.length;
    const processedRows = this.processedRows + chunk.created + chunk.updated + chunk.problems.length;
    return { processedRows, created: this.created + chunk.created, updated: this.updated + chunk.updated, rejected };
  }

  counts(): ImportCounts {
    return { processedRows: this.processedRows, created: this.created, updated: this.updated, rejected: this.rejected };
  }

  progress(): ImportProgress {
    return { totalRows: this.parsed.totalRows, ...this.counts() };
  }

  allProblems(): RowProblem[] {
    return [...this.problems].sort(byRowThenField);
  }
}

/** The problems of the first `REPORT_ROWS` rejected rows, so a file of bad rows does not make a huge record. */
function storedReport(problems: RowProblem[]): RowProblem[] {
  const rows = new Set<number>();
  return problems.filter((p) => {
    if (rows.size < REPORT_ROWS) rows.add(p.row);
    return rows.has(p.row);
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type ClassLookup = (row: K12RosterRow) => string | undefined;
/** A row with its class found (or, on a campus roster, its student number): what a chunk writes. */
type PlacedRow = { row: number; student: StudentUpsert };

/** The class as written ("03") first; else by number, since Excel turns "03" into 3. */
async function classLookup(db: DbOrTx, schoolId: string): Promise<ClassLookup> {
  const classes = await repo.classesOf(db, schoolId);
  const exact = new Map(classes.map((c) => [`${c.grade}/${c.class_no}`, c.id]));
  const byNumber = new Map(classes.map((c) => [classKey(c.grade, c.class_no), c.id]));
  return (row) => exact.get(`${row.grade}/${row.classNo}`) ?? byNumber.get(classKey(row.grade, row.classNo));
}

/**
 * K-12 rows whose class exists become students to write; the others are rejected with
 * CLASS_UNKNOWN. Campus rows have no class: their student number goes in instead.
 */
function placeRows(rows: RosterRow[], classOf: ClassLookup, tally: ImportTally): PlacedRow[] {
  const placed: PlacedRow[] = [];
  for (const row of rows) {
    const campus = isCampusRow(row);
    const classId = campus ? null : classOf(row);
    if (!campus && !classId) {
      tally.reject(rowProblem(row.row, 'class', 'CLASS_UNKNOWN', { grade: row.grade, classNo: row.classNo }));
      continue;
    }
    // One object literal (no spreads): 100,000 rows must stay cheap (bench:roster).
    const student: StudentUpsert = {
      id: newId(), educationId: row.educationId, name: row.name, gender: row.gender, birthDate: row.birthDate, idNumber: row.idNumber,
      classId: classId ?? null, studentNo: campus ? row.studentNo : null, salaried: campus ? row.salaried ?? null : null, college: campus ? row.college ?? null : null, major: campus ? row.major ?? null : null,
      studyLevel: campus ? row.studyLevel : undefined, fullTime: campus ? row.fullTime : undefined,
    };
    placed.push({ row: row.row, student });
  }
  // One order for every import (by education ID) means two imports touching the same
  // students lock them in the same order on PostgreSQL and cannot deadlock.
  return placed.sort((a, b) => compare(a.student.educationId, b.student.educationId));
}

/**
 * Students the upsert did not return belong to another school and were left alone; rows whose
 * student number another student of the school holds were not written.
 */
function chunkResult(chunk: PlacedRow[], written: { education_id: string; inserted: boolean }[], numberTaken: ReadonlySet<string>): ChunkResult {
  const insertedById = new Map(written.map((w) => [w.education_id, w.inserted]));
  const result: ChunkResult = { created: 0, updated: 0, problems: [] };
  for (const { row, student } of chunk) {
    const inserted = insertedById.get(student.educationId);
    if (numberTaken.has(student.educationId)) result.problems.push(rowProblem(row, 'studentNo', 'STUDENT_NO_TAKEN'));
    else if (inserted === undefined) result.problems.push(rowProblem(row, 'educationId', 'STUDENT_IN_OTHER_SCHOOL'));
    else if (inserted) result.created += 1;
    else result.updated += 1;
  }
  return result;
}

/**
 * Student numbers that change hands within the file (a swap, or a chain: A takes B's, B takes
 * C's, C a new one) are moved first, in one transaction. A chunk checks each number against the
 * stored ones, so otherwise every side of a swap would find its new number still held and be
 * refused. A move is made only when its new number is free or let go by another move made; the
 * rest are left for the chunks, which refuse them as STUDENT_NO_TAKEN.
 */
async function moveStudentNumbers(ctx: ImportContext, schoolId: string, placed: readonly PlacedRow[]): Promise<number> {
  const wanted = new Map(placed.flatMap(({ student }) => (student.studentNo === null ? [] : [[student.educationId, student.studentNo] as const])));
  if (wanted.size === 0) return 0;
  return ctx.db.transaction().execute(async (tx) => {
    await repo.lockSchoolRoster(tx, schoolId);
    const stored = await repo.studentNumbersOf(tx, schoolId, [...wanted.keys()]);
    // Existing students whose number changes; new ones are the chunks' to insert.
    const moves = new Map([...wanted].filter(([educationId, number]) => stored.has(educationId) && stored.get(educationId) !== number));
    if (moves.size === 0) return 0;
    const holderOf = await repo.holdersOfStudentNumbers(tx, schoolId, [...moves.values()]);
    let made = new Map(moves);
    // Drop moves whose number stays held (by a student not moving, or by a move dropped) until none is left to drop.
    for (let size = -1; size !== made.size;) {
      size = made.size;
      made = new Map([...made].filter(([, number]) => {
        const holder = holderOf.get(number);
        return holder === undefined || made.has(holder);
      }));
    }
    if (made.size > 0) await repo.renumberStudents(tx, schoolId, made);
    return made.size;
  });
}

async function writeChunk(ctx: ImportContext, job: RosterImportJob, chunk: PlacedRow[], tally: ImportTally): Promise<void> {
  const result = await ctx.db.transaction().execute(async (tx) => {
    await repo.lockSchoolRoster(tx, job.school.id);
    // A student number is unique within a school: a row that would take another student's is refused.
    const numberTaken = await repo.studentNumbersHeldByOthers(tx, job.school.id, chunk.map((c) => c.student));
    const toWrite = chunk.filter((c) => !numberTaken.has(c.student.educationId)).map((c) => c.student);
    const written = await repo.upsertStudents(tx, job.school, toWrite, ctx.clock.now());
    const outcome = chunkResult(chunk, written, numberTaken);
    await repo.recordProgress(tx, job.id, tally.countsWith(outcome));
    return outcome;
  });
  tally.add(result);
}

/** Marks the import done or failed and writes its one audit row (one per import, not per student). */
async function finish(ctx: ImportContext, job: RosterImportJob, tally: ImportTally, errorCode: string | null, renumbered: number): Promise<void> {
  const status = errorCode ? 'failed' : 'done';
  await ctx.db.transaction().execute(async (tx) => {
    // Warnings of the rows written (a row refused later has its problem instead).
    const refused = new Set(tally.allProblems().map((p) => p.row));
    const warnings = job.parsed.warnings.filter((w) => !refused.has(w.row));
    await repo.finishImport(tx, job.id, { status, counts: tally.counts(), report: storedReport(tally.allProblems()), warnings: storedReport(warnings), warningCount: new Set(warnings.map((w) => w.row)).size, errorCode, now: ctx.clock.now() });
    await recordAudit(tx, ctx.clock, {
      actor: job.actor,
      action: errorCode ? 'roster.import_failed' : 'roster.imported',
      entityType: 'roster_import',
      entityId: job.id,
      after: { schoolId: job.school.id, fileName: job.fileName, totalRows: job.parsed.totalRows, ...tally.counts(), warned: new Set(warnings.map((w) => w.row)).size, renumbered, errorCode },
      requestId: job.requestId,
    });
  });
}

/**
 * Imports the rows chunk by chunk, telling `onProgress` after each. On an error the import is
 * marked failed (the committed chunks stay: importing again is safe) and the error rethrown.
 */
export async function runRosterImport(ctx: ImportContext, job: RosterImportJob, onProgress: (p: ImportProgress) => void = () => {}): Promise<RosterImportOutcome> {
  const tally = new ImportTally(job.parsed);
  // Students whose numbers the first pass moved (committed, and kept by a failed import as its chunks are).
  let renumbered = 0;
  try {
    const placed = placeRows(job.parsed.rows, await classLookup(ctx.db, job.school.id), tally);
    renumbered = await moveStudentNumbers(ctx, job.school.id, placed);
    onProgress(tally.progress());
    for (let start = 0; start < placed.length; start += CHUNK_ROWS) {
      await writeChunk(ctx, job, placed.slice(start, start + CHUNK_ROWS), tally);
      onProgress(tally.progress());
    }
    await finish(ctx, job, tally, null, renumbered);
  } catch (error) {
    await finish(ctx, job, tally, 'ROSTER_IMPORT_FAILED', renumbered).catch((finishError: unknown) => ctx.logger.error({ err: finishError, importId: job.id }, 'could not mark the roster import failed'));
    throw error;
  }
  return { ...tally.progress(), problems: tally.allProblems() };
}
