import { sql } from 'kysely';
import { shanghaiDate } from '../../domain/calendar.js';
import { daysBetween, dueDateFrom, isOverdue, lateFineFen, loansPerStudent, renewalRefusal, renewedDueDate } from '../../domain/library.js';
import { maskName } from '../../domain/masking.js';
import { assertSchoolAccess, consoleListScope } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../ledger/ledger.js';
import { containsPattern, offsetOf, type PageQuery } from '../shared/pagination.js';
import './campus.errors.js';
import { campusRepository as repo } from './campus.repository.js';
import type { AdminLibraryBookDto, LibraryBookDto, LibraryLoanDto, LibraryReturnDto } from './campus.schemas.js';
import { consoleSchoolOf } from './dorm-electricity.js';
import { campusCardOf, campusSchoolOf } from './payment-codes.js';

/**
 * 借阅图书 (seed 004: "使用校园卡 APP 借阅图书"): the student borrows a book of their university's
 * library by its barcode in the app, renews it once, and returns it at the library desk (the
 * console), where a late return is fined; fines are paid from the campus card with the query
 * password. The rules are in src/domain/library.ts.
 */

const today = (ctx: AppContext) => shanghaiDate(ctx.clock.now());

function loansOf(db: DbOrTx) {
  return db
    .selectFrom('library_loans as l')
    .innerJoin('library_books as b', 'b.id', 'l.book_id')
    .select(['l.id', 'l.book_id', 'l.student_id', 'l.borrowed_at', 'l.due_on', 'l.renewals', 'l.returned_at', 'l.fine_fen', 'l.fine_paid_at', 'b.barcode', 'b.title', 'b.author', 'b.school_id']);
}
type LoanRow = Awaited<ReturnType<ReturnType<typeof loansOf>['executeTakeFirstOrThrow']>>;

function loanView(row: LoanRow, on: string): LibraryLoanDto {
  const open = row.returned_at === null;
  return {
    id: row.id, bookId: row.book_id, barcode: row.barcode, title: row.title, author: row.author,
    borrowedAt: row.borrowed_at.toISOString(), dueOn: row.due_on, renewals: row.renewals,
    renewable: open && renewalRefusal({ dueOn: row.due_on, renewals: row.renewals }, on) === null,
    overdue: open && isOverdue(row.due_on, on),
    returnedAt: row.returned_at?.toISOString() ?? null, fineFen: row.fine_fen, finePaid: row.fine_paid_at !== null,
  };
}

/** What stops a student borrowing: books overdue today, fines not paid. */
async function standing(db: DbOrTx, studentId: string, on: string) {
  const row = await db
    .selectFrom('library_loans')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('returned_at', 'is', null).as('on_loan'),
      eb.fn.countAll<number>().filterWhere((w) => w.and([w('returned_at', 'is', null), w('due_on', '<', on)])).as('overdue'),
      eb.fn.coalesce(eb.fn.sum<number>('fine_fen').filterWhere('fine_paid_at', 'is', null), eb.lit(0)).as('fines'),
    ])
    .where('student_id', '=', studentId)
    .executeTakeFirstOrThrow();
  return { onLoan: Number(row.on_loan), overdue: Number(row.overdue), finesOwedFen: Number(row.fines) };
}

/** The library's books matching `q` (title, author or barcode), with whether each is on the shelf. */
export async function searchBooks(ctx: AppContext, caller: Caller, q: string | undefined): Promise<LibraryBookDto[]> {
  const schoolId = await libraryMemberSchool(ctx, caller);
  let query = ctx.db
    .selectFrom('library_books as b')
    .leftJoin('library_loans as l', (join) => join.onRef('l.book_id', '=', 'b.id').on('l.returned_at', 'is', null))
    .select(['b.id', 'b.barcode', 'b.title', 'b.author', 'b.call_no', 'l.due_on'])
    .where('b.school_id', '=', schoolId);
  if (q) query = query.where((eb) => eb.or([eb('b.title', 'ilike', containsPattern(q)), eb('b.author', 'ilike', containsPattern(q)), eb('b.barcode', '=', q)]));
  const rows = await query.orderBy('b.title').orderBy('b.barcode').limit(50).execute();
  return rows.map((r) => ({ id: r.id, barcode: r.barcode, title: r.title, author: r.author, callNo: r.call_no, available: r.due_on === null, dueOn: r.due_on }));
}

