import { accessibleStudentIds, assertStudentAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './payments.errors.js';
import { orderView, type OrderView } from './order-view.js';
import { paymentsRepository as repo, type OrderGroup, type OrderWithStudent } from './payments.repository.js';
import type { OrderStatus } from './payments.tables.js';

/** The order, if the caller may see it: the student, a bound parent, the school's manager, operators. */
export async function accessibleOrder(db: DbOrTx, caller: Caller, orderId: string): Promise<OrderWithStudent> {
  const order = await repo.findOrder(db, orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId });
  await assertStudentAccess(db, caller, order.student_id);
  return order;
}

export async function getOrder(ctx: AppContext, caller: Caller, orderId: string): Promise<OrderView> {
  return orderView(await accessibleOrder(ctx.db, caller, orderId), ctx.clock);
}

export interface OrderListQuery {
  studentId?: string | undefined;
  status?: OrderStatus | undefined;
  /** The app's tabs, in one query: pending (open, in time), paid, closed (incl. open past the time limit). */
  group?: OrderGroup | undefined;
  page: number;
  pageSize: number;
}

/** "My orders": a student's own, a parent's bound children's, pending ones first. */
export async function listOrders(ctx: AppContext, caller: Caller, query: OrderListQuery) {
  let studentIds = await accessibleStudentIds(ctx.db, caller);
  if (query.studentId) {
    await assertStudentAccess(ctx.db, caller, query.studentId);
    studentIds = [query.studentId];
  }
  const { items, total } = await repo.listOrders(ctx.db, { studentIds, status: query.status, group: query.group && { name: query.group, now: ctx.clock.now() } }, { offset: (query.page - 1) * query.pageSize, limit: query.pageSize });
  return { items: items.map((row) => orderView(row, ctx.clock)), total, page: query.page, pageSize: query.pageSize };
}
