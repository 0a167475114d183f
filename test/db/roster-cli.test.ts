import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle } from '../../src/platform/db/database.js';
import { projectRoot } from '../../src/platform/paths.js';
import { startCli, type CliHarness } from '../support/cli.js';

const fixture = (name: string) => join(projectRoot(), 'test/fixtures', name);
const scratchDir = mkdtempSync(join(tmpdir(), 'onecard-roster-cli-'));
const lines = (stdout: string) => stdout.trimEnd().split('\n');
let cli: CliHarness;
const onecard = (...args: string[]) => cli.onecard(...args);
const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => cli.withDatabase(work);

async function addClass(schoolCode: string, grade: number, classNo: string) {
  const added = await onecard('class', 'create', '--school', schoolCode, '--grade', String(grade), '--class', classNo);
  expect(added.code, added.stderr).toBe(0);
  expect(added.stdout).toMatch(new RegExp(`^class ${grade}/${classNo.padStart(2, '0')} created in ${schoolCode} \\([0-9a-f-]{36}\\)\n$`));
}

beforeAll(async () => {
  cli = await startCli();
});
afterAll(async () => cli.close());

describe('onecard school create', () => {
  it('creates a school once, then refuses the same code and a stage that does not exist', async () => {
    const created = await onecard('school', 'create', '--code', 'CLI-M01', '--name', '命令行中学', '--stage', 'middle', '--district', '海淀区');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^school CLI-M01 created \([0-9a-f-]{36}\)\n$/);
    const school = await withDatabase(({ db }) => db.selectFrom('schools').select(['name', 'stage', 'district']).where('code', '=', 'CLI-M01').executeTakeFirstOrThrow());
    expect(school).toEqual({ name: '命令行中学', stage: 'middle', district: '海淀区' });

    const again = await onecard('school', 'create', '--code', 'CLI-M01', '--name', '命令行中学', '--stage', 'middle');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('SCHOOL_CODE_TAKEN');
    const badStage = await onecard('school', 'create', '--code', 'CLI-X', '--name', '某校', '--stage', 'kindergarten');
    expect(badStage.code).toBe(1);
    expect(badStage.stderr).toContain('--stage');
  }, 120_000);
});

describe('onecard class create', () => {
  it('adds a class once, refusing the same class again, an unknown school and a grade out of 1–12', async () => {
    await onecard('school', 'create', '--code', 'CLI-C01', '--name', '命令行班级中学', '--stage', 'middle');
    await addClass('CLI-C01', 8, '3');
    const stored = await withDatabase(({ db }) => db.selectFrom('classes').innerJoin('schools', 'schools.id', 'classes.school_id').select(['grade', 'class_no']).where('schools.code', '=', 'CLI-C01').execute());
    expect(stored).toEqual([{ grade: 8, class_no: '03' }]);
    const again = await onecard('class', 'create', '--school', 'CLI-C01', '--grade', '8', '--class', '03');
    expect([again.code, again.stderr.includes('CLASS_EXISTS')]).toEqual([1, true]);
    const unknown = await onecard('class', 'create', '--school', 'NO-SUCH', '--grade', '8', '--class', '1');
    expect([unknown.code, unknown.stderr.includes('ROSTER_SCHOOL_UNKNOWN')]).toEqual([1, true]);
    const badGrade = await onecard('class', 'create', '--school', 'CLI-C01', '--grade', '13', '--class', '1');
    expect(badGrade.code).toBe(1);
    expect(badGrade.stderr).toMatch(/Invalid input|grade/);
  }, 120_000);
});

describe('onecard roster import', () => {
  it('imports the good rows, lists each rejected row above the counts, and exits 1; a second run only updates', async () => {
    await onecard('school', 'create', '--code', 'CLI-M02', '--name', '命令行二中', '--stage', 'middle');
    await addClass('CLI-M02', 7, '01');
    await addClass('CLI-M02', 7, '02');

    const first = await onecard('roster', 'import', fixture('roster-gbk.csv'), '--school', 'CLI-M02');
    expect(first.code).toBe(1);
    expect(lines(first.stdout)).toEqual([
      'row 4  idNumber  ID_NUMBER_CHECKSUM  身份证号校验位不正确 / The ID number check digit is wrong',
      'created 2, updated 0, rejected 1',
    ]);
    const second = await onecard('roster', 'import', fixture('roster-gbk.csv'), '--school', 'CLI-M02');
    expect(lines(second.stdout).at(-1)).toBe('created 0, updated 2, rejected 1');

    const recorded = await withDatabase(async ({ db }) => ({
      imports: await db.selectFrom('roster_imports').select(['file_name', 'status', 'created_by']).execute(),
      audit: await db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_type', '=', 'roster_import').execute(),
    }));
    expect(recorded.imports).toEqual([
      { file_name: 'roster-gbk.csv', status: 'done', created_by: null },
      { file_name: 'roster-gbk.csv', status: 'done', created_by: null },
    ]);
    expect(recorded.audit).toEqual([{ action: 'roster.imported', actor_role: 'cli' }, { action: 'roster.imported', actor_role: 'cli' }]);
  }, 120_000);

  it('exits 0 with only the counts when every row is imported', async () => {
    await onecard('school', 'create', '--code', 'CLI-M03', '--name', '命令行三中', '--stage', 'middle');
    await addClass('CLI-M03', 8, '03');
    const clean = await onecard('roster', 'import', fixture('roster-utf8-bom.csv'), '--school', 'CLI-M03');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('created 2, updated 0, rejected 0\n');
  }, 120_000);

  it('refuses an unknown school, a missing file and a file without the required columns, with exit status 1', async () => {
    const unknown = await onecard('roster', 'import', fixture('roster-gbk.csv'), '--school', 'NO-SUCH');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('ROSTER_SCHOOL_UNKNOWN')]);
    const missing = await onecard('roster', 'import', join(scratchDir, 'nope.csv'), '--school', 'CLI-M03');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('cannot read')]);
    const noColumns = join(scratchDir, 'names.csv');
    writeFileSync(noColumns, '姓名\n张三\n');
    const columns = await onecard('roster', 'import', noColumns, '--school', 'CLI-M03');
    expect([columns.code, columns.stderr]).toEqual([1, expect.stringContaining('ROSTER_COLUMNS_MISSING')]);
    const noSchool = await onecard('roster', 'import', fixture('roster-gbk.csv'));
    expect([noSchool.code, noSchool.stderr]).toEqual([1, expect.stringContaining('--school')]);
  }, 120_000);
});
