import { shanghaiDate } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { billTitle, isBillOverdue, nextBillStatus, type SchoolBillStatus } from '../../domain/school-bills.js';
import { assertSchoolAccess, assertStudentAccess, consoleListScope, mayAccessStudent } from '../../platform/access.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction, type LedgerAccount } from '../ledger/ledger.js';
import { insertSchoolBillOrder } from '../payments/create-order.js';
import { expireOne } from '../payments/expire-orders.js';
import { onOrderFulfilled } from '../payments/order-hooks.js';
import { isOpen } from '../payments/order-rules.js';
import { orderView, type OrderView } from '../payments/order-view.js';
import { paymentsRepository, type OrderRow } from '../payments/payments.repository.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import './campus.errors.js';
import { campusCardOf } from './payment-codes.js';
import { schoolBillsRepository as repo, type ConsoleBillFilter, type SchoolBillRow } from './school-bills.repository.js';
import type { SchoolBillDto } from './school-bills.schemas.js';

/**
 * 学费及重修费缴费 (seed 004: 校园卡APP…学费及重修费缴费等支付): the student pays the university's
 * bill in the app, from the campus card (with the query password, as 宿舍电费) or through Alipay /
 * WeChat Pay (an order of kind `school_bill`, whose payee is the university). Either way the money
 * goes to the university's tuition account, `merchant:tuition.<school>`. A bill is paid once: while
 * an order for it waits at the cashier the card cannot pay it too, and the school cannot cancel it.
 */

type BillWithOrder = SchoolBillRow & { school_name: string; order_status?: OrderRow['status'] | null; order_expires_at?: Date | null };

export function billView(row: BillWithOrder, clock: Clock): SchoolBillDto {
  const bill = { kind: row.kind, academicYear: row.academic_year, course: row.course };
  const orderWaiting = row.status === 'unpaid' && !!row.order_status && isOpen(row.order_status) && !!row.order_expires_at && row.order_expires_at.getTime() > clock.now().getTime();
  return {
    id: row.id, kind: row.kind, academicYear: row.academic_year, course: row.course, title: billTitle(bill), schoolName: row.school_name,
    amountFen: row.amount_fen, dueDate: row.due_date, overdue: isBillOverdue({ status: row.status, dueDate: row.due_date }, shanghaiDate(clock.now())),
    status: row.status, paidVia: row.paid_via, paidAt: row.paid_at?.toISOString() ?? null, orderId: row.order_id, waitingOrderId: orderWaiting ? row.order_id : null, cancelReason: row.cancel_reason,
    createdAt: row.created_at.toISOString(),
  };
}

/** Where a university's bills are paid to. */
export function tuitionAccount(db: DbOrTx, clock: Clock, schoolId: string, actor: AuditActor): Promise<LedgerAccount> {
  return ensureAccount(db, clock, { code: accountCodes.merchant(`tuition.${schoolId}`), type: 'merchant', actor });
}

/** What a paid `school_bill` order credits: the tuition account of its bill's university. */
export async function tuitionAccountOfOrder(tx: DbOrTx, clock: Clock, orderId: string, actor: AuditActor): Promise<LedgerAccount> {
  const bill = await repo.billOfOrder(tx, orderId);
  // Every school_bill order is linked to its bill in the transaction that creates it.
  if (!bill) throw fail('NOT_FOUND', { entity: 'school_bill', orderId });
  return tuitionAccount(tx, clock, bill.school_id, actor);
}

/**
 * The bill, if the caller may pay it: its student (any way), or a parent bound to the student (by
 * Alipay / WeChat Pay: the card needs the student's own query password). NOT_FOUND otherwise: a
 * bill of someone else does not exist for them.
 */
async function payableBill(ctx: AppContext, caller: Caller, billId: string, bill: SchoolBillRow | undefined, way: 'order' | 'campus_card'): Promise<SchoolBillRow> {
  const mayPay = bill !== undefined && (caller.role === 'student' || (caller.role === 'parent' && way === 'order')) && (await mayAccessStudent(ctx.db, caller, bill.student_id));
  if (!mayPay) throw fail('NOT_FOUND', { entity: 'school_bill', billId });
  return bill;
}

/**
 * A student's bills: those to pay first (earliest due first), then the paid and cancelled ones.
 * The student's own, or a bound parent's child's (`studentId`, which a parent must give).
 */
export async function billsOf(ctx: AppContext, caller: Caller, studentId: string | undefined): Promise<{ items: SchoolBillDto[]; unpaidFen: number }> {
  if (caller.role === 'student' && (studentId === undefined || studentId === caller.subjectId)) studentId = caller.subjectId;
  else if (caller.role !== 'parent') throw fail('FORBIDDEN');
  else if (studentId === undefined) throw fail('VALIDATION_FAILED', { field: 'studentId' });
  else await assertStudentAccess(ctx.db, caller, studentId);
  const items = (await repo.billsOfStudent(ctx.db, studentId)).map((row) => billView(row, ctx.clock));
  return { items, unpaidFen: items.filter((b) => b.status === 'unpaid').reduce((sum, b) => sum + b.amountFen, 0) };
}

