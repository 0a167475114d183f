#!/usr/bin/env node
import { Command, Option } from 'commander';
import { performance } from 'node:perf_hooks';
import { demoLogins, openNextYearForDemo, seedDemo } from '../demo/seed.js';
import { nextYearMissing } from '../modules/calendar/calendar.js';
import { createStaff } from '../modules/identity/create-staff.js';
import { openRuntime } from '../platform/boot.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { DomainError } from '../domain/errors.js';
import { buildServer } from '../platform/http/server.js';
import { registerLedgerCommands } from './ledger.js';
import { registerPaymentCommands } from './payments.js';
import { registerNetworkCommands, registerPosCommands } from './campus.js';
import { registerRosterCommands } from './roster.js';
import { registerBillCommands } from './bills.js';
import { registerTerminalCommands } from './terminal.js';

const program = new Command('onecard')
  .description('Onecard: student cards for schools and universities')
  .showHelpAfterError();

program
  .command('serve')
  .description('migrate the database, load demo data on first start, and serve the API and web apps')
  .option('--no-demo', 'do not load the demo data')
  .action(async (options: { demo: boolean }) => {
    const started = performance.now();
    const config = loadConfig();
    const runtime = await openRuntime(config);
    const { ctx } = runtime;
    if (options.demo && config.env !== 'production') {
      if (await seedDemo(ctx.db, ctx.clock)) ctx.logger.info('demo data loaded');
      const opened = await openNextYearForDemo(ctx.db, ctx.clock);
      if (opened) ctx.logger.info({ year: opened }, 'demo: next year opened in the calendar from weekdays (provisional)');
    }
    // Checked after the demo may have opened it: fee windows and ready dates stop where the calendar does.
    const missingYear = await nextYearMissing(ctx.db, ctx.clock);
    if (missingYear) ctx.logger.warn({ year: missingYear }, 'the working-day calendar of next year is not loaded: open it in the console (工作日历) and mark its holidays');
    const app = await buildServer(ctx);
    ctx.jobs.start();
    const address = await app.listen({ port: config.port, host: config.host });
    const base = address.replace('127.0.0.1', 'localhost');
    const lines = [
      '',
      `Onecard is running (${ctx.dbKind === 'pglite' ? `embedded PGlite in ${config.dataDir}/pglite` : 'PostgreSQL'}), ready in ${Math.round(performance.now() - started)} ms`,
      `  Student/parent app  ${base}/`,
      `  Admin console       ${base}/admin/`,
      `  API                 ${base}/api/v1`,
      `  OpenAPI             ${base}/openapi.json   Swagger UI ${base}/docs`,
      `  Health              ${base}/healthz  ${base}/readyz  ${base}/metrics`,
      '',
      'Demo logins:',
      ...demoLogins().map((l) => `  ${l}`),
      '',
    ];
    console.log(lines.join('\n'));
    const shutdown = async () => {
      await app.close();
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const runtime = await openRuntime(loadConfig());
    console.log('database is up to date');
    await runtime.close();
  });

program
  .command('seed')
  .description('load data into the database')
  .addOption(new Option('--demo', 'the demo schools, students, parents and staff').makeOptionMandatory())
  .action(async () => {
    const runtime = await openRuntime(loadConfig());
    const loaded = await seedDemo(runtime.ctx.db, runtime.ctx.clock);
    console.log(loaded ? 'demo data loaded' : 'demo data was already loaded; nothing to do');
    await runtime.close();
  });

const operator = program.command('operator').description('card centre operator accounts');
operator
  .command('create')
  .description('create an operator account')
  .requiredOption('--username <username>', 'login name (3–32 letters, digits, _ . -)')
  .requiredOption('--password <password>', 'at least 8 characters')
  .option('--name <displayName>', 'name shown in the console')
  .action(async (options: { username: string; password: string; name?: string }) => {
    const { createStaffRequestSchema } = await import('../modules/identity/identity.schemas.js');
    const request = createStaffRequestSchema.parse({ username: options.username, password: options.password, displayName: options.name ?? options.username, role: 'operator' });
    const runtime = await openRuntime(loadConfig());
    try {
      const created = await runtime.ctx.db.transaction().execute((tx) => createStaff(tx, runtime.ctx.clock, { role: 'cli', id: null }, request));
      console.log(`operator ${created.username} created (${created.id})`);
    } finally {
      await runtime.close();
    }
  });

registerRosterCommands(program);
registerBillCommands(program);
registerLedgerCommands(program);
registerPaymentCommands(program);
registerTerminalCommands(program);
registerPosCommands(program);
registerNetworkCommands(program);

/** Errors a person can act on are printed plainly; anything else with its stack. */
function report(error: unknown): never {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof DomainError) console.error(`${error.code}: ${error.messageZh} / ${error.messageEn}${error.details ? ` ${JSON.stringify(error.details)}` : ''}`);
  else if (error instanceof Error && error.name === 'ZodError') console.error(`Invalid input: ${error.message}`);
  else console.error(error);
  process.exit(1);
}

program.parseAsync(process.argv).catch(report);
