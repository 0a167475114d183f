import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/platform/audit.js';
import { ManualClock } from '../../src/platform/clock.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { enqueueJob, JobRunner, pruneDoneJobs } from '../../src/platform/jobs.js';
import { newId } from '../../src/platform/ids.js';
import { openNextYearForDemo, seedDemo } from '../../src/demo/seed.js';
import { venueOpenTo } from '../../src/domain/venue-access.js';
import { workingDaysAfter } from '../../src/modules/calendar/calendar.js';
import { createTestDatabase } from '../support/databases.js';

let handle: DatabaseHandle;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle.close());

describe('database driver', () => {
  it('returns the same JS types on PGlite and PostgreSQL', async () => {
    const { rows } = await sql<{ big: unknown; day: unknown; at: unknown; num: unknown; flag: unknown; doc: unknown }>`
      select 9007199254740991::int8 as big, date '2026-02-28' as day, timestamptz '2026-01-01T00:00:00Z' as at,
             12.50::numeric as num, true as flag, '{"a":1}'::jsonb as doc`.execute(handle.db);
    expect(rows[0]).toEqual({ big: 9007199254740991, day: '2026-02-28', at: new Date('2026-01-01T00:00:00Z'), num: '12.50', flag: true, doc: { a: 1 } });
  });

  it('refuses an int8 beyond the safe integer range rather than losing precision', async () => {
    await expect(sql`select 9007199254740993::int8 as big`.execute(handle.db)).rejects.toThrow(/safe integer/);
  });

  it('rolls back a failed transaction as a whole', async () => {
    const id = newId();
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await tx.insertInto('app_meta').values({ key: `rollback-${id}`, value: 'x' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await handle.db.selectFrom('app_meta').select('key').where('key', '=', `rollback-${id}`).executeTakeFirst()).toBeUndefined();
  });

  it('migrating again is a no-op', async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });
});