/**
 * Before a new order or a payment from the card, outside any transaction: the bill's earlier order
 * whose 30 minutes are up but which is still open is settled first, as the expiry job would (it
 * asks the gateway). Paid late, it pays the bill; a gateway that cannot be asked leaves it open,
 * and the bill waits (SCHOOL_BILL_ORDER_UNSETTLED): never paid twice.
 */
export async function settleTimedOutBillOrder(ctx: AppContext, caller: Caller, billId: string, way: 'order' | 'campus_card'): Promise<void> {
  const bill = await payableBill(ctx, caller, billId, await repo.findBill(ctx.db, billId), way);
  if (!bill.order_id) return;
  const order = await paymentsRepository.findOrder(ctx.db, bill.order_id);
  if (!order || !isOpen(order.status) || order.expires_at.getTime() > ctx.clock.now().getTime()) return;
  if ((await expireOne(ctx, order)) === 'deferred') throw fail('SCHOOL_BILL_ORDER_UNSETTLED', { billId, orderId: order.id });
}

/**
 * 缴费 by Alipay or WeChat Pay, in the request's transaction: the order for the whole bill, placed
 * by the student or a bound parent. An order still waiting for payment is handed back rather than
 * doubled, whoever placed it.
 */
export async function requestBillOrder(ctx: AppContext, caller: Caller, billId: string, requestId: string): Promise<OrderView> {
  const bill = await payableBill(ctx, caller, billId, await repo.lockBill(ctx.db, billId), 'order');
  nextBillStatus(bill.status, 'pay');
  if (bill.order_id) {
    const existing = await paymentsRepository.findOrder(ctx.db, bill.order_id);
    if (existing && isOpen(existing.status)) {
      if (existing.expires_at.getTime() > ctx.clock.now().getTime()) return orderView(existing, ctx.clock);
      throw fail('SCHOOL_BILL_ORDER_UNSETTLED', { billId, orderId: existing.id });
    }
  }
  const title = billTitle({ kind: bill.kind, academicYear: bill.academic_year, course: bill.course });
  const order = await insertSchoolBillOrder(ctx, caller, {
    studentId: bill.student_id, amountFen: bill.amount_fen,
    item: { name: bill.kind === 'tuition' ? '学费' : '重修费', projectName: title, feeCode: null, documentNo: null, payee: await paymentsRepository.schoolName(ctx.db, bill.school_id) },
  }, requestId);
  await repo.updateBill(ctx.db, bill.id, { order_id: order.id, updated_at: ctx.clock.now() });
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.bill.order', entityType: 'school_bill', entityId: bill.id, before: { orderId: bill.order_id }, after: { orderId: order.id, orderNo: order.orderNo }, requestId });
  return order;
}

/** 校园卡账户缴费, before the payment's transaction: a campus card in use and the query password (a wrong one is remembered). */
export async function checkBillFromCard(ctx: AppContext, caller: Caller, input: { billId: string; queryPassword: string }, source: string): Promise<void> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  await settleTimedOutBillOrder(ctx, caller, input.billId, 'campus_card');
  await campusCardOf(ctx, caller.subjectId);
  await verifyQueryPassword(ctx, caller.subjectId, input.queryPassword, source);
}

/** The payment from the campus card's purse, in the request's transaction (INSUFFICIENT_FUNDS when it holds too little). */
export async function payBillFromCard(ctx: AppContext, caller: Caller, billId: string, requestId: string): Promise<{ bill: SchoolBillDto; balanceAfterFen: number }> {
  const bill = await payableBill(ctx, caller, billId, await repo.lockBill(ctx.db, billId), 'campus_card');
  const status = nextBillStatus(bill.status, 'pay');
  if (bill.order_id) {
    const order = await paymentsRepository.findOrder(ctx.db, bill.order_id);
    if (order && isOpen(order.status)) throw fail('SCHOOL_BILL_ORDER_OPEN', { billId, orderId: order.id, orderNo: order.order_no });
  }
  const card = await campusCardOf(ctx, caller.subjectId);
  const locked = await cardsRepository.lockCard(ctx.db, card.id);
  if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_IN_USE');
  const actor = { role: caller.role, id: caller.subjectId };
  const purse = await findAccountByCode(ctx.db, accountCodes.purse(card.id));
  const income = await tuitionAccount(ctx.db, ctx.clock, bill.school_id, actor);
  const title = billTitle({ kind: bill.kind, academicYear: bill.academic_year, course: bill.course });
  const txn = await postTransaction(ctx.db, ctx.clock, {
    idempotencyKey: `school-bill:${bill.id}`,
    type: 'fee',
    postings: [{ accountId: purse.id, debitFen: bill.amount_fen }, { accountId: income.id, creditFen: bill.amount_fen }],
    memo: title,
    metadata: { billId: bill.id, cardId: card.id },
    actor,
  });
  const now = ctx.clock.now();
  const paid = { ...bill, status, paid_via: 'campus_card' as const, ledger_transaction_id: txn.id, paid_at: now, updated_at: now };
  await repo.updateBill(ctx.db, bill.id, { status, paid_via: 'campus_card', ledger_transaction_id: txn.id, paid_at: now, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'campus.bill.paid', entityType: 'school_bill', entityId: bill.id, before: { status: bill.status }, after: { status, paidVia: 'campus_card', cardId: card.id, amountFen: bill.amount_fen, ledgerTransactionId: txn.id }, requestId });
  return { bill: billView({ ...paid, school_name: await paymentsRepository.schoolName(ctx.db, bill.school_id) }, ctx.clock), balanceAfterFen: (await balanceOf(ctx.db, purse.id)).availableFen };
}

