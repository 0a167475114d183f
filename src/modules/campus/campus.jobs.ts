import type { AppContext } from '../../platform/context.js';
import { deliverToMeter, meterDeliveryJob } from './dorm-electricity.js';
import { billTextsJob, resumeBillTextsJob, resumeStalledBillTexts, textIssuedBills } from './school-bill-texts.js';

/** Campus background work: electricity purchases go to their rooms' meters; families are texted about issued bills (a text job that gave up is taken up again). */
export function registerCampusJobs(ctx: AppContext): void {
  ctx.jobs.register(meterDeliveryJob, async (job) => {
    await deliverToMeter(ctx, (job.payload as { purchaseId: string }).purchaseId, { lastAttempt: job.attempts >= job.max_attempts });
  });
  ctx.jobs.register(billTextsJob, async (job) => {
    await textIssuedBills(ctx, (job.payload as { issueId: string }).issueId);
  });
  ctx.jobs.registerRecurring(resumeBillTextsJob, 10 * 60_000, async () => {
    await resumeStalledBillTexts(ctx);
  });
}
