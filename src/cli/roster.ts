import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { basename } from 'node:path';
import { shanghaiDate } from '../domain/calendar.js';
import { createClassSchema, stageSchema, createSchoolSchema } from '../modules/identity/students.schemas.js';
import { createRosterImport, runRosterImport, type RosterImportOutcome } from '../modules/roster/import-roster.js';
import { parseRoster } from '../modules/roster/parse-roster.js';
import { rosterKindOf } from '../modules/roster/row-problems.js';
import { createClass, createSchool } from '../modules/identity/students.js';
import { schoolForImport } from '../modules/roster/roster-schools.js';
import { cliActor, readInputFile, withRuntime } from './runtime.js';


async function createSchoolCommand(options: { code: string; name: string; stage: string; district?: string }): Promise<void> {
  const request = createSchoolSchema.parse({ ...options, district: options.district ?? null });
  const school = await withRuntime(({ ctx }) => ctx.db.transaction().execute((tx) => createSchool(tx, ctx.clock, cliActor, request)));
  console.log(`school ${school.code} created (${school.id})`);
}

/** A class must exist before a K-12 roster can place students in it. */
async function createClassCommand(options: { school: string; grade: string; class: string }): Promise<void> {
  const request = createClassSchema.parse({ grade: Number(options.grade), classNo: options.class });
  const created = await withRuntime(async ({ ctx }) => {
    const school = await schoolForImport(ctx.db, { code: options.school });
    return ctx.db.transaction().execute((tx) => createClass(tx, ctx.clock, cliActor, school.id, request, null));
  });
  console.log(`class ${created.grade}/${created.classNo} created in ${options.school} (${created.id})`);
}

/** The rejected rows, then the counts on the last line, where scripts and people look first. */
function printOutcome(outcome: RosterImportOutcome): void {
  for (const p of outcome.problems) console.log(`row ${p.row}  ${p.field}  ${p.code}  ${p.message} / ${p.messageEn}`);
  console.log(`created ${outcome.created}, updated ${outcome.updated}, rejected ${outcome.rejected}`);
}

async function importRosterCommand(file: string, options: { school: string }): Promise<void> {
  const bytes = await readInputFile(file);
  if (!bytes) return;
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

/** `onecard school create`, `onecard class create` and `onecard roster import`, for operators. */
export function registerRosterCommands(program: Command): void {
  program
    .command('class')
    .description("a school's classes")
    .command('create')
    .description('add a class (grade and class number) to a primary, middle or high school')
    .requiredOption('--school <code>', 'school code')
    .requiredOption('--grade <n>', 'grade, 1–12 (初一 is 7, 高一 is 10)')
    .requiredOption('--class <no>', 'class number, 1–3 digits (stored as two at least: 1 → 01)')
    .action(createClassCommand);

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
