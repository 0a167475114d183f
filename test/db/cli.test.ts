import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/platform/db/database.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestDatabase, testDatabaseKind } from '../support/databases.js';

const run = promisify(execFile);
const bin = join(projectRoot(), 'bin/onecard.js');
const dataDir = mkdtempSync(join(tmpdir(), 'onecard-cli-'));
let env: NodeJS.ProcessEnv;
let testDb: (DatabaseHandle & { url?: string }) | undefined;

/** The CLI as an operator runs it: a child process against PGlite in DATA_DIR, or PostgreSQL. */
async function onecard(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = testDb?.url ? openPostgres(testDb.url, 1) : (await openPglite({ dataDir: join(dataDir, 'pglite') })).handle;
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  if (testDatabaseKind() === 'postgres') {
    testDb = await createTestDatabase('postgres');
    env.DATABASE_URL = testDb.url;
  }
});
afterAll(async () => testDb?.close());

describe('onecard CLI', () => {
  it('prints help for every command', async () => {
    const top = await onecard('--help');
    expect(top.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed', 'operator']) expect(top.stdout).toContain(command);
    const create = await onecard('operator', 'create', '--help');
    expect(create.stdout).toContain('--username');
    expect(create.stdout).toContain('--password');
  });

  it('migrates, seeds the demo data once, and creates an operator', async () => {
    expect((await onecard('migrate')).stdout).toContain('up to date');
    expect((await onecard('seed', '--demo')).stdout).toContain('demo data loaded');
    expect((await onecard('seed', '--demo')).stdout).toContain('already loaded');
    const created = await onecard('operator', 'create', '--username', 'cli-op', '--password', 'Cli-pass-2026');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('operator cli-op created');
    const staff = await withDatabase((h) => h.db.selectFrom('staff_users').select(['role', 'password_hash']).where('username', '=', 'cli-op').executeTakeFirstOrThrow());
    expect(staff.role).toBe('operator');
    expect(staff.password_hash).toMatch(/^\$argon2id\$/);
  }, 120_000);

  it('refuses bad input with a clear message and exit status 1', async () => {
    const taken = await onecard('operator', 'create', '--username', 'cli-op', '--password', 'Cli-pass-2026');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('STAFF_USERNAME_TAKEN');
    const short = await onecard('operator', 'create', '--username', 'x', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/Invalid input/);
    const missing = await onecard('operator', 'create');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--username');
  }, 120_000);
});