/**
 * When a `school_bill` order is paid (inside the settlement transaction, under the order's lock)
 * its bill is paid. The guards above keep a bill from being paid twice; were it paid or cancelled
 * all the same, the money stays in the university's account and the audit log says so, for the
 * finance office to refund.
 */
async function onBillOrderPaid(tx: Tx, clock: Clock, order: OrderRow, actor: AuditActor): Promise<void> {
  if (order.kind !== 'school_bill') return;
  const bill = await repo.lockBillByOrder(tx, order.id);
  if (!bill) return;
  if (bill.status !== 'unpaid') {
    await recordAudit(tx, clock, { actor, action: 'campus.bill.paid_again', entityType: 'school_bill', entityId: bill.id, before: { status: bill.status }, after: { orderId: order.id, orderNo: order.order_no, amountFen: order.amount_fen }, requestId: null });
    return;
  }
  const paidAt = order.paid_at ?? clock.now();
  await repo.updateBill(tx, bill.id, { status: 'paid', paid_via: 'order', paid_at: paidAt, updated_at: clock.now() });
  await recordAudit(tx, clock, { actor, action: 'campus.bill.paid', entityType: 'school_bill', entityId: bill.id, before: { status: bill.status }, after: { status: 'paid', paidVia: 'order', orderId: order.id, orderNo: order.order_no, gateway: order.gateway, amountFen: order.amount_fen }, requestId: null });
}

onOrderFulfilled(onBillOrderPaid);

type ConsoleBillRow = Awaited<ReturnType<typeof repo.billsOfSchool>>['rows'][number];

const consoleBillView = (row: ConsoleBillRow, clock: Clock) => ({ ...billView(row, clock), studentNameMasked: maskName(row.student_name), studentNo: row.student_no });

/** The console's list: a card manager's own university, an operator's choice (or all), with totals per status. */
export async function schoolBills(ctx: AppContext, caller: Caller, filter: ConsoleBillFilter, page: PageQuery) {
  const { rows, total, totals } = await repo.billsOfSchool(ctx.db, { ...filter, schoolId: consoleListScope(caller, filter.schoolId) }, page.pageSize, offsetOf(page));
  const sums = Object.fromEntries(totals.map((t) => [t.status, { count: Number(t.n), amountFen: Number(t.fen) }])) as Partial<Record<SchoolBillStatus, { count: number; amountFen: number }>>;
  const none = { count: 0, amountFen: 0 };
  return {
    items: rows.map((row) => consoleBillView(row, ctx.clock)), total, page: page.page, pageSize: page.pageSize,
    totals: { unpaid: sums.unpaid ?? none, paid: sums.paid ?? none, cancelled: sums.cancelled ?? none },
  };
}

/** 撤销 an unpaid bill (a wrong amount, a student who left), with the reason the student sees; never one an order waits on. */
export async function cancelBill(ctx: AppContext, caller: Caller, billId: string, reason: string, requestId: string) {
  const bill = await repo.lockBill(ctx.db, billId);
  if (!bill) throw fail('NOT_FOUND', { entity: 'school_bill', billId });
  assertSchoolAccess(caller, bill.school_id);
  const status = nextBillStatus(bill.status, 'cancel');
  if (bill.order_id) {
    const order = await paymentsRepository.findOrder(ctx.db, bill.order_id);
    if (order && isOpen(order.status)) throw fail('SCHOOL_BILL_ORDER_OPEN', { billId, orderId: order.id, orderNo: order.order_no });
  }
  const now = ctx.clock.now();
  await repo.updateBill(ctx.db, billId, { status, cancel_reason: reason, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.bill.cancelled', entityType: 'school_bill', entityId: billId, before: { status: bill.status }, after: { status, reason }, requestId });
  const { rows } = await repo.billsOfSchool(ctx.db, { schoolId: bill.school_id, status: undefined, kind: undefined, studentNo: undefined, billId }, 1, 0);
  return consoleBillView(rows[0]!, ctx.clock);
}

