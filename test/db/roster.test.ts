import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { CHUNK_ROWS, createRosterImport, REPORT_ROWS, runRosterImport, type ImportProgress } from '../../src/modules/roster/import-roster.js';
import { parseRoster } from '../../src/modules/roster/parse-roster.js';
import { rosterKindOf } from '../../src/modules/roster/row-problems.js';
import { getRosterImport } from '../../src/modules/roster/roster-import-status.js';
import type { Caller } from '../../src/platform/auth.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
const operator: Caller = { sessionId: newId(), role: 'operator', loginKind: 'staff', subjectId: newId(), schoolId: null };
const actor = { role: 'operator', id: operator.subjectId };
const today = '2026-11-23';

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function schoolWithClass() {
  const school = await t.factory.newSchool({ stage: 'primary' });
  await t.ctx.db.insertInto('classes').values({ id: newId(), school_id: school.id, grade: 3, class_no: '1' }).execute();
  return school;
}

/** `count` good rows with education IDs from `firstId` on; `gender` '?' makes every row bad. */
function roster(count: number, firstId: number, gender = '男'): Buffer {
  const lines = ['教育ID,姓名,性别,出生日期,身份证号,年级,班级'];
  for (let i = 0; i < count; i += 1) {
    const birthDate = `2017-0${1 + (i % 9)}-1${i % 10}`;
    const idNumber = makeIdNumber({ areaCode: '110101', birthDate, gender: 'M', sequence: Math.floor(i / 90) % 500 });
    lines.push(`${firstId + i},学生${i},${gender},${birthDate},${idNumber},3,1`);
  }
  return Buffer.from(lines.join('\n'));
}

async function startImport(school: { id: string; stage: 'primary' | 'middle' | 'high' | 'university' | 'vocational' }, bytes: Buffer) {
  const parsed = parseRoster(bytes, today, rosterKindOf(school.stage));
  return createRosterImport(t.ctx.db, t.clock.now(), { school, fileName: 'roster.csv', parsed, actor, requestId: null });
}

describe('roster import, chunk by chunk', () => {
  it(`writes ${CHUNK_ROWS} rows per transaction and reports progress after each`, async () => {
    const school = await schoolWithClass();
    const job = await startImport(school, roster(2 * CHUNK_ROWS + 500, 40_000_000));
    const progress: ImportProgress[] = [];
    const outcome = await runRosterImport(t.ctx, job, (p) => progress.push(p));
    expect(progress.map((p) => p.processedRows)).toEqual([0, CHUNK_ROWS, 2 * CHUNK_ROWS, 2 * CHUNK_ROWS + 500]);
    expect(outcome).toMatchObject({ totalRows: 2 * CHUNK_ROWS + 500, created: 2 * CHUNK_ROWS + 500, updated: 0, rejected: 0, problems: [] });
    expect(await getRosterImport(t.ctx, operator, job.id)).toMatchObject({ status: 'done', processedRows: 2 * CHUNK_ROWS + 500, created: 2 * CHUNK_ROWS + 500 });
  });

  it('a chunk that fails marks the import failed, keeps the chunks before it and their recorded progress, and rethrows', async () => {
    const school = await schoolWithClass();
    const poisoned = String(41_000_000 + CHUNK_ROWS + 10);
    // A trigger refuses one student of the second chunk, as a lost connection or a full disk would.
    await sql.raw(`
      create function refuse_poisoned_student() returns trigger language plpgsql as $$
      begin
        if new.education_id = '${poisoned}' then raise exception 'poisoned row'; end if;
        return new;
      end $$;
      create trigger refuse_poisoned before insert on students for each row execute function refuse_poisoned_student();
    `).execute(t.ctx.db);
    try {
      const job = await startImport(school, roster(CHUNK_ROWS + 100, 41_000_000));
      await expect(runRosterImport(t.ctx, job)).rejects.toThrow(/poisoned row/);
      const record = await getRosterImport(t.ctx, operator, job.id);
      expect(record).toMatchObject({ status: 'failed', error: { code: 'ROSTER_IMPORT_FAILED' }, processedRows: CHUNK_ROWS, created: CHUNK_ROWS });
      const written = await t.ctx.db.selectFrom('students').select((eb) => eb.fn.countAll<number>().as('n')).where('school_id', '=', school.id).executeTakeFirstOrThrow();
      expect(Number(written.n)).toBe(CHUNK_ROWS);
      const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', job.id).execute();
      expect(audit).toEqual([{ action: 'roster.import_failed' }]);
    } finally {
      await sql.raw('drop trigger refuse_poisoned on students; drop function refuse_poisoned_student();').execute(t.ctx.db);
    }
  });

  it('two imports of the same roster at once both finish, and each student is created once', async () => {
    const school = await schoolWithClass();
    const bytes = roster(CHUNK_ROWS + 1_000, 42_000_000);
    const jobs = await Promise.all([startImport(school, bytes), startImport(school, bytes)]);
    const outcomes = await Promise.all(jobs.map((job) => runRosterImport(t.ctx, job)));
    expect(outcomes.reduce((n, o) => n + o.created, 0)).toBe(CHUNK_ROWS + 1_000);
    expect(outcomes.reduce((n, o) => n + o.updated, 0)).toBe(CHUNK_ROWS + 1_000);
  });

  it(`keeps the problems of the first ${REPORT_ROWS} rejected rows in the record, and says the report is cut short`, async () => {
    const school = await schoolWithClass();
    const job = await startImport(school, roster(REPORT_ROWS + 50, 43_000_000, '?'));
    const outcome = await runRosterImport(t.ctx, job);
    expect(outcome.problems).toHaveLength(REPORT_ROWS + 50);
    const record = await getRosterImport(t.ctx, operator, job.id);
    expect(record).toMatchObject({ status: 'done', rejected: REPORT_ROWS + 50, reportTruncated: true });
    expect(record.report).toHaveLength(REPORT_ROWS);
    expect(record.report.at(-1)).toMatchObject({ row: REPORT_ROWS + 1, code: 'GENDER_FORMAT' });
  });
});