/**
 * The university of a student, for reading their library record: a lost campus card does not
 * hide their loans and fines (borrowing and paying need a card in use).
 */
async function libraryMemberSchool(ctx: AppContext, caller: Caller): Promise<string> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  const { school_id: schoolId } = await repo.payer(ctx.db, caller.subjectId);
  if (!(await repo.isCampusSchool(ctx.db, schoolId))) throw fail('CAMPUS_CARD_NOT_IN_USE');
  return schoolId;
}

/** 我的借阅: books on loan first (soonest due first), then fines unpaid, then the last returned; fines owed. */
export async function myLoans(ctx: AppContext, caller: Caller) {
  await libraryMemberSchool(ctx, caller);
  return loansView(ctx.db, caller.subjectId, today(ctx));
}

async function loansView(db: DbOrTx, studentId: string, on: string) {
  const rows = await loansOf(db)
    .where('l.student_id', '=', studentId)
    .orderBy(sql`l.returned_at is null`, 'desc')
    .orderBy(sql`l.fine_fen > 0 and l.fine_paid_at is null`, 'desc')
    .orderBy(sql`case when l.returned_at is null then l.due_on end`)
    .orderBy('l.returned_at', 'desc')
    .limit(50)
    .execute();
  const { onLoan, finesOwedFen } = await standing(db, studentId, on);
  return { items: rows.map((r) => loanView(r, on)), finesOwedFen, onLoan, maxLoans: loansPerStudent };
}

/**
 * 借书: the book (by its barcode, of the student's university) is lent for 30 days. Refused with a
 * book overdue or a fine unpaid (LIBRARY_BLOCKED), at 10 books on loan (LIBRARY_LOAN_LIMIT), for a
 * book on loan already (LIBRARY_BOOK_ON_LOAN: the open-loan index decides a race). The student's
 * row is locked while their loans are counted.
 */
export async function borrowBook(ctx: AppContext, caller: Caller, barcode: string, requestId: string): Promise<LibraryLoanDto> {
  const schoolId = await campusSchoolOf(ctx, caller);
  const on = today(ctx);
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockPayer(tx, caller.subjectId);
    const mine = await standing(tx, caller.subjectId, on);
    if (mine.overdue > 0 || mine.finesOwedFen > 0) throw fail('LIBRARY_BLOCKED', { overdue: mine.overdue, finesOwedFen: mine.finesOwedFen });
    if (mine.onLoan >= loansPerStudent) throw fail('LIBRARY_LOAN_LIMIT', { limit: loansPerStudent });
    const book = await tx.selectFrom('library_books').select('id').where('school_id', '=', schoolId).where('barcode', '=', barcode).executeTakeFirst();
    if (!book) throw fail('LIBRARY_BOOK_UNKNOWN', { barcode });
    const id = newId();
    await tx.insertInto('library_loans').values({ id, book_id: book.id, student_id: caller.subjectId, borrowed_at: ctx.clock.now(), due_on: dueDateFrom(on) }).execute();
    const loan = await loansOf(tx).where('l.id', '=', id).executeTakeFirstOrThrow();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.library.borrowed', entityType: 'library_book', entityId: book.id, after: { loanId: id, dueOn: loan.due_on }, requestId });
    return loanView(loan, on);
  });
}

/** 续借: once, before the book is overdue; due 30 days from today. */
export async function renewLoan(ctx: AppContext, caller: Caller, loanId: string, requestId: string): Promise<LibraryLoanDto> {
  await campusSchoolOf(ctx, caller);
  const on = today(ctx);
  return inTransaction(ctx.db, async (tx) => {
    const loan = await loansOf(tx).where('l.id', '=', loanId).forUpdate('l').executeTakeFirst();
    if (!loan || loan.student_id !== caller.subjectId) throw fail('NOT_FOUND', { entity: 'library_loan', loanId });
    if (loan.returned_at !== null) throw fail('LIBRARY_LOAN_RETURNED', { loanId });
    const refusal = renewalRefusal({ dueOn: loan.due_on, renewals: loan.renewals }, on);
    if (refusal) throw fail(refusal, { loanId, dueOn: loan.due_on });
    const dueOn = renewedDueDate(loan.due_on, on);
    await tx.updateTable('library_loans').set({ due_on: dueOn, renewals: loan.renewals + 1 }).where('id', '=', loanId).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.library.renewed', entityType: 'library_book', entityId: loan.book_id, before: { dueOn: loan.due_on }, after: { loanId, dueOn }, requestId });
    return loanView({ ...loan, due_on: dueOn, renewals: loan.renewals + 1 }, on);
  });
}

