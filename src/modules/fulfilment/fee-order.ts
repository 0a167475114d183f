import { applicationAllows, nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import type { AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/database.js';
import { recordAudit } from '../../platform/audit.js';
import { fail } from '../../platform/errors.js';
import { createFeeOrder } from '../payments/create-order.js';
import { onOrderFulfilled } from '../payments/order-hooks.js';
import { expireOne } from '../payments/expire-orders.js';
import { isOpen } from '../payments/order-rules.js';
import type { OrderRow } from '../payments/payments.repository.js';
import { paymentsRepository } from '../payments/payments.repository.js';
import { accessibleApplication } from './apply-replacement.js';
import { applicationView } from './application-view.js';
import { replacementFeeCode } from './card-face.js';
import './fulfilment.errors.js';
import type { ApplicationDto } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';

/**
 * 补卡缴费: the ¥15 fee order (174011) for an application, made by payments inside the payment
 * window (outside it: PAYMENT_WINDOW_CLOSED with the next window). An order still waiting for
 * payment is handed back rather than doubled; an expired or cancelled one is replaced.
 */
export async function requestFeeOrder(ctx: AppContext, caller: Caller, applicationId: string, requestId: string): Promise<ApplicationDto> {
  const app = await accessibleApplication(ctx, caller, applicationId, true);
  // Only what can still be paid gets an order: a sticker has no fee, a paid or withdrawn application nothing to pay.
  nextApplicationStatus(app.kind, app.status, 'pay');
  if (app.fee_order_id) {
    const existing = await paymentsRepository.findOrder(ctx.db, app.fee_order_id);
    if (existing && isOpen(existing.status)) {
      if (existing.expires_at.getTime() > ctx.clock.now().getTime()) return applicationView(ctx.db, ctx.clock, app);
      // Its time is up but it is still open: it may have been paid at the gateway. Only once
      // settleTimedOutFeeOrder has settled it may a new order take its place.
      throw fail('FULFILMENT_FEE_ORDER_UNSETTLED', { orderId: existing.id });
    }
  }
  const order = await createFeeOrder(ctx, caller, { studentId: app.student_id, feeCode: replacementFeeCode }, requestId);
  const now = ctx.clock.now();
  await repo.updateApplication(ctx.db, app.id, { fee_order_id: order.id, updated_at: now });
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'fulfilment.application.fee_order', entityType: 'card_application', entityId: app.id, before: { feeOrderId: app.fee_order_id }, after: { feeOrderId: order.id, orderNo: order.orderNo }, requestId });
  return applicationView(ctx.db, ctx.clock, { ...app, fee_order_id: order.id, updated_at: now });
}

/**
 * Before a new fee order: an earlier one whose 30 minutes are up but which is still open is
 * settled first, as the expiry job would (it asks the gateway, so this runs outside the request's
 * transaction): paid late, it pays the application; otherwise it is closed. A gateway that cannot
 * be asked leaves it open, and the new order waits (FULFILMENT_FEE_ORDER_UNSETTLED): never two
 * paid fees for one card.
 */
export async function settleTimedOutFeeOrder(ctx: AppContext, caller: Caller, applicationId: string): Promise<'paid' | null> {
  const app = await accessibleApplication(ctx, caller, applicationId, true);
  if (!app.fee_order_id) return null;
  const order = await paymentsRepository.findOrder(ctx.db, app.fee_order_id);
  if (!order || !isOpen(order.status) || order.expires_at.getTime() > ctx.clock.now().getTime()) return null;
  const outcome = await expireOne(ctx, order);
  if (outcome === 'deferred') throw fail('FULFILMENT_FEE_ORDER_UNSETTLED', { orderId: order.id });
  return outcome === 'paid' ? 'paid' : null;
}

/**
 * When the fee order is paid (inside the settlement transaction, under the order's lock) the
 * application moves on to production: paid, with the payment time the ready date counts from.
 */
export async function onFeePaid(tx: Tx, clock: Clock, order: OrderRow, actor: AuditActor): Promise<void> {
  if (order.kind !== 'fee') return;
  const app = await repo.lockApplicationByFeeOrder(tx, order.id);
  if (!app || !applicationAllows(app.kind, app.status, 'pay')) return;
  const paidAt = order.paid_at ?? clock.now();
  await repo.updateApplication(tx, app.id, { status: nextApplicationStatus(app.kind, app.status, 'pay'), paid_at: paidAt, updated_at: clock.now() });
  await recordStep(tx, clock, app, 'paid', actor, null, null, { orderId: order.id, orderNo: order.order_no, amountFen: order.amount_fen });
}

onOrderFulfilled(onFeePaid);
