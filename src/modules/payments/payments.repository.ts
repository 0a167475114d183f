import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { plainArrayLiteral } from '../../platform/db/array-literal.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { autoTopUpCreator } from './order-rules.js';
import type {
  BalanceRefundsTable, GatewayName, GatewayNotificationsTable, OrderKind, OrderStatus, PaymentAttemptsTable, PaymentInvoicesTable, PaymentOrdersTable, PaymentRedInvoicesTable, PaymentRefundsTable,
} from './payments.tables.js';

export type OrderRow = Selectable<PaymentOrdersTable>;
export type AttemptRow = Selectable<PaymentAttemptsTable>;
export type RefundRow = Selectable<PaymentRefundsTable>;
export type BalanceRefundRow = Selectable<BalanceRefundsTable>;
export type InvoiceRow = Selectable<PaymentInvoicesTable>;
export type RedInvoiceRow = Selectable<PaymentRedInvoicesTable>;
export type OrderWithStudent = OrderRow & {
  student_name: string; late_refund_fen: number; application_status: string | null;
  /** Selected for the app's orders (findOrder, listOrders); absent elsewhere. */
  holder_school_name?: string | null; holder_grade?: number | null; holder_class_no?: string | null; order_card_no?: string | null;
};

/**
 * Payments the order could not take (paid after it closed, paid twice, or for a card that no
 * longer takes top-ups), being sent back or sent back through the gateway: the order page says
 * so. One the gateway refused (failed, waiting for an operator) is not counted.
 */
/** The card application a fee order pays for, by its status (项目状态 on the fee sheet); null for other orders. */
const applicationStatus = sql<string | null>`(select a.status from card_applications a where a.fee_order_id = o.id order by a.created_at desc limit 1)`.as('application_status');
/** Who and what an order is for, as the app tells siblings apart: the student's school and class, the card's number (masked in the view). */
const orderHolder = [
  sql<string | null>`(select sc.name from schools sc where sc.id = s.school_id)`.as('holder_school_name'),
  sql<number | null>`(select c.grade from classes c where c.id = s.class_id)`.as('holder_grade'),
  sql<string | null>`(select c.class_no from classes c where c.id = s.class_id)`.as('holder_class_no'),
  sql<string | null>`(select cd.card_no from cards cd where cd.id = o.card_id)`.as('order_card_no'),
];
const lateRefundFen = sql<number>`(select coalesce(sum(f.amount_fen), 0)::int8 from payment_refunds f where f.order_id = o.id and f.reason in ('late_payment', 'duplicate_payment') and f.status not in ('failed', 'superseded'))`.as('late_refund_fen');

/**
 * The numbers that can be ours (order numbers, refund numbers: letters, digits, '-', '_'; never NULL), for
 * lookups by a bill's lines: anything else in a bill names nothing of ours, and could not go into
 * an array literal unquoted.
 */
const ourNumbers = (values: readonly string[]) => [...new Set(values)].filter((v) => /^[0-9A-Za-z_-]+$/.test(v) && !/^null$/i.test(v));

/** Orders that still wait for money: listed first, and the expiry job's work. */
const openStatuses: readonly OrderStatus[] = ['created', 'paying'];

/** The app's order tabs (see `orderGroupSchema`): an open order past its time limit counts as closed. */
export type OrderGroup = 'pending' | 'paid' | 'closed';

