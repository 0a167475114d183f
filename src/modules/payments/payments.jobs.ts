import type { AppContext } from '../../platform/context.js';
import { closeTradesAtGateways, closeTradesJob } from './close-trades.js';
import { expireDueOrders } from './expire-orders.js';
import { runAutoTopUps } from './auto-top-up.js';
import { sendLowBalanceAlerts } from './balance-alerts.js';
import { retryStaleRefunds } from './gateway-refunds.js';
import { unsignAgreementAtGateway, unsignAgreementJob, type UnsignPayload } from './payment-agreements.js';
import { reconcileYesterday } from './reconcile.js';
import { deliverNotification, deliverNotificationJob } from './sandbox/sandbox-notifications.js';
import { makePapayCharge, papayChargeJob } from './sandbox/sandbox-papay.js';
import { completeSandboxRefund, completeSandboxRefundJob } from './sandbox/sandbox-trades.js';
import { sendSpendNotices } from './spend-notices.js';

/** The payments' background work: order expiry, auto top-ups, low-balance texts and spending notices to parents, closing the gateway trades of closed orders, refund retries, daily reconciliation, and the sandbox's notification deliveries, processing refunds and WeChat 委托代扣 charges. */
export function registerPaymentJobs(ctx: AppContext): void {
  ctx.jobs.registerRecurring('payments.expire-orders', 60_000, async () => {
    await expireDueOrders(ctx);
  });
  ctx.jobs.registerRecurring('payments.retry-refunds', 60_000, async () => {
    await retryStaleRefunds(ctx);
  });
  ctx.jobs.registerRecurring('payments.low-balance-alerts', 5 * 60_000, async () => {
    await sendLowBalanceAlerts(ctx);
  });
  ctx.jobs.registerRecurring('payments.auto-top-up', 60_000, async () => {
    await runAutoTopUps(ctx);
  });
  ctx.jobs.registerRecurring('payments.spend-notices', 60_000, async () => {
    await sendSpendNotices(ctx);
  });
  ctx.jobs.registerRecurring('payments.reconcile-yesterday', 3_600_000, async () => {
    await reconcileYesterday(ctx);
  });
  ctx.jobs.register(closeTradesJob, async (job) => {
    await closeTradesAtGateways(ctx, (job.payload as { orderId: string }).orderId);
  });
  ctx.jobs.register(unsignAgreementJob, async (job) => {
    await unsignAgreementAtGateway(ctx, job.payload as UnsignPayload);
  });
  ctx.jobs.register(deliverNotificationJob, async (job) => {
    await deliverNotification(ctx, (job.payload as { notificationId: string }).notificationId);
  });
  ctx.jobs.register(papayChargeJob, async (job) => {
    await makePapayCharge(ctx, job.payload as { paymentId: string; contractId: string });
  });
  ctx.jobs.register(completeSandboxRefundJob, async (job) => {
    await completeSandboxRefund(ctx, (job.payload as { refundId: string }).refundId);
  });
}
