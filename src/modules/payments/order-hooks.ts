import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import type { OrderRow } from './payments.repository.js';

/**
 * What other modules do when an order is paid (a replacement application moves on to
 * production once its fee order is paid). Hooks run inside the settlement's transaction, under
 * the order's row lock, so the payment and its consequence commit together or not at all.
 */
export type OrderFulfilledHook = (tx: Tx, clock: Clock, order: OrderRow, actor: AuditActor) => Promise<void>;

const hooks: OrderFulfilledHook[] = [];

export function onOrderFulfilled(hook: OrderFulfilledHook): void {
  hooks.push(hook);
}

export async function runOrderFulfilledHooks(tx: Tx, clock: Clock, order: OrderRow, actor: AuditActor): Promise<void> {
  for (const hook of hooks) await hook(tx, clock, order, actor);
}
