import type { AppContext } from '../../platform/context.js';
import { syncHomeDeliveries } from './deliveries.js';
import type { ApplicationStep } from './fulfilment.schemas.js';
import { notifyJobKind, sendStepNotification } from './notifications.js';
import { transferJobKind, transferOldBalance } from './pickup.js';
import './fee-order.js';

/** Fulfilment's background work: step notifications, courier tracking, balance moves after the settlement window. */
export function registerFulfilmentJobs(ctx: AppContext): void {
  ctx.jobs.register(notifyJobKind, async (job) => {
    await sendStepNotification(ctx, job.payload as { applicationId: string; step: ApplicationStep });
  });
  ctx.jobs.register(transferJobKind, async (job) => {
    await transferOldBalance(ctx, (job.payload as { applicationId: string }).applicationId);
  });
  ctx.jobs.registerRecurring('fulfilment.track-deliveries', 10 * 60_000, async () => {
    await syncHomeDeliveries(ctx);
  });
}
