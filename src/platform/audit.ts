import type { Clock } from './clock.js';
import type { DbOrTx } from './db/database.js';
import { newId } from './ids.js';

export interface AuditActor {
  role: string;
  id: string | null;
}

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

/** Appends one row to the audit log; call it inside the transaction that makes the change. */
export async function recordAudit(db: DbOrTx, clock: Clock, entry: AuditEntry): Promise<void> {
  await recordAudits(db, clock, [entry]);
}

/** Appends several rows in one statement (one round trip), in the order given. */
export async function recordAudits(db: DbOrTx, clock: Clock, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const at = clock.now();
  await db
    .insertInto('audit_log')
    .values(entries.map((entry) => ({
      id: newId(),
      at,
      actor_role: entry.actor.role,
      actor_id: entry.actor.id,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      request_id: entry.requestId ?? null,
    })))
    .execute();
}

export const systemActor: AuditActor = { role: 'system', id: null };
