import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { startCli, type CliHarness } from '../support/cli.js';

/** `onecard bills import`: a university finance office's bill file from the command line, all or nothing. */

const scratchDir = mkdtempSync(join(tmpdir(), 'onecard-bills-cli-'));
let cli: CliHarness;
const onecard = (...args: string[]) => cli.onecard(...args);
const file = (name: string, lines: string[]) => {
  const path = join(scratchDir, name);
  writeFileSync(path, lines.join('\r\n'));
  return path;
};

beforeAll(async () => {
  cli = await startCli();
  expect((await onecard('school', 'create', '--code', 'CLI-U01', '--name', '命令行大学', '--stage', 'university')).code).toBe(0);
  expect((await onecard('school', 'create', '--code', 'CLI-P01', '--name', '命令行小学', '--stage', 'primary')).code).toBe(0);
  const id = (sequence: number) => makeIdNumber({ areaCode: '110108', birthDate: '2005-03-01', sequence, gender: 'M' });
  const roster = file('roster.csv', ['教育ID,姓名,性别,出生日期,身份证号,学号', `20269001,命令行甲,男,2005-03-01,${id(11)},2026CLI01`, `20269002,命令行乙,男,2005-03-01,${id(13)},2026CLI02`]);
  const imported = await onecard('roster', 'import', roster, '--school', 'CLI-U01');
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);
}, 180_000);
afterAll(async () => cli.close());

describe('onecard bills import', () => {
  const header = '学号,类别,学年,课程,金额（元）,截止日期';
  // The command runs on the machine's clock: due dates ahead of it, and one long past.
  const due = `${new Date().getFullYear() + 1}-09-30`;

  it('prints every bad row and issues nothing; the corrected file issues every bill, audited as the CLI', async () => {
    const bad = await onecard('bills', 'import', file('bad.csv', [header, `2026CLI01,学费,2026-2027,,5000,${due}`, `2026CLI99,学费,2026-2027,,5000,${due}`, `2026CLI02,重修费,2026-2027,,240,${due}`, '2026CLI02,重修费,2026-2027,和声学基础,240,2020-09-30']), '--school', 'CLI-U01');
    expect(bad.code).toBe(1);
    expect(bad.stdout.trimEnd().split('\n')).toEqual(['row 3  studentNo  SCHOOL_BILL_STUDENT_UNKNOWN', 'row 4  course  SCHOOL_BILL_FIELDS', 'row 5  dueDate  SCHOOL_BILL_DUE_PAST', expect.stringMatching(/^issued 0: 3 bad rows/)]);
    expect(await cli.withDatabase(({ db }) => db.selectFrom('school_bills').select('id').execute())).toEqual([]);

    const good = await onecard('bills', 'import', file('good.csv', [header, `2026CLI01,学费,2026-2027,,5000,${due}`, `2026CLI02,重修费,2026-2027,和声学基础,240,${due}`]), '--school', 'CLI-U01');
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('issued 2 bills, ¥5240.00 in all, to CLI-U01\n');
    const stored = await cli.withDatabase(({ db }) => db.selectFrom('school_bills').select(['kind', 'amount_fen', 'created_by_role', 'created_by']).orderBy('amount_fen').execute());
    expect(stored).toEqual([
      { kind: 'retake', amount_fen: 24_000, created_by_role: 'cli', created_by: null },
      { kind: 'tuition', amount_fen: 500_000, created_by_role: 'cli', created_by: null },
    ]);
    const audit = await cli.withDatabase(({ db }) => db.selectFrom('audit_log').select(['actor_role', 'after']).where('action', '=', 'campus.bill.issued').execute());
    expect(audit).toEqual([{ actor_role: 'cli', after: { bills: 2, totalFen: 524_000, issueId: expect.any(String) } }]);
    // The families are texted by the server's job runner, not by the command.
    const issueId = (audit[0]!.after as { issueId: string }).issueId;
    expect(await cli.withDatabase(({ db }) => db.selectFrom('jobs').select(['kind', 'status']).where('unique_key', '=', `campus.bill-texts:${issueId}`).execute())).toEqual([{ kind: 'campus.bill-texts', status: 'queued' }]);
  }, 180_000);

  it('refuses a K-12 school, an unknown school and a file that cannot be read', async () => {
    const k12 = await onecard('bills', 'import', file('k12.csv', [header, `1,学费,2026-2027,,5000,${due}`]), '--school', 'CLI-P01');
    expect([k12.code, k12.stderr.includes('CAMPUS_SCHOOL_INVALID')]).toEqual([1, true]);
    const unknown = await onecard('bills', 'import', file('x.csv', [header]), '--school', 'NO-SUCH');
    expect([unknown.code, unknown.stderr.includes('ROSTER_SCHOOL_UNKNOWN')]).toEqual([1, true]);
    const missing = await onecard('bills', 'import', join(scratchDir, 'nothing-here.csv'), '--school', 'CLI-U01');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('cannot read')]);
  }, 180_000);
});