/** Before paying fines, outside the request's transaction so that wrong query passwords are counted. */
export async function checkFinePayment(ctx: AppContext, caller: Caller, queryPassword: string, source: string): Promise<void> {
  await campusSchoolOf(ctx, caller);
  await verifyQueryPassword(ctx, caller.subjectId, queryPassword, source);
}

/**
 * 缴纳罚款: every unpaid fine at once, from the campus card (the query password checked first, by
 * checkFinePayment), to the library's account `merchant:library.<school>`, in one ledger
 * transaction; a balance short of it is INSUFFICIENT_FUNDS and nothing is paid.
 */
export async function payLibraryFines(ctx: AppContext, caller: Caller, requestId: string) {
  const schoolId = await campusSchoolOf(ctx, caller);
  const card = await campusCardOf(ctx, caller.subjectId);
  const actor = { role: caller.role, id: caller.subjectId };
  const library = await ensureAccount(ctx.db, ctx.clock, { code: accountCodes.merchant(`library.${schoolId}`), type: 'merchant', actor });
  await inTransaction(ctx.db, async (tx) => {
    // The fines' rows are the lock (two payments cannot take one fine): no student lock, which a
    // canteen purchase's foreign key would wait on while this waits on the card it holds.
    const fines = await unpaidFines(tx, caller.subjectId);
    const totalFen = fines.reduce((sum, f) => sum + f.fine_fen, 0);
    if (totalFen === 0) throw fail('LIBRARY_NO_FINE');
    const locked = await cardsRepository.lockCard(tx, card.id);
    if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_IN_USE');
    const purse = await findAccountByCode(tx, accountCodes.purse(card.id));
    const txn = await postTransaction(tx, ctx.clock, {
      idempotencyKey: `library-fines:${fines.map((f) => f.id).sort().join(',')}`,
      type: 'purchase',
      postings: [{ accountId: purse.id, debitFen: totalFen }, { accountId: library.id, creditFen: totalFen }],
      memo: '图书馆逾期罚款',
      metadata: { loanIds: fines.map((f) => f.id) },
      actor,
    });
    await tx.updateTable('library_loans').set({ fine_paid_at: ctx.clock.now(), fine_ledger_transaction_id: txn.id }).where('id', 'in', fines.map((f) => f.id)).execute();
    await recordAudit(tx, ctx.clock, { actor, action: 'campus.library.fines_paid', entityType: 'card', entityId: card.id, after: { amountFen: totalFen, loanIds: fines.map((f) => f.id), ledgerTransactionId: txn.id }, requestId });
  });
  return loansView(ctx.db, caller.subjectId, today(ctx));
}

function unpaidFines(tx: Tx, studentId: string) {
  return tx.selectFrom('library_loans').select(['id', 'fine_fen']).where('student_id', '=', studentId).where('fine_fen', '>', 0).where('fine_paid_at', 'is', null).forUpdate().execute();
}

