import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogConfig } from 'kysely';
import { pino } from 'pino';
import { openRuntime, type Runtime } from '../../src/platform/boot.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import type { AppContext } from '../../src/platform/context.js';
import { buildServer, type App } from '../../src/platform/http/server.js';
import { createTestDatabase } from './databases.js';
import { Factory } from './factory.js';

export interface TestApp {
  app: App;
  ctx: AppContext;
  clock: ManualClock;
  factory: Factory;
  runtime: Runtime;
  close(): Promise<void>;
}

const testSecret = (name: string) => `test-${name}-`.padEnd(40, 'x');

/** The whole server on a fresh database, with a clock the test controls; `log` sees every query (query-count.ts). */
export async function createTestApp(options: { env?: Record<string, string>; log?: LogConfig } = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'onecard-test-')),
    ONECARD_SESSION_SECRET: testSecret('session'),
    ONECARD_CARD_MASTER_KEY: testSecret('card'),
    ONECARD_PIN_PEPPER: testSecret('pepper'),
    ONECARD_SANDBOX_GATEWAY_KEY: testSecret('gateway'),
    ...options.env,
  });
  const clock = new ManualClock();
  const handle = await createTestDatabase(undefined, options.log ? { log: options.log } : {});
  const runtime = await openRuntime(config, { clock, handle, logger: pino({ level: 'silent' }) });
  const app = await buildServer(runtime.ctx, { logger: false });
  await app.ready();
  return {
    app,
    ctx: runtime.ctx,
    clock,
    factory: new Factory(runtime.ctx, app),
    runtime,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}
