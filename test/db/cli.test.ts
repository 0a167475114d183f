import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle } from '../../src/platform/db/database.js';
import { startCli, type CliHarness } from '../support/cli.js';

let cli: CliHarness;
const onecard = (...args: string[]) => cli.onecard(...args);
const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => cli.withDatabase(work);

beforeAll(async () => {
  cli = await startCli();
});
afterAll(async () => cli.close());

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
