/**
 * Roster import of 100,000 students on PostgreSQL: parse, validate and upsert timed
 * separately, for a first import (all inserts) and a re-import (all updates), against a
 * baseline of plain multi-row INSERTs of the same rows, in the same chunk size, into an
 * unlogged copy of the students table without indexes (the fastest write `pg` can do here
 * without a COPY library).
 *
 *   npx tsx bench/roster-import.ts            (or npm run bench:roster)
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * to create a scratch database, and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { makeIdNumber } from '../src/domain/id-number.js';
import { CHUNK_ROWS, createRosterImport, runRosterImport, type RosterImportOutcome } from '../src/modules/roster/import-roster.js';
import { readRosterTable, validateRoster, type RosterRow } from '../src/modules/roster/parse-roster.js';
import { systemClock } from '../src/platform/clock.js';
import { migrateToLatest, openPostgres, type Db } from '../src/platform/db/database.js';
import { newId } from '../src/platform/ids.js';

const ROWS = 100_000;
const TODAY = '2026-06-01';
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** 100,000 distinct students: birth dates over 4,000 days, ID sequence numbers on top, grades 1–12, classes 1–10. */
function rosterCsv(): Buffer {
  const lines = ['教育ID,姓名,性别,出生日期,身份证号,年级,班级'];
  const firstDay = Date.UTC(2008, 8, 1);
  for (let i = 0; i < ROWS; i += 1) {
    const birthDate = new Date(firstDay + (i % 4_000) * 86_400_000).toISOString().slice(0, 10);
    const gender = i % 2 === 0 ? 'M' : 'F';
    const idNumber = makeIdNumber({ areaCode: '110108', birthDate, gender, sequence: Math.floor(i / 4_000) });
    lines.push(`${50_000_000 + i},学生${i},${gender === 'M' ? '男' : '女'},${birthDate},${idNumber},${1 + (i % 12)},${1 + (i % 10)}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

async function timed<T>(work: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

const rate = (rows: number, ms: number) => `${Math.round((rows / ms) * 1000).toLocaleString('en')} rows/s`;
const line = (label: string, ms: number, rows = ROWS) => console.log(`  ${label.padEnd(38)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(rows, ms).padStart(15)}`);

async function withScratchDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const name = `onecard_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await work(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function schoolWithClasses(db: Db) {
  const school = { id: newId(), code: 'BENCH-01', name: '基准测试学校', stage: 'middle' as const, district: null };
  await db.insertInto('schools').values(school).execute();
  const classes = Array.from({ length: 120 }, (_, i) => ({ id: newId(), school_id: school.id, grade: 1 + Math.floor(i / 10), class_no: String(1 + (i % 10)) }));
  await db.insertInto('classes').values(classes).execute();
  return school;
}

async function importOnce(db: Db, school: { id: string; stage: 'middle' }, parsed: ReturnType<typeof validateRoster>): Promise<{ result: RosterImportOutcome; ms: number }> {
  const ctx = { db, clock: systemClock, logger: pino({ level: 'silent' }) };
  const job = await createRosterImport(db, systemClock.now(), { school, fileName: 'bench.csv', parsed, actor: { role: 'bench', id: null }, requestId: null });
  return timed(() => runRosterImport(ctx, job));
}

/** The same rows through plain multi-row INSERTs, CHUNK_ROWS per statement, one transaction each. */
async function baseline(url: string, rows: RosterRow[], schoolId: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create unlogged table students_baseline (like students including defaults)');
    const now = new Date();
    const { ms } = await timed(async () => {
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const chunk = rows.slice(start, start + CHUNK_ROWS);
        const values: unknown[] = [];
        const tuples = chunk.map((r, i) => {
          values.push(newId(), r.educationId, r.name, r.gender, r.birthDate, r.idNumber, schoolId, 'middle', now);
          const p = i * 9;
          return `($${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5},$${p + 6},$${p + 7},$${p + 8},$${p + 9})`;
        });
        await client.query('begin');
        await client.query(`insert into students_baseline (id, education_id, name, gender, birth_date, id_number, school_id, stage, updated_at) values ${tuples.join(',')}`, values);
        await client.query('commit');
      }
    });
    return ms;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const csv = rosterCsv();
  console.log(`Roster import bench: ${ROWS.toLocaleString('en')} rows, ${(csv.length / 1024 / 1024).toFixed(1)} MB of CSV, ${CHUNK_ROWS} rows per chunk, PostgreSQL at ${new URL(adminUrl).host}`);
  await withScratchDatabase(async (url) => {
    const handle = openPostgres(url);
    try {
      await migrateToLatest(handle.db);
      const school = await schoolWithClasses(handle.db);
      const read = await timed(() => readRosterTable(csv));
      const validated = await timed(() => validateRoster(read.result, TODAY, 'k12'));
      if (validated.result.rows.length !== ROWS) throw new Error(`expected ${ROWS} valid rows, got ${validated.result.rows.length}`);
      const first = await importOnce(handle.db, school, validated.result);
      const again = await importOnce(handle.db, school, validated.result);
      if (first.result.created !== ROWS || again.result.updated !== ROWS) throw new Error('the imports did not create, then update, every row');
      const baselineMs = await baseline(url, validated.result.rows, school.id);

      line('parse (decode + CSV)', read.ms);
      line('validate', validated.ms);
      line('upsert, first import (inserts)', first.ms);
      line('upsert, re-import (updates)', again.ms);
      line('total, first import', read.ms + validated.ms + first.ms);
      line('total, re-import', read.ms + validated.ms + again.ms);
      line('baseline: multi-row INSERT, unlogged', baselineMs);
      console.log(`  upsert / baseline: first import ${(first.ms / baselineMs).toFixed(2)}×, re-import ${(again.ms / baselineMs).toFixed(2)}×`);
    } finally {
      await handle.close();
    }
  });
}

await main();
