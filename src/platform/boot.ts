import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.js';
import { JobRunner } from './jobs.js';
import { createLogger } from './logger.js';
import { OutboxSmsSender } from './sms.js';

export interface Runtime {
  ctx: AppContext;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/** Opens the database (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL), migrates it and builds the context. */
export async function openRuntime(config: Config, options: { clock?: Clock; logger?: Logger; handle?: DatabaseHandle } = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const handle = options.handle ?? (await openDatabase(config));
  const applied = await migrateToLatest(handle.db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  const jobs = new JobRunner(handle.db, clock, logger);
  const ctx: AppContext = { config, db: handle.db, dbKind: handle.kind, clock, logger, jobs, sms: new OutboxSmsSender(clock, logger) };
  return {
    ctx,
    handle,
    async close() {
      await jobs.stop();
      await handle.close();
    },
  };
}
