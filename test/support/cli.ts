import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/platform/db/database.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestDatabase, testDatabaseKind } from './databases.js';

const run = promisify(execFile);
const bin = join(projectRoot(), 'bin/onecard.js');

export interface CliHarness {
  /** Runs `onecard …` as an operator would: a child process against PGlite in DATA_DIR, or PostgreSQL. */
  onecard(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Opens the CLI's database from the test, between CLI runs (PGlite allows one process at a time). */
  withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startCli(): Promise<CliHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onecard-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  const testDb = testDatabaseKind() === 'postgres' ? await createTestDatabase('postgres') : undefined;
  if (testDb) env.DATABASE_URL = testDb.url;

  return {
    async onecard(...args) {
      try {
        const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, timeout: 60_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    async withDatabase(work) {
      const handle = testDb?.url ? openPostgres(testDb.url, 1) : (await openPglite({ dataDir: join(dataDir, 'pglite') })).handle;
      try {
        return await work(handle);
      } finally {
        await handle.close();
      }
    },
    close: async () => testDb?.close(),
  };
}
