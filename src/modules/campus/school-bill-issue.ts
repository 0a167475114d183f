import { shanghaiDate } from '../../domain/calendar.js';
import { parseYuanToFen } from '../../domain/money.js';
import { billFieldsProblem, billTitle, isDueDatePast, type SchoolBillKind } from '../../domain/school-bills.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import { readRosterTable } from '../roster/parse-roster.js';
import { findColumns } from '../roster/roster-columns.js';
import { cleanCell, readDate, readStudentNo } from '../roster/roster-fields.js';
import './campus.errors.js';
import { consoleSchoolOf } from './dorm-electricity.js';
import { campusRepository } from './campus.repository.js';
import { billTextsJob, textingTimeFrom } from './school-bill-texts.js';
import { schoolBillsRepository as repo } from './school-bills.repository.js';

/**
 * 开具账单: the university's finance office bills its students, one at a time in the console or
 * a file of thousands (a CSV saved from Excel, UTF-8 or GBK). A file is all or nothing: every bad
 * row is reported and nothing is issued until the file is right. A bill due before today (Beijing)
 * is refused. The bound parents of each student billed are texted once per issue, by a job after
 * the commit (school-bill-texts.ts).
 */

export interface NewBill {
  studentNo: string;
  kind: SchoolBillKind;
  academicYear: string;
  course: string | null;
  amountFen: number;
  dueDate: string;
}

export type BillRowField = 'studentNo' | 'kind' | 'academicYear' | 'course' | 'amount' | 'dueDate';
export interface BillRowProblem {
  /** The row number Excel shows. */
  row: number;
  field: BillRowField;
  code: 'SCHOOL_BILL_FIELDS' | 'SCHOOL_BILL_DUE_PAST' | 'SCHOOL_BILL_STUDENT_UNKNOWN' | 'SCHOOL_BILL_DUPLICATE';
}

export const maxBillsPerFile = 5_000;

/** Header names finance offices use, in the roster reader's normalised form (case, spaces and a bracketed note ignored). */
const columnAliases: Record<BillRowField, readonly string[]> = {
  studentNo: ['学号', 'studentno', 'studentnumber'],
  kind: ['类别', '缴费类别', '缴费项目', '项目', 'kind'],
  academicYear: ['学年', 'academicyear'],
  course: ['课程', '课程名称', '重修课程', 'course'],
  amount: ['金额', '应缴金额', '缴费金额', 'amount'],
  dueDate: ['截止日期', '缴费截止日期', 'duedate'],
};
const billColumns = { required: ['studentNo', 'kind', 'academicYear', 'course', 'amount', 'dueDate'], optional: [] } as const;

const kindsByLabel: Record<string, SchoolBillKind> = { 学费: 'tuition', 重修费: 'retake', tuition: 'tuition', retake: 'retake' };

/** Yuan as Excel shows them: "5000", "5000.00" or "5,000.00" (commas only between groups of three). */
function readAmount(raw: string): number | null {
  const cell = cleanCell(raw);
  if (cell.includes(',') && !/^[¥￥]?\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(cell)) return null;
  try {
    return parseYuanToFen(cell.replaceAll(',', ''));
  } catch {
    return null;
  }
}

/** Cells to bills, and the rows that cannot be bills (a field the bill's rules refuse). Pure. */
export function readBillFile(records: string[][]): { bills: (NewBill & { row: number })[]; problems: BillRowProblem[] } {
  const { headerIndex: header, columns: at } = findColumns(records, billColumns, columnAliases, 'SCHOOL_BILL_FILE_COLUMNS');
  const bills: (NewBill & { row: number })[] = [];
  const problems: BillRowProblem[] = [];
  records.slice(header + 1).forEach((record, i) => {
    const row = header + i + 2;
    const cell = (field: BillRowField) => record[at[field]!] ?? '';
    if (record.every((c) => c.trim() === '')) return;
    const studentNo = readStudentNo(cell('studentNo'));
    const kind = kindsByLabel[cleanCell(cell('kind'))];
    const amountFen = readAmount(cell('amount'));
    const dueDate = readDate(cell('dueDate'));
    const course = cleanCell(cell('course')) || null;
    const academicYear = cleanCell(cell('academicYear'));
    const own: BillRowField | null = !studentNo ? 'studentNo' : !kind ? 'kind' : amountFen === null ? 'amount' : !dueDate ? 'dueDate' : null;
    const bill = own ? null : { studentNo: studentNo!, kind: kind!, academicYear, course, amountFen: amountFen!, dueDate: dueDate! };
    const field = own ?? billFieldsProblem(bill!);
    if (field) problems.push({ row, field, code: 'SCHOOL_BILL_FIELDS' });
    else bills.push({ ...bill!, row });
  });
  return { bills, problems };
}

const itemKey = (b: { kind: string; academicYear: string; course: string | null }) => `${b.kind}|${b.academicYear}|${b.course ?? ''}`;

/**
 * Issues the bills in the request's transaction, or throws with every problem: a due date before
 * today (Beijing, by the app's clock), a student number no enrolled student of the school has, or
 * an item the student already has a live bill for (in the database or earlier in the file). The
 * texts to the families are queued in the same transaction: one job for the issue, which sends them
 * after the commit (and by day), so a file of 5,000 bills sends nothing inside the request.
 */