describe('audit log', () => {
  it('is append-only: updates and deletes are refused by the database', async () => {
    await recordAudit(handle.db, clock, { actor: { role: 'operator', id: null }, action: 'test.did', entityType: 'thing', entityId: 'abc', before: { a: 1 }, after: { a: 2 } });
    const row = await handle.db.selectFrom('audit_log').selectAll().where('entity_id', '=', 'abc').executeTakeFirstOrThrow();
    expect(row.before).toEqual({ a: 1 });
    expect(row.after).toEqual({ a: 2 });
    await expect(handle.db.updateTable('audit_log').set({ action: 'forged' }).where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
    await expect(handle.db.deleteFrom('audit_log').where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
  });
});

describe('job runner', () => {
  it('runs due jobs once, leaves future ones, and retries failures with back-off', async () => {
    const runner = new JobRunner(handle.db, clock, silent);
    const seen: string[] = [];
    let failuresLeft = 2;
    runner.register('greet', async (job) => {
      seen.push((job.payload as { name: string }).name);
    });
    runner.register('flaky', async () => {
      if (failuresLeft-- > 0) throw new Error('not yet');
      seen.push('flaky-done');
    });
    await enqueueJob(handle.db, clock, 'greet', { name: 'now' });
    await enqueueJob(handle.db, clock, 'greet', { name: 'later' }, { runAt: new Date(clock.now().getTime() + 60_000) });
    await enqueueJob(handle.db, clock, 'flaky', {}, { maxAttempts: 3 });

    expect(await runner.runDue()).toBe(2);
    expect(seen).toEqual(['now']);
    expect(await runner.runDue()).toBe(0); // the flaky job waits out its back-off

    clock.advance(10_000);
    await runner.runDue();
    clock.advance(60_000);
    await runner.runDue();
    expect([...seen].sort()).toEqual(['flaky-done', 'later', 'now']);
    const flaky = await handle.db.selectFrom('jobs').selectAll().where('kind', '=', 'flaky').executeTakeFirstOrThrow();
    expect(flaky.status).toBe('done');
    expect(flaky.attempts).toBe(3);
  });

  it('gives up after max attempts and keeps the last error', async () => {
    const runner = new JobRunner(handle.db, clock, silent);
    runner.register('doomed', async () => {
      throw new Error('always broken');
    });
    await enqueueJob(handle.db, clock, 'doomed', {}, { maxAttempts: 2 });
    await runner.runDue();
    clock.advance(3_600_000);
    await runner.runDue();
    clock.advance(3_600_000);
    expect(await runner.runDue()).toBe(0);
    const job = await handle.db.selectFrom('jobs').selectAll().where('kind', '=', 'doomed').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'failed', attempts: 2, last_error: 'always broken' });
  });

  it('runs a recurring job once per time slot', async () => {
    const runner = new JobRunner(handle.db, clock, silent);
    let runs = 0;
    runner.registerRecurring('tick', 60_000, async () => {
      runs++;
    });
    await runner.runDue();
    await runner.runDue();
    expect(runs).toBe(1);
    clock.advance(60_000);
    await runner.runDue();
    expect(runs).toBe(2);
  });

  it('prunes done jobs after the keep period and keeps failed ones', async () => {
    await enqueueJob(handle.db, clock, 'old-done', {});
    await enqueueJob(handle.db, clock, 'old-failed', {});
    await handle.db.updateTable('jobs').set({ status: 'done' }).where('kind', '=', 'old-done').execute();
    await handle.db.updateTable('jobs').set({ status: 'failed' }).where('kind', '=', 'old-failed').execute();
    const kinds = async () => (await handle.db.selectFrom('jobs').select('kind').where('kind', 'in', ['old-done', 'old-failed']).orderBy('kind').execute()).map((j) => j.kind);
    await pruneDoneJobs(handle.db, clock, 3_600_000);
    expect(await kinds()).toEqual(['old-done', 'old-failed']);
    clock.advance(3_600_001);
    expect(await pruneDoneJobs(handle.db, clock, 3_600_000)).toBeGreaterThanOrEqual(1);
    expect(await kinds()).toEqual(['old-failed']);
  });

  it('takes a unique job only once', async () => {
    await enqueueJob(handle.db, clock, 'expire-order', { orderId: 1 }, { uniqueKey: 'expire:1' });
    await enqueueJob(handle.db, clock, 'expire-order', { orderId: 1 }, { uniqueKey: 'expire:1' });
    const rows = await handle.db.selectFrom('jobs').select('id').where('unique_key', '=', 'expire:1').execute();
    expect(rows).toHaveLength(1);
  });

  it('takes over a job whose worker died once its lease runs out', async () => {
    const runner = new JobRunner(handle.db, clock, silent);
    await enqueueJob(handle.db, clock, 'lease', {});
    // A worker claims the job and dies: the row stays 'running' under a lease.
    await handle.db.updateTable('jobs').set({ status: 'running', locked_until: new Date(clock.now().getTime() + 300_000) }).where('kind', '=', 'lease').execute();
    let ran = 0;
    runner.register('lease', async () => {
      ran++;
    });
    expect(await runner.runDue()).toBe(0);
    clock.advance(300_001);
    expect(await runner.runDue()).toBe(1);
    expect(ran).toBe(1);
  });
});

