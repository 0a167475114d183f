import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { shanghaiDate } from '../domain/calendar.js';
import { stageSchema, createSchoolSchema } from '../modules/identity/students.schemas.js';
import { createRosterImport, runRosterImport, type RosterImportOutcome } from '../modules/roster/import-roster.js';
import { parseRoster } from '../modules/roster/parse-roster.js';
import { rosterKindOf } from '../modules/roster/row-problems.js';
import { createSchool } from '../modules/identity/students.js';
import { schoolForImport } from '../modules/roster/roster-schools.js';
import type { AuditActor } from '../platform/audit.js';
import { openRuntime, type Runtime } from '../platform/boot.js';
import { loadConfig } from '../platform/config.js';

/** Work done from the command line is audited as the CLI: there is no signed-in person. */
const cliActor: AuditActor = { role: 'cli', id: null };

async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig());
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

async function createSchoolCommand(options: { code: string; name: string; stage: string; district?: string }): Promise<void> {
  const request = createSchoolSchema.parse({ ...options, district: options.district ?? null });
  const school = await withRuntime(({ ctx }) => ctx.db.transaction().execute((tx) => createSchool(tx, ctx.clock, cliActor, request)));
  console.log(`school ${school.code} created (${school.id})`);
}

/** The rejected rows, then the counts on the last line, where scripts and people look first. */
function printOutcome(outcome: RosterImportOutcome): void {
  for (const p of outcome.problems) console.log(`row ${p.row}  ${p.field}  ${p.code}  ${p.message} / ${p.messageEn}`);
  console.log(`created ${outcome.created}, updated ${outcome.updated}, rejected ${outcome.rejected}`);
}

async function importRosterCommand(file: string, options: { school: string }): Promise<void> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    console.error(`cannot read ${file}: ${error.code ?? error.message}`);
    return null;
  });
  if (!bytes) {
    process.exitCode = 1;
    return;
  }
  const outcome = await withRuntime(async ({ ctx }) => {
    const school = await schoolForImport(ctx.db, { code: options.school });
    const parsed = parseRoster(bytes, shanghaiDate(ctx.clock.now()), rosterKindOf(school.stage));
    const job = await createRosterImport(ctx.db, ctx.clock.now(), { school, fileName: basename(file), parsed, actor: cliActor, requestId: null });
    // On stderr, so stdout holds only the report; cli-progress draws nothing when stderr is not a terminal.
    const bar = new SingleBar({ stream: process.stderr, format: 'importing [{bar}] {percentage}% | {value}/{total} rows', hideCursor: true });
    bar.start(parsed.totalRows, 0);
    try {
      return await runRosterImport(ctx, job, (progress) => bar.update(progress.processedRows));
    } finally {
      bar.stop();
    }
  });
  printOutcome(outcome);
  if (outcome.rejected > 0) process.exitCode = 1;
}

/** `onecard school create` and `onecard roster import`, for operators. */
export function registerRosterCommands(program: Command): void {
  program
    .command('school')
    .description('schools')
    .command('create')
    .description('create a school')
    .requiredOption('--code <code>', 'school code (2–32 letters, digits or -)')
    .requiredOption('--name <name>', 'school name')
    .addOption(new Option('--stage <stage>', 'school stage').choices(stageSchema.options).makeOptionMandatory())
    .option('--district <district>', 'district, e.g. 海淀区')
    .action(createSchoolCommand);

  program
    .command('roster')
    .description('student rosters')
    .command('import')
    .description('import a roster CSV exported from Excel (UTF-8 or GBK); exits 1 when any row was rejected')
    .argument('<file>', 'the CSV file')
    .requiredOption('--school <code>', 'code of the school the students belong to')
    .action(importRosterCommand);
}