/** The console's catalogue: the school's books, who has each (masked) and whether it is overdue. */
export async function schoolBooks(ctx: AppContext, caller: Caller, filter: { schoolId?: string | undefined; q?: string | undefined }, page: PageQuery) {
  const scope = consoleListScope(caller, filter.schoolId);
  let query = ctx.db
    .selectFrom('library_books as b')
    .innerJoin('schools as s', 's.id', 'b.school_id')
    .leftJoin('library_loans as l', (join) => join.onRef('l.book_id', '=', 'b.id').on('l.returned_at', 'is', null))
    .leftJoin('students as st', 'st.id', 'l.student_id');
  if (scope) query = query.where('b.school_id', '=', scope);
  if (filter.q) query = query.where((eb) => eb.or([eb('b.title', 'ilike', containsPattern(filter.q!)), eb('b.author', 'ilike', containsPattern(filter.q!)), eb('b.barcode', '=', filter.q!)]));
  const [{ total } = { total: 0 }] = await query.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await query
    .select(['b.id', 'b.barcode', 'b.title', 'b.author', 'b.call_no', 's.name as school_name', 'l.due_on', 'st.name as borrower'])
    .orderBy('b.title').orderBy('b.barcode')
    .limit(page.pageSize).offset(offsetOf(page))
    .execute();
  const on = today(ctx);
  const items: AdminLibraryBookDto[] = rows.map((r) => ({
    id: r.id, barcode: r.barcode, title: r.title, author: r.author, callNo: r.call_no, available: r.due_on === null, dueOn: r.due_on,
    schoolName: r.school_name, borrowerNameMasked: r.borrower === null ? null : maskName(r.borrower), overdue: r.due_on !== null && isOverdue(r.due_on, on),
  }));
  return { items, total: Number(total), page: page.page, pageSize: page.pageSize };
}

/** An operator or the university's card manager adds a book to the catalogue (a barcode once per school). */
export async function addBook(ctx: AppContext, caller: Caller, input: { schoolId: string; barcode: string; title: string; author?: string | undefined; callNo?: string | undefined }, requestId: string) {
  assertSchoolAccess(caller, input.schoolId);
  if (!(await repo.isCampusSchool(ctx.db, input.schoolId))) throw fail('CAMPUS_SCHOOL_INVALID', { schoolId: input.schoolId });
  const row = { id: newId(), school_id: input.schoolId, barcode: input.barcode, title: input.title, author: input.author || null, call_no: input.callNo || null, created_at: ctx.clock.now() };
  await inTransaction(ctx.db, async (tx) => {
    await tx.insertInto('library_books').values(row).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.library.book_added', entityType: 'library_book', entityId: row.id, after: input, requestId });
  });
  const school = await ctx.db.selectFrom('schools').select('name').where('id', '=', input.schoolId).executeTakeFirstOrThrow();
  return {
    id: row.id, barcode: row.barcode, title: row.title, author: row.author, callNo: row.call_no, available: true, dueOn: null,
    schoolName: school.name, borrowerNameMasked: null, overdue: false,
  } satisfies AdminLibraryBookDto;
}

/** 还书 at the library desk: the open loan of the book ends today; a late one is fined (¥0.10 a day, at most ¥20). */
export async function returnBook(ctx: AppContext, caller: Caller, input: { schoolId?: string | undefined; barcode: string }, requestId: string): Promise<LibraryReturnDto> {
  const schoolId = consoleSchoolOf(caller, input.schoolId);
  const on = today(ctx);
  return inTransaction(ctx.db, async (tx) => {
    const loan = await loansOf(tx)
      .innerJoin('students as st', 'st.id', 'l.student_id')
      .select('st.name as borrower')
      .where('b.school_id', '=', schoolId).where('b.barcode', '=', input.barcode).where('l.returned_at', 'is', null)
      .forUpdate('l')
      .executeTakeFirst();
    if (!loan) throw fail('LIBRARY_NOT_ON_LOAN', { barcode: input.barcode });
    const now = ctx.clock.now();
    const fineFen = lateFineFen(loan.due_on, on);
    await tx.updateTable('library_loans').set({ returned_at: now, returned_by_role: caller.role, returned_by_id: caller.subjectId, fine_fen: fineFen }).where('id', '=', loan.id).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.library.returned', entityType: 'library_book', entityId: loan.book_id, after: { loanId: loan.id, studentId: loan.student_id, dueOn: loan.due_on, fineFen }, requestId });
    return {
      loanId: loan.id, barcode: loan.barcode, title: loan.title, borrowerNameMasked: maskName(loan.borrower), dueOn: loan.due_on,
      returnedAt: now.toISOString(), daysLate: Math.max(0, daysBetween(loan.due_on, on)), fineFen,
    };
  });
}