describe('demo data', () => {
  it('loads once; a second start does not duplicate it', async () => {
    expect(await seedDemo(handle.db, clock)).toBe(true);
    const count = async () => Number((await handle.db.selectFrom('students').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const students = await count();
    expect(students).toBeGreaterThanOrEqual(10);
    const cards = await handle.db.selectFrom('cards').select(['status']).where('product', '<>', 'k12_sticker').execute();
    expect(cards).toHaveLength(students);
    expect(cards.map((c) => c.status).sort()).toEqual([...Array<string>(students - 2).fill('active'), 'inactive', 'lost'].sort());
    // The middle and high school students' stickers (卡贴), issued with their cards and in use.
    const stickers = await handle.db.selectFrom('cards').innerJoin('students', 'students.id', 'cards.student_id').select(['students.stage', 'cards.status']).where('product', '=', 'k12_sticker').execute();
    expect(stickers.map((c) => `${c.stage} ${c.status}`).sort()).toEqual(['high active', 'high active', 'middle active', 'middle active', 'middle active']);
    // The K-12 extension window of this year is open, so the demo's extension flow can be tried.
    const windows = await handle.db.selectFrom('card_extension_windows').select(['year', 'starts_on', 'ends_on']).execute();
    expect(windows).toEqual([{ year: 2026, starts_on: '2026-10-01', ends_on: '2026-12-31' }]);
    // The university's dorm rooms, for 宿舍电费.
    const rooms = await handle.db.selectFrom('campus_rooms').select(['building', 'room_no']).orderBy('room_no').execute();
    expect(rooms.map((r) => `${r.building} ${r.room_no}`)).toEqual(['学1楼 101', '学1楼 102', '学1楼 103', '学1楼 104', '学1楼 105', '学1楼 106']);
    const venues = await handle.db.selectFrom('campus_venues').select(['kind', 'name', 'colleges', 'majors']).orderBy('kind').orderBy('name').execute();
    // The practice rooms are for 音乐学院 and the music majors of the vocational college (seed 004), not its other students.
    expect(venues.filter((v) => v.kind === 'piano_room').every((v) => v.colleges.join() === '音乐学院' && v.majors.join() === '音乐表演,音乐教育')).toBe(true);
    expect(venues.filter((v) => v.kind === 'sports_court').every((v) => v.colleges.length === 0 && v.majors.length === 0)).toBe(true);
    const campusStudents = await handle.db.selectFrom('students').select(['student_no', 'college', 'major']).where('student_no', 'is not', null).orderBy('student_no').execute();
    expect(campusStudents).toEqual([
      { student_no: '2022120388', college: '计算机学院', major: '软件工程' },
      { student_no: '2023110501', college: '音乐学院', major: '音乐学' },
      { student_no: '2024130215', college: '高等职业教育与继续教育学院', major: '音乐表演' },
      { student_no: '2024130302', college: '高等职业教育与继续教育学院', major: '会计' },
    ]);
    const pianoRoom = venues.find((v) => v.kind === 'piano_room')!;
    expect(campusStudents.filter((s) => venueOpenTo(pianoRoom, s)).map((s) => s.student_no)).toEqual(['2023110501', '2024130215']);
    expect(venues.map((v) => `${v.kind} ${v.name}`)).toEqual([
      'piano_room 琴房 1', 'piano_room 琴房 2', 'piano_room 琴房 3', 'piano_room 琴房 4',
      'sports_court 乒乓球台 1', 'sports_court 乒乓球台 2', 'sports_court 羽毛球场 1', 'sports_court 羽毛球场 2', 'sports_court 羽毛球场 3',
    ]);
    // 消息公告: the card centre's pinned K-12 payment times (seed 001) and the university's hot-water questions (seed 004).
    const notices = await handle.db.selectFrom('notices').leftJoin('schools', 'schools.id', 'notices.school_id').select(['notices.title', 'notices.audience', 'schools.stage', 'notices.pinned', 'notices.status', 'notices.body']).orderBy('notices.title').execute();
    expect(notices.map(({ body: _, ...n }) => n)).toEqual([
      { title: '2027年元旦、春节期间学生卡缴费时间安排', audience: 'k12', stage: null, pinned: true, status: 'published' },
      { title: '北京交通科技大学学生宿舍控水器取水常见问题', audience: null, stage: 'university', pinned: false, status: 'published' },
    ]);
    expect(notices[0]!.body).toContain('缴费时间为每周一和周二');
    expect(notices[1]!.body).toContain('校园卡账户余额不能低于0.10元');
    expect(await seedDemo(handle.db, clock)).toBe(false);
    expect(await count()).toBe(students);
  });

  it('opens next year from weekdays, 元旦 off, when the library does not know it, so ready dates run past New Year', async () => {
    const december = new ManualClock(new Date('2030-12-10T02:00:00Z')); // 2031 is beyond chinese-days
    await expect(workingDaysAfter(handle.db, '2030-12-20', 20)).rejects.toMatchObject({ code: 'CALENDAR_YEAR_NOT_LOADED' });
    expect(await openNextYearForDemo(handle.db, december)).toBe(2031);
    const newYear = await handle.db.selectFrom('calendar_days').selectAll().where('date', '=', '2031-01-01').executeTakeFirstOrThrow();
    expect(newYear).toMatchObject({ is_working_day: false, is_holiday: true, name: '元旦' });
    // 2030 itself is not loaded either: the demo opens the next year only, so this still refuses.
    await expect(workingDaysAfter(handle.db, '2030-12-20', 20)).rejects.toMatchObject({ code: 'CALENDAR_YEAR_NOT_LOADED' });
    expect(await workingDaysAfter(handle.db, '2031-01-02', 5)).toBe('2031-01-09');
    expect(await openNextYearForDemo(handle.db, december)).toBeNull();
  });
});
