import type { AppContext } from '../../platform/context.js';
import { deliverToMeter, meterDeliveryJob } from './dorm-electricity.js';

/** Campus background work: electricity purchases go to their rooms' meters. */
export function registerCampusJobs(ctx: AppContext): void {
  ctx.jobs.register(meterDeliveryJob, async (job) => {
    await deliverToMeter(ctx, (job.payload as { purchaseId: string }).purchaseId, { lastAttempt: job.attempts >= job.max_attempts });
  });
}
