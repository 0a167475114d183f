import type { AppContext } from '../../platform/context.js';
import './action-list.js';
import { reconcileCards } from './reconcile-cards.js';

/**
 * Transit background work. Importing action-list.js registers the order-fulfilled hook that turns
 * paid top-ups into action-list entries. The hourly job logs how many cards need a look
 * (balance differences, counter gaps, silent cards), so an operator sees it without opening the console.
 */
export function registerTransitJobs(ctx: AppContext): void {
  ctx.jobs.registerRecurring('transit.reconciliation-summary', 3_600_000, async () => {
    const { items } = await reconcileCards(ctx, { staleDays: 7, limit: 5000 });
    if (items.length > 0) ctx.logger.warn({ exceptions: items.length }, 'transit reconciliation: cards need a look');
  });
}
