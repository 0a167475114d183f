import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { seedCalendar } from '../modules/calendar/seed-calendar.js';
import { registerJobs } from '../modules/jobs.js';
import { migrateToLatest, openDatabase, type DatabaseHandle, type Db } from './db/database.js';
import { JobRunner } from './jobs.js';
import { createLogger } from './logger.js';
import { OutboxSmsSender } from './sms.js';

export interface Runtime {
  ctx: AppContext;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/** Migrations, then the reference data every database needs (the working-day calendar). */
export async function prepareDatabase(db: Db, clock: Clock): Promise<{ migrations: string[]; calendarYears: number[] }> {
  const migrations = await migrateToLatest(db);
  const calendarYears = await seedCalendar(db, clock);
  return { migrations, calendarYears };
}

/** Opens the database (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL), migrates it and builds the context. */
export async function openRuntime(config: Config, options: { clock?: Clock; logger?: Logger; handle?: DatabaseHandle } = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const handle = options.handle ?? (await openDatabase(config));
  const { migrations, calendarYears } = await prepareDatabase(handle.db, clock);
  if (migrations.length > 0) logger.info({ migrations }, 'database migrated');
  if (calendarYears.length > 0) logger.info({ years: calendarYears }, 'working-day calendar loaded');
  const jobs = new JobRunner(handle.db, clock, logger);
  const ctx: AppContext = { config, db: handle.db, dbKind: handle.kind, clock, logger, jobs, sms: new OutboxSmsSender(clock, logger) };
  registerJobs(ctx);
  return {
    ctx,
    handle,
    async close() {
      await jobs.stop();
      await handle.close();
    },
  };
}
