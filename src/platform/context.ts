import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { JobRunner } from './jobs.js';
import type { SmsSender } from './sms.js';

/** What every use case may need, built once at boot (or per test) and passed down. */
export interface AppContext {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  clock: Clock;
  logger: Logger;
  jobs: JobRunner;
  sms: SmsSender;
}