async function issueBills(ctx: AppContext, actor: AuditActor, schoolId: string, bills: (NewBill & { row: number })[], known: BillRowProblem[], requestId: string | null): Promise<{ issued: number; totalFen: number }> {
  const students = new Map((await repo.enrolledByStudentNo(ctx.db, schoolId, [...new Set(bills.map((b) => b.studentNo))])).map((s) => [s.student_no!, s.id]));
  const live = new Set((await repo.liveBillsOf(ctx.db, [...students.values()])).map((b) => `${b.student_id}|${itemKey({ kind: b.kind, academicYear: b.academic_year, course: b.course })}`));
  const problems = [...known];
  const now = ctx.clock.now();
  const today = shanghaiDate(now);
  const issueId = newId();
  const rows = [];
  for (const bill of bills) {
    if (isDueDatePast(bill.dueDate, today)) {
      problems.push({ row: bill.row, field: 'dueDate', code: 'SCHOOL_BILL_DUE_PAST' });
      continue;
    }
    const studentId = students.get(bill.studentNo);
    if (!studentId) {
      problems.push({ row: bill.row, field: 'studentNo', code: 'SCHOOL_BILL_STUDENT_UNKNOWN' });
      continue;
    }
    const key = `${studentId}|${itemKey(bill)}`;
    if (live.has(key)) {
      problems.push({ row: bill.row, field: bill.kind === 'retake' ? 'course' : 'academicYear', code: 'SCHOOL_BILL_DUPLICATE' });
      continue;
    }
    live.add(key);
    rows.push({
      id: newId(), school_id: schoolId, student_id: studentId, kind: bill.kind, academic_year: bill.academicYear, course: bill.course, amount_fen: bill.amountFen, due_date: bill.dueDate,
      status: 'unpaid' as const, order_id: null, paid_via: null, ledger_transaction_id: null, paid_at: null, cancel_reason: null,
      created_by_role: actor.role, created_by: actor.id, created_at: now, updated_at: now, issue_id: issueId, notified_at: null,
    });
  }
  if (problems.length > 0) throw problemsError(problems);
  await repo.insertBills(ctx.db, rows);
  await enqueueJob(ctx.db, ctx.clock, billTextsJob, { issueId }, { uniqueKey: `${billTextsJob}:${issueId}`, runAt: textingTimeFrom(now) });
  const totalFen = rows.reduce((sum, r) => sum + r.amount_fen, 0);
  await recordAudit(ctx.db, ctx.clock, {
    actor, action: 'campus.bill.issued', entityType: 'school', entityId: schoolId,
    after: rows.length === 1 ? { billId: rows[0]!.id, studentId: rows[0]!.student_id, title: billTitle({ kind: rows[0]!.kind, academicYear: rows[0]!.academic_year, course: rows[0]!.course }), amountFen: totalFen, issueId } : { bills: rows.length, totalFen, issueId },
    requestId,
  });
  return { issued: rows.length, totalFen };
}

function problemsError(problems: BillRowProblem[]) {
  // One bill from the form: its own error. A file: every row's problem, in row order.
  if (problems.length === 1 && problems[0]!.row === 0) return fail(problems[0]!.code, { field: problems[0]!.field });
  return fail('SCHOOL_BILL_FILE_INVALID', { problems: problems.sort((a, b) => a.row - b.row).slice(0, 1_000), problemCount: problems.length });
}

/** The university the console acts for: a card manager's own, or the operator's choice; a K-12 school has no bills. */
export async function billingSchoolOf(ctx: AppContext, caller: Caller, schoolId: string | undefined): Promise<string> {
  const school = consoleSchoolOf(caller, schoolId);
  if (!(await campusRepository.isCampusSchool(ctx.db, school))) throw fail('CAMPUS_SCHOOL_INVALID', { schoolId: school });
  return school;
}

/** One bill from the console's form (row 0: not from a file). */
export async function issueBill(ctx: AppContext, caller: Caller, input: NewBill & { schoolId?: string | undefined }, requestId: string) {
  const schoolId = await billingSchoolOf(ctx, caller, input.schoolId);
  const course = input.course?.trim() || null;
  const bill = { ...input, course, row: 0 };
  const field = billFieldsProblem(bill);
  if (field) throw fail('SCHOOL_BILL_FIELDS', { field });
  return issueBills(ctx, { role: caller.role, id: caller.subjectId }, schoolId, [bill], [], requestId);
}

export type ReadBillFile = ReturnType<typeof readBillFile>;

/**
 * Bytes to bills, before any transaction (the parsing holds no connection): a file that is no
 * CSV, has no header, no row or more than 5,000 rows is refused whole.
 */
export function readUploadedBills(bytes: Uint8Array): ReadBillFile {
  const read = readBillFile(readRosterTable(bytes));
  const rows = read.bills.length + read.problems.length;
  if (rows > maxBillsPerFile) throw fail('SCHOOL_BILL_FILE_TOO_LARGE', { rows, max: maxBillsPerFile });
  if (rows === 0) throw fail('ROSTER_FILE_EMPTY');
  return read;
}

/** The file's bills, in the caller's transaction; SCHOOL_BILL_FILE_INVALID lists every bad row. The console's card manager or operator, or the CLI, issues them. */
export async function issueBillFile(ctx: AppContext, actor: AuditActor, schoolId: string, file: ReadBillFile, requestId: string | null) {
  return issueBills(ctx, actor, schoolId, file.bills, file.problems, requestId);
}