/** The only place with SQL for payments (the sandbox gateway has its own repository). */
export const paymentsRepository = {
  /** The school a student belongs to: its name (a network top-up's payee) and stage. */
  schoolName(db: DbOrTx, schoolId: string): Promise<string> {
    return db.selectFrom('schools').select('name').where('id', '=', schoolId).executeTakeFirstOrThrow().then((s) => s.name);
  },

  schoolOfStudent(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').innerJoin('schools', 'schools.id', 'students.school_id').select(['schools.name', 'schools.stage']).where('students.id', '=', studentId).executeTakeFirstOrThrow();
  },

  // ---- settings (sandbox keys, sandbox retry compression) -----------------------------------
  async getSetting<T>(db: DbOrTx, key: string): Promise<T | undefined> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value as T | undefined;
  },

  async insertSettingIfAbsent(db: DbOrTx, key: string, value: unknown, at: Date): Promise<void> {
    await db.insertInto('settings').values({ key, value: JSON.stringify(value), updated_at: at, updated_by: null }).onConflict((oc) => oc.column('key').doNothing()).execute();
  },

  async replaceSetting(db: DbOrTx, key: string, value: unknown, at: Date, by: string | null = null): Promise<void> {
    await db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at, updated_by: by }))
      .execute();
  },

  // ---- students --------------------------------------------------------------------------
  findStudent(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').select(['id', 'name', 'status']).where('id', '=', studentId).executeTakeFirst();
  },

  // ---- orders ----------------------------------------------------------------------------
  async insertOrder(db: DbOrTx, order: Insertable<PaymentOrdersTable>): Promise<void> {
    await db.insertInto('payment_orders').values(order).execute();
  },

  findOrder(db: DbOrTx, id: string): Promise<OrderWithStudent | undefined> {
    return db
      .selectFrom('payment_orders as o')
      .innerJoin('students as s', 's.id', 'o.student_id')
      .selectAll('o')
      .select(['s.name as student_name', lateRefundFen, applicationStatus, ...orderHolder])
      .where('o.id', '=', id)
      .executeTakeFirst();
  },

  lockOrder(db: DbOrTx, id: string): Promise<OrderRow | undefined> {
    return db.selectFrom('payment_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  lockOrderByNo(db: DbOrTx, orderNo: string): Promise<OrderRow | undefined> {
    return db.selectFrom('payment_orders').selectAll().where('order_no', '=', orderNo).forUpdate().executeTakeFirst();
  },

  async updateOrder(db: DbOrTx, id: string, change: Updateable<PaymentOrdersTable>): Promise<void> {
    await db.updateTable('payment_orders').set(change).where('id', '=', id).execute();
  },

  /** Pending orders first (they need an action), then newest first. `studentIds` null = everyone's. */
  async listOrders(db: DbOrTx, filter: { studentIds: string[] | null; status?: OrderStatus | undefined; group?: { name: OrderGroup; now: Date } | undefined }, page: { offset: number; limit: number }) {
    let query = db.selectFrom('payment_orders as o').innerJoin('students as s', 's.id', 'o.student_id');
    if (filter.studentIds) query = filter.studentIds.length === 0 ? query.where(sql<boolean>`false`) : query.where('o.student_id', 'in', filter.studentIds);
    if (filter.status) query = query.where('o.status', '=', filter.status);
    const group = filter.group;
    // An auto top-up's open order waits for Alipay, not for the family (order-rules.ts): it is not
    // theirs to pay (待支付, and the home page's to-do count), and it is 扣款中, never closed, until
    // Alipay answers, however long past its time limit. 全部 shows it.
    const byHand = sql<boolean>`o.created_by_role <> ${autoTopUpCreator}`;
    if (group?.name === 'pending') query = query.where('o.status', 'in', openStatuses).where('o.expires_at', '>', group.now).where(byHand);
    if (group?.name === 'paid') query = query.where('o.status', 'in', ['paid', 'fulfilled']);
    if (group?.name === 'closed') {
      query = query.where((eb) => eb.or([
        eb('o.status', 'in', ['cancelled', 'expired', 'refunded']),
        eb.and([eb('o.status', 'in', openStatuses), eb('o.expires_at', '<=', group.now), byHand]),
      ]));
    }
    const [items, total] = await Promise.all([
      query
        .selectAll('o')
        .select(['s.name as student_name', lateRefundFen, applicationStatus, ...orderHolder])
        .orderBy(sql`case when o.status in ('created', 'paying') then 0 else 1 end`)
        .orderBy('o.created_at', 'desc')
        .orderBy('o.id', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items as OrderWithStudent[], total: Number(total.n) };
  },

  dueOrders(db: DbOrTx, now: Date, limit: number): Promise<OrderRow[]> {
    return db.selectFrom('payment_orders').selectAll().where('status', 'in', openStatuses).where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute();
  },

  /** Fulfilled top-ups that still have money to give back through their gateway, newest first, locked. */
  refundableTopUps(db: DbOrTx, cardId: string): Promise<OrderRow[]> {
    return db
      .selectFrom('payment_orders')
      .selectAll()
      .where('card_id', '=', cardId)
      .where('kind', '=', 'top_up')
      .where('status', '=', 'fulfilled')
      .where(sql<boolean>`refunded_fen < amount_fen`)
      .orderBy('paid_at', 'desc')
      .orderBy('id', 'desc')
      .forUpdate()
      .execute();
  },

  // ---- attempts --------------------------------------------------------------------------
  async insertAttempt(db: DbOrTx, attempt: Insertable<PaymentAttemptsTable>): Promise<void> {
    await db.insertInto('payment_attempts').values(attempt).execute();
  },

  /** The latest attempt at each gateway: where to query or refund the order's trades. */
  latestAttempts(db: DbOrTx, orderId: string): Promise<AttemptRow[]> {
    return db
      .selectFrom('payment_attempts')
      .selectAll()
      .distinctOn('gateway')
      .where('order_id', '=', orderId)
      .orderBy('gateway')
      .orderBy('created_at', 'desc')
      .execute();
  },

  latestAttempt(db: DbOrTx, orderId: string, gateway: GatewayName): Promise<AttemptRow | undefined> {
    return db.selectFrom('payment_attempts').selectAll().where('order_id', '=', orderId).where('gateway', '=', gateway).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  },

  // ---- notifications ---------------------------------------------------------------------
  /**
   * Records a notification as being processed, unless one with the same id was processed
   * already; on PostgreSQL a concurrent copy waits here until the first commits or rolls back.
   */
  async claimNotification(db: DbOrTx, row: Insertable<GatewayNotificationsTable>): Promise<boolean> {
    const inserted = await db
      .insertInto('gateway_notifications')
      .values({ ...row, outcome: 'processed' })
      .onConflict((oc) => oc.columns(['gateway', 'notify_id']).where('outcome', '=', 'processed').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async insertNotification(db: DbOrTx, row: Insertable<GatewayNotificationsTable>): Promise<void> {
    await db.insertInto('gateway_notifications').values(row).execute();
  },

  async setNotificationOutcome(db: DbOrTx, id: string, outcome: 'ignored'): Promise<void> {
    await db.updateTable('gateway_notifications').set({ outcome }).where('id', '=', id).execute();
  },

  // ---- gateway refunds -------------------------------------------------------------------
  async insertRefund(db: DbOrTx, refund: Insertable<PaymentRefundsTable>): Promise<void> {
    await db.insertInto('payment_refunds').values(refund).execute();
  },

  findRefund(db: DbOrTx, id: string): Promise<RefundRow | undefined> {
    return db.selectFrom('payment_refunds').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The refund a gateway's notification names: out_request_no (out_refund_no) is unique per refund. */
  findRefundByRequestNo(db: DbOrTx, gateway: GatewayName, outRequestNo: string): Promise<RefundRow | undefined> {
    return db.selectFrom('payment_refunds').selectAll().where('gateway', '=', gateway).where('out_request_no', '=', outRequestNo).executeTakeFirst();
  },

  lockRefund(db: DbOrTx, id: string): Promise<RefundRow | undefined> {
    return db.selectFrom('payment_refunds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  async updateRefund(db: DbOrTx, id: string, change: Updateable<PaymentRefundsTable>): Promise<void> {
    await db.updateTable('payment_refunds').set(change).where('id', '=', id).execute();
  },

  async recordRefundTry(db: DbOrTx, id: string, error: string | null, at: Date): Promise<void> {
    await db.updateTable('payment_refunds').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, updated_at: at })).where('id', '=', id).execute();
  },

  refundsOfOrder(db: DbOrTx, orderId: string): Promise<RefundRow[]> {
    return db.selectFrom('payment_refunds').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
  },

  /** Refunds still waiting for the gateway, last tried before `triedBefore`. */
  async staleRefundIds(db: DbOrTx, triedBefore: Date, limit: number): Promise<string[]> {
    // A refund whose reported success contradicts its route waits for an operator, not the job.
    const rows = await db.selectFrom('payment_refunds').select('id').where('status', '=', 'requested').where('route_conflict', 'is', null).where('updated_at', '<', triedBefore).orderBy('updated_at').limit(limit).execute();
    return rows.map((r) => r.id);
  },

  async openRefundIdsOfOrder(db: DbOrTx, orderId: string): Promise<string[]> {
    const rows = await db.selectFrom('payment_refunds').select('id').where('order_id', '=', orderId).where('status', '=', 'requested').execute();
    return rows.map((r) => r.id);
  },

  refundsOfBalanceRefund(db: DbOrTx, balanceRefundId: string): Promise<RefundRow[]> {
    return db.selectFrom('payment_refunds').selectAll().where('balance_refund_id', '=', balanceRefundId).orderBy('created_at').orderBy('id').execute();
  },

  /** Shares of a balance refund not yet back with the payer: still requested, or failed at the gateway. */
  async openRefundsOfBalanceRefund(db: DbOrTx, balanceRefundId: string): Promise<number> {
    const row = await db.selectFrom('payment_refunds').select((eb) => eb.fn.countAll<number>().as('n')).where('balance_refund_id', '=', balanceRefundId).where('status', 'not in', ['succeeded', 'superseded']).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  // ---- balance refunds -------------------------------------------------------------------
  async insertBalanceRefund(db: DbOrTx, row: Insertable<BalanceRefundsTable>): Promise<void> {
    await db.insertInto('balance_refunds').values(row).execute();
  },

  balanceRefundsOfPurse(db: DbOrTx, purseCode: string): Promise<BalanceRefundRow[]> {
    return db.selectFrom('balance_refunds').selectAll().where('purse_code', '=', purseCode).orderBy('created_at', 'desc').orderBy('id').execute();
  },

  findBalanceRefund(db: DbOrTx, id: string): Promise<BalanceRefundRow | undefined> {
    return db.selectFrom('balance_refunds').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockBalanceRefund(db: DbOrTx, id: string): Promise<BalanceRefundRow | undefined> {
    return db.selectFrom('balance_refunds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  async updateBalanceRefund(db: DbOrTx, id: string, change: Updateable<BalanceRefundsTable>): Promise<void> {
    await db.updateTable('balance_refunds').set(change).where('id', '=', id).execute();
  },

  // ---- e-invoices ------------------------------------------------------------------------
  findInvoiceOfOrder(db: DbOrTx, orderId: string): Promise<InvoiceRow | undefined> {
    return db.selectFrom('payment_invoices').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  },

  /** Inserts unless the order has its invoice already (a concurrent request); true when inserted. */
  async insertInvoiceIfAbsent(db: DbOrTx, row: Insertable<PaymentInvoicesTable>): Promise<boolean> {
    const inserted = await db.insertInto('payment_invoices').values(row).onConflict((oc) => oc.column('order_id').doNothing()).returning('id').executeTakeFirst();
    return inserted !== undefined;
  },

  insertRedInvoice(db: DbOrTx, row: Insertable<PaymentRedInvoicesTable>) {
    return db.insertInto('payment_red_invoices').values(row).execute();
  },

  redInvoicesOf(db: DbOrTx, invoiceId: string): Promise<RedInvoiceRow[]> {
    return db.selectFrom('payment_red_invoices').selectAll().where('invoice_id', '=', invoiceId).orderBy('issued_at').orderBy('invoice_no').execute();
  },

  // ---- reconciliation --------------------------------------------------------------------
  /** Orders sent to a gateway within [from, to): the ones whose trades the day's reconciliation asks about. */
  ordersAttemptedBetween(db: DbOrTx, from: Date, to: Date): Promise<OrderRow[]> {
    return db
      .selectFrom('payment_orders')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('payment_attempts').select('order_id').where('created_at', '>=', from).where('created_at', '<', to))
      .orderBy('id')
      .execute();
  },

  /** The amount the ledger booked under a key (its debits), if anything (read only: the ledger owns it). */
  async ledgerAmountByKey(db: DbOrTx, idempotencyKey: string): Promise<number | undefined> {
    const row = await db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_postings as p', 'p.transaction_id', 't.id')
      .select((eb) => eb.fn.sum<number>('p.debit_fen').as('debits'))
      .where('t.idempotency_key', '=', idempotencyKey)
      .groupBy('t.id')
      .executeTakeFirst();
    return row ? Number(row.debits) : undefined;
  },

  openRefundsCreatedBefore(db: DbOrTx, before: Date): Promise<RefundRow[]> {
    return db.selectFrom('payment_refunds').selectAll().where('status', '=', 'requested').where('created_at', '<', before).orderBy('created_at').execute();
  },

  /**
   * The day's rejected notifications. `order_no` holds what the notification named: an order's
   * number, or an agreement notification's 商户签约号 (`names_order` tells which).
   */
  rejectedNotificationsBetween(db: DbOrTx, from: Date, to: Date) {
    return db.selectFrom('gateway_notifications as n').select(['n.id', 'n.gateway', 'n.error_code', 'n.order_no', 'n.received_at'])
      .select((eb) => eb.exists(eb.selectFrom('payment_orders as o').select('o.id').whereRef('o.order_no', '=', 'n.order_no')).as('names_order'))
      .where('n.outcome', '=', 'rejected').where('n.received_at', '>=', from).where('n.received_at', '<', to).orderBy('n.received_at').execute();
  },

  // ---- reconciliation against the gateways' bill files ----------------------------------
  /** The API endpoint of the gateway's latest payment attempt: where its bills are asked for. */
  async latestGatewayEndpoint(db: DbOrTx, gateway: GatewayName): Promise<string | undefined> {
    const row = await db.selectFrom('payment_attempts').select('gateway_base_url').where('gateway', '=', gateway).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row?.gateway_base_url;
  },

  /** Our orders of those numbers (a bill's every line: one array parameter, however many). */
  ordersByNo(db: DbOrTx, orderNos: readonly string[]): Promise<OrderRow[]> {
    const nos = ourNumbers(orderNos);
    return nos.length === 0 ? Promise.resolve([]) : db.selectFrom('payment_orders').selectAll().where('order_no', '=', sql<string>`any(${plainArrayLiteral(nos)}::text[])`).execute();
  },

  /** Whether the order was ever sent to `gateway` (an attempt there). */
  async attemptedAt(db: DbOrTx, orderId: string, gateway: GatewayName): Promise<boolean> {
    return (await db.selectFrom('payment_attempts').select('id').where('order_id', '=', orderId).where('gateway', '=', gateway).limit(1).executeTakeFirst()) !== undefined;
  },

  /** Orders credited to a payment at `gateway` that was made within [from, to). */
  ordersPaidAtGatewayBetween(db: DbOrTx, gateway: GatewayName, from: Date, to: Date): Promise<OrderRow[]> {
    return db.selectFrom('payment_orders').selectAll().where('gateway', '=', gateway).where('gateway_trade_no', 'is not', null)
      .where('paid_at', '>=', from).where('paid_at', '<', to).orderBy('paid_at').execute();
  },

  refundsByOutRequestNo(db: DbOrTx, gateway: GatewayName, outRequestNos: readonly string[]): Promise<RefundRow[]> {
    const nos = ourNumbers(outRequestNos);
    return nos.length === 0 ? Promise.resolve([]) : db.selectFrom('payment_refunds').selectAll().where('gateway', '=', gateway).where('out_request_no', '=', sql<string>`any(${plainArrayLiteral(nos)}::text[])`).execute();
  },

  /**
   * Refunds the gateway confirmed that it took within [from, to) (by its own time, gateway_billed_at;
   * refunds from before that was kept, by when they were asked for): each must be on that day's bill.
   */
  succeededRefundsBilledBetween(db: DbOrTx, gateway: GatewayName, from: Date, to: Date) {
    const billedAt = sql<Date>`coalesce(r.gateway_billed_at, r.created_at)`;
    return db.selectFrom('payment_refunds as r').innerJoin('payment_orders as o', 'o.id', 'r.order_id').select(['r.id', 'r.out_request_no', 'r.amount_fen', 'o.order_no'])
      .where('r.gateway', '=', gateway).where('r.status', 'in', ['succeeded', 'offline_due']).where(billedAt, '>=', from).where(billedAt, '<', to).orderBy('r.created_at').execute();
  },

  /** The gateway's time for a refund it answered (kept once: a later answer repeats it). */
  async recordRefundBilledAt(db: DbOrTx, id: string, at: Date): Promise<void> {
    await db.updateTable('payment_refunds').set({ gateway_billed_at: at }).where('id', '=', id).where('gateway_billed_at', 'is', null).execute();
  },

  async saveReconciliation(db: DbOrTx, date: string, ranAt: Date, report: unknown): Promise<void> {
    await db
      .insertInto('payment_reconciliations')
      .values({ date, ran_at: ranAt, report: JSON.stringify(report) })
      .onConflict((oc) => oc.column('date').doUpdateSet({ ran_at: ranAt, report: JSON.stringify(report) }))
      .execute();
  },

  findReconciliation(db: DbOrTx, date: string) {
    return db.selectFrom('payment_reconciliations').selectAll().where('date', '=', date).executeTakeFirst();
  },
};

// ---- admin console: order search, order detail, balance refunds (helper B) -------------------

/** Who a console search is about: an order number prefix, an education ID prefix, or part of a name. */
export type StudentOrOrderTerm = { orderNoPrefix: string } | { educationIdPrefix: string } | { nameContains: string };

export interface AdminOrderFilter {
  schoolId?: string | undefined;
  term?: StudentOrOrderTerm | undefined;
  status?: OrderStatus | undefined;
  kind?: OrderKind | undefined;
  gateway?: GatewayName | undefined;
  /** [createdFrom, createdTo) instants. */
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
}

export type AdminOrderRowData = OrderWithStudent & { education_id: string; school_id: string; school_name: string };

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** The only SQL of the console's money screens (read only; every write goes through the use cases above). */
export const adminPaymentsRepository = {
  async searchOrders(db: DbOrTx, filter: AdminOrderFilter, page: { offset: number; limit: number }) {
    let query = db
      .selectFrom('payment_orders as o')
      .innerJoin('students as s', 's.id', 'o.student_id')
      .innerJoin('schools as sc', 'sc.id', 's.school_id');
    if (filter.schoolId) query = query.where('s.school_id', '=', filter.schoolId);
    const term = filter.term;
    if (term && 'orderNoPrefix' in term) query = query.where('o.order_no', 'like', `${likeEscaped(term.orderNoPrefix)}%`);
    if (term && 'educationIdPrefix' in term) query = query.where('s.education_id', 'like', `${likeEscaped(term.educationIdPrefix)}%`);
    if (term && 'nameContains' in term) query = query.where('s.name', 'like', `%${likeEscaped(term.nameContains)}%`);
    if (filter.status) query = query.where('o.status', '=', filter.status);
    if (filter.kind) query = query.where('o.kind', '=', filter.kind);
    if (filter.gateway) query = query.where('o.gateway', '=', filter.gateway);
    if (filter.createdFrom) query = query.where('o.created_at', '>=', filter.createdFrom);
    if (filter.createdTo) query = query.where('o.created_at', '<', filter.createdTo);
    const [items, total] = await Promise.all([
      query
        .selectAll('o')
        .select(['s.name as student_name', 's.education_id', 's.school_id', 'sc.name as school_name', lateRefundFen, applicationStatus])
        .orderBy('o.created_at', 'desc')
        .orderBy('o.id', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items as AdminOrderRowData[], total: Number(total.n) };
  },

  async findOrder(db: DbOrTx, orderId: string): Promise<AdminOrderRowData | undefined> {
    const row = await db
      .selectFrom('payment_orders as o')
      .innerJoin('students as s', 's.id', 'o.student_id')
      .innerJoin('schools as sc', 'sc.id', 's.school_id')
      .selectAll('o')
      .select(['s.name as student_name', 's.education_id', 's.school_id', 'sc.name as school_name', lateRefundFen, applicationStatus])
      .where('o.id', '=', orderId)
      .executeTakeFirst();
    return row as AdminOrderRowData | undefined;
  },

  attemptsOfOrder(db: DbOrTx, orderId: string) {
    return db.selectFrom('payment_attempts').select(['id', 'gateway', 'created_at']).where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
  },

  /** Every notification that named the order (raw headers and bodies stay in the database). */
  notificationsOfOrder(db: DbOrTx, orderNo: string) {
    return db
      .selectFrom('gateway_notifications')
      .select(['id', 'gateway', 'notify_id', 'verified', 'outcome', 'error_code', 'trade_no', 'amount_fen', 'received_at'])
      .where('order_no', '=', orderNo)
      .orderBy('received_at')
      .orderBy('id')
      .execute();
  },

  /**
   * Ledger transactions by their idempotency keys (unique, so indexed), oldest first, with their
   * postings. Payments derive every key from gateway facts or refund ids, so an order's keys are known.
   */
  async ledgerByKeys(db: DbOrTx, keys: readonly string[]) {
    if (keys.length === 0) return [];
    const transactions = await db
      .selectFrom('ledger_transactions')
      .select(['id', 'type', 'memo', 'created_at'])
      .where('idempotency_key', 'in', [...new Set(keys)])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    if (transactions.length === 0) return [];
    const postings = await db
      .selectFrom('ledger_postings as p')
      .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
      .select(['p.transaction_id', 'a.code', 'p.debit_fen', 'p.credit_fen'])
      .where('p.transaction_id', 'in', transactions.map((t) => t.id))
      .orderBy('p.transaction_id')
      .orderBy('p.id')
      .execute();
    return transactions.map((t) => ({ ...t, postings: postings.filter((p) => p.transaction_id === t.id) }));
  },

  async searchBalanceRefunds(
    db: DbOrTx,
    filter: { schoolId?: string | undefined; term?: StudentOrOrderTerm | undefined; status?: BalanceRefundRow['status'] | undefined; route?: BalanceRefundRow['route'] | undefined },
    page: { offset: number; limit: number },
  ) {
    let query = db
      .selectFrom('balance_refunds as b')
      .innerJoin('students as s', 's.id', 'b.student_id')
      .innerJoin('schools as sc', 'sc.id', 's.school_id');
    if (filter.schoolId) query = query.where('s.school_id', '=', filter.schoolId);
    const term = filter.term;
    if (term && 'educationIdPrefix' in term) query = query.where('s.education_id', 'like', `${likeEscaped(term.educationIdPrefix)}%`);
    if (term && 'nameContains' in term) query = query.where('s.name', 'like', `%${likeEscaped(term.nameContains)}%`);
    if (term && 'orderNoPrefix' in term) query = query.where(sql<boolean>`false`);
    if (filter.status) query = query.where('b.status', '=', filter.status);
    if (filter.route) query = query.where('b.route', '=', filter.route);
    const [items, total] = await Promise.all([
      query
        .selectAll('b')
        .select(['s.name as student_name', 's.education_id', 'sc.name as school_name'])
        .select((eb) => [
          // A CLOSED refund asked again (superseded) is replaced by its new one: counted once, as the new one.
          eb.selectFrom('payment_refunds as r').select((e) => e.fn.countAll<number>().as('n')).whereRef('r.balance_refund_id', '=', 'b.id').where('r.status', '<>', 'superseded').as('gateway_refunds'),
          eb.selectFrom('payment_refunds as r').select((e) => e.fn.countAll<number>().as('n')).whereRef('r.balance_refund_id', '=', 'b.id').where('r.status', '=', 'succeeded').as('gateway_refunds_succeeded'),
        ])
        // Work for the outlet first, then newest first.
        .orderBy(sql`case when b.status = 'awaiting_outlet' then 0 else 1 end`)
        .orderBy('b.created_at', 'desc')
        .orderBy('b.id', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  },

  findBalanceRefundHolder(db: DbOrTx, balanceRefundId: string) {
    return db
      .selectFrom('balance_refunds as b')
      .innerJoin('students as s', 's.id', 'b.student_id')
      .innerJoin('schools as sc', 'sc.id', 's.school_id')
      .leftJoin('staff_users as st', 'st.id', 'b.completed_by')
      .select(['s.name', 's.education_id', 's.id_number', 's.gender', 'sc.name as school_name', 'st.display_name as completed_by_name'])
      .where('b.id', '=', balanceRefundId)
      .executeTakeFirst();
  },

  /** A ledger transaction by its idempotency key, with what it moved (its debits). */
  async ledgerTransactionByKey(db: DbOrTx, idempotencyKey: string) {
    const row = await db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_postings as p', 'p.transaction_id', 't.id')
      .select(['t.id', 't.memo', 't.created_at'])
      .select((eb) => eb.fn.sum<number>('p.debit_fen').as('debits'))
      .where('t.idempotency_key', '=', idempotencyKey)
      .groupBy(['t.id', 't.memo', 't.created_at'])
      .executeTakeFirst();
    return row ? { id: row.id, memo: row.memo, createdAt: row.created_at, amountFen: Number(row.debits) } : undefined;
  },
};
