import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Db, DbOrTx } from './db/database.js';
import type { Job } from './db/schema.js';
import { newId } from './ids.js';

export type JobHandler = (job: Job) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one queued or finished job per unique key: enqueueing twice is harmless. */
  uniqueKey?: string;
  maxAttempts?: number;
}

const leaseMs = 5 * 60_000;
const baseBackoffMs = 10_000;

export async function enqueueJob(db: DbOrTx, clock: Clock, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<void> {
  const now = clock.now();
  await db
    .insertInto('jobs')
    .values({
      id: newId(),
      kind,
      payload: JSON.stringify(payload ?? {}),
      unique_key: options.uniqueKey ?? null,
      status: 'queued',
      run_at: options.runAt ?? now,
      max_attempts: options.maxAttempts ?? 5,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .execute();
}

/**
 * Finished jobs are history only for a while: done rows older than `keepMs` go (failed ones stay
 * for an operator to see). Without this, a recurring job a minute adds half a million rows a year.
 */
export async function pruneDoneJobs(db: DbOrTx, clock: Clock, keepMs: number): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - keepMs);
  const result = await db.deleteFrom('jobs').where('status', '=', 'done').where('updated_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A small job queue on the database. Workers claim due jobs with FOR UPDATE SKIP LOCKED
 * (so several server processes share the queue without taking the same job) under a lease;
 * a job whose worker died is taken again when its lease runs out. Failures back off
 * exponentially until max_attempts, then stay 'failed' for an operator to see.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly recurring = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * A job that runs every `everyMs`: each tick enqueues the current time slot under a unique
   * key, so several server processes still run it once per slot.
   */
  registerRecurring(kind: string, everyMs: number, handler: JobHandler): void {
    this.register(kind, handler);
    this.recurring.set(kind, everyMs);
  }

  private async enqueueRecurring(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [kind, everyMs] of this.recurring) {
      const slot = Math.floor(now / everyMs);
      await enqueueJob(this.db, this.clock, kind, { slot }, { uniqueKey: `${kind}:${slot}`, maxAttempts: 1 });
    }
  }

  /** Claims and runs the jobs due now; returns how many ran. */
  async runDue(limit = 20): Promise<number> {
    await this.enqueueRecurring();
    const now = this.clock.now();
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return 0;
    const claimed = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        locked_until: new Date(now.getTime() + leaseMs),
        updated_at: now,
      }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('kind', 'in', kinds)
          .where((w) =>
            w.or([
              w.and([w('status', '=', 'queued'), w('run_at', '<=', now)]),
              w.and([w('status', '=', 'running'), w('locked_until', '<', now)]),
            ]),
          )
          .orderBy('run_at')
          .limit(limit)
          .modifyEnd(sql`for update skip locked`),
      )
      .returningAll()
      .execute();
    for (const job of claimed) await this.runOne(job);
    return claimed.length;
  }

  private async runOne(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job);
      await this.db.updateTable('jobs').set({ status: 'done', locked_until: null, last_error: null, updated_at: this.clock.now() }).where('id', '=', job.id).execute();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const exhausted = job.attempts >= job.max_attempts;
      const retryAt = new Date(this.clock.now().getTime() + baseBackoffMs * 2 ** (job.attempts - 1));
      this.logger.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, err: message }, exhausted ? 'job failed for good' : 'job failed; will retry');
      await this.db
        .updateTable('jobs')
        .set({ status: exhausted ? 'failed' : 'queued', run_at: exhausted ? job.run_at : retryAt, locked_until: null, last_error: message, updated_at: this.clock.now() })
        .where('id', '=', job.id)
        .execute();
    }
  }

  start(intervalMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runDue()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'job runner tick failed');
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
