import type { AppContext } from '../platform/context.js';
import { pruneDoneJobs } from '../platform/jobs.js';
import { expireHolds } from './ledger/ledger.js';
import { registerCampusJobs } from './campus/campus.jobs.js';
import { sendExpiryReminders } from './card-services/expiry-reminders.js';
import { registerFulfilmentJobs } from './fulfilment/fulfilment.jobs.js';
import { registerPaymentJobs } from './payments/payments.jobs.js';
import { registerTransitJobs } from './transit/transit.jobs.js';

/** Every module's background work, registered on the job runner at boot. */
export function registerJobs(ctx: AppContext): void {
  ctx.jobs.registerRecurring('jobs.prune-done', 3_600_000, async () => {
    await pruneDoneJobs(ctx.db, ctx.clock, 7 * 24 * 3_600_000);
  });
  ctx.jobs.registerRecurring('ledger.expire-holds', 60_000, async () => {
    await expireHolds(ctx.db, ctx.clock);
  });
  // 到期提醒: texts to parents whose children's cards are due for their extension.
  ctx.jobs.registerRecurring('card-services.expiry-reminders', 3_600_000, async () => {
    await sendExpiryReminders(ctx);
  });
  registerPaymentJobs(ctx);
  registerTransitJobs(ctx);
  registerFulfilmentJobs(ctx);
  registerCampusJobs(ctx);
}
