import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { installErrorHandling } from '../../src/platform/http/error-handler.js';
import { createTestDatabase, testDatabaseKind } from '../support/databases.js';

/** What the error handler answers for an error thrown by a route. */
async function answerTo(error: unknown) {
  const app = Fastify();
  installErrorHandling(app);
  app.post('/settle', async () => {
    throw error;
  });
  const res = await app.inject({ method: 'POST', url: '/settle' });
  await app.close();
  return res;
}

describe('transient database failures', () => {
  it.each([['40P01'], ['40001']])('SQLSTATE %s is 503 DATABASE_BUSY with Retry-After', async (sqlState) => {
    const res = await answerTo(Object.assign(new Error('could not serialize access'), { code: sqlState }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ error: { code: 'DATABASE_BUSY', details: { sqlState } } });
  });

  it('any other database error stays a bare 500', async () => {
    const res = await answerTo(Object.assign(new Error('division by zero'), { code: '22012' }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
    expect(res.body).not.toMatch(/division/);
  });
});

/**
 * A deadlock PostgreSQL breaks (two writers taking the same rows in opposite orders) rolls one
 * of them back. Its request is answered 503 DATABASE_BUSY with Retry-After, not a 500: the work
 * was undone whole and the same request may be sent again (a terminal re-uploads its batch).
 * PGlite has one connection, so it cannot deadlock: PostgreSQL only.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('a deadlock broken by PostgreSQL', () => {
  let handle: DatabaseHandle & { url?: string };
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  /** Two sessions lock rows 1 and 2 in opposite orders; returns what the loser threw. */
  async function deadlockError(): Promise<unknown> {
    const [a, b] = [new pg.Client({ connectionString: handle.url }), new pg.Client({ connectionString: handle.url })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('create table if not exists busy_rows (id int primary key, n int not null)');
      await a.query('insert into busy_rows values (1, 0), (2, 0) on conflict do nothing');
      await Promise.all([a.query('begin'), b.query('begin')]);
      await a.query('update busy_rows set n = n + 1 where id = 1');
      await b.query('update busy_rows set n = n + 1 where id = 2');
      const results = await Promise.allSettled([a.query('update busy_rows set n = n + 1 where id = 2'), b.query('update busy_rows set n = n + 1 where id = 1')]);
      await Promise.all([a.query('rollback'), b.query('rollback')]);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost).toHaveLength(1);
      return lost[0]!.reason;
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  }

  it('is answered 503 DATABASE_BUSY with Retry-After, in both languages and without internals', async () => {
    const error = await deadlockError();
    expect(error).toMatchObject({ code: '40P01' });

    const res = await answerTo(error);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({
      error: { code: 'DATABASE_BUSY', message: expect.stringMatching(/重试/), messageEn: expect.stringMatching(/retry/), details: { sqlState: '40P01' } },
    });
    expect(res.body).not.toMatch(/deadlock|busy_rows/);
  });
});
