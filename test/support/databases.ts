import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { prepareDatabase } from '../../src/platform/boot.js';
import { systemClock } from '../../src/platform/clock.js';
import { Migrator, type LogConfig } from 'kysely';
import { migrations, openPglite, openPostgres, type DatabaseHandle } from '../../src/platform/db/database.js';
import { projectRoot } from '../../src/platform/paths.js';
import { templateKey } from './template-key.js';

/**
 * Each test file gets a clean, migrated database quickly: migrations run into a template (a
 * PGlite data-dir dump, or a PostgreSQL template database), and each file gets a copy of it.
 */
const templateDir = resolve(projectRoot(), '.test-db');
/**
 * Each test run has its own PostgreSQL namespace (`onecard_t<run>_…`), so two runs against one
 * server (two engineers, or CI beside a developer) never drop each other's databases. The run id
 * comes from global setup through vitest's provide/inject.
 */
const pgPrefix = (runId: string) => `onecard_t${runId}_`;
const pgTemplateName = (runId: string) => `${pgPrefix(runId)}template`;

/**
 * A template no run has started with for this long belongs to an old migration set (each is
 * ~44 MB). Far longer than a whole test run, whose workers read its template until the end.
 */
const staleTemplateMs = 3 * 60 * 60 * 1000;

/**
 * The PGlite template for the current migrations: `.test-db/pglite-<key>.tar`, where the key
 * hashes what builds it (template-key.ts). Runs with the same migrations reuse the file; a run
 * with other migrations (another branch, a migration being written) gets its own, so concurrent
 * runs never replace each other's template. Returns the path for the run's workers.
 */
export async function preparePgliteTemplate(): Promise<string> {
  mkdirSync(templateDir, { recursive: true });
  const path = resolve(templateDir, `pglite-${templateKey()}.tar`);
  if (existsSync(path)) {
    const now = new Date();
    utimesSync(path, now, now); // in use: not stale
  } else {
    await buildPgliteTemplate(path);
  }
  removeStaleTemplates(path);
  return path;
}

async function buildPgliteTemplate(path: string): Promise<void> {
  const { handle, client } = await openPglite();
  await prepareDatabase(handle.db, systemClock);
  const dump = await client.dumpDataDir('none');
  await handle.close();
  // Written aside and renamed: a run reading the same key sees the whole file or none.
  const partial = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
}

function removeStaleTemplates(keep: string): void {
  for (const name of readdirSync(templateDir)) {
    const file = resolve(templateDir, name);
    const usedAt = statSync(file, { throwIfNoEntry: false })?.mtimeMs; // another run may have just removed it
    if (file !== keep && usedAt !== undefined && Date.now() - usedAt > staleTemplateMs) rmSync(file, { force: true });
  }
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function buildPostgresTemplate(runId: string): Promise<void> {
  await withAdmin((c) => c.query(`create database ${pgTemplateName(runId)}`));
  const handle = openPostgres(urlFor(pgTemplateName(runId)), 2);
  await prepareDatabase(handle.db, systemClock);
  await handle.close();
}

export async function dropPostgresTestDatabases(runId: string): Promise<void> {
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where starts_with(datname, $1)`, [pgPrefix(runId)]);
    for (const { datname } of rows) await c.query(`drop database if exists ${datname} with (force)`);
  });
}

export type TestDatabaseKind = 'pglite' | 'postgres';

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.ONECARD_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

/** A fresh migrated database for one test file; `close()` throws it away. `log`: see query-count.ts. */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind(), options: { log?: LogConfig } = {}): Promise<DatabaseHandle & { url?: string }> {
  if (kind === 'pglite') {
    const { handle } = await openPglite({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]), ...options });
    return handle;
  }
  return createPostgresTestDatabase(pgTemplateName(inject('postgresRunId')), options);
}

/**
 * For a migration test: a fresh database of this project's kind, migrated up to just before
 * `migration`, so the test can store rows as they were and then migrate the rest.
 */
export async function createTestDatabaseBefore(migration: string, kind: TestDatabaseKind = testDatabaseKind()): Promise<DatabaseHandle & { url?: string }> {
  const handle = kind === 'pglite' ? (await openPglite()).handle : await createPostgresTestDatabase('template0');
  const names = Object.keys(migrations);
  const at = names.indexOf(migration);
  if (at < 1) throw new Error(`no migration before ${migration}`);
  const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => migrations } }).migrateTo(names[at - 1]!);
  if (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

async function createPostgresTestDatabase(template: string, options: { log?: LogConfig } = {}): Promise<DatabaseHandle & { url: string }> {
  const runId = inject('postgresRunId');
  const name = `${pgPrefix(runId)}${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name} template ${template}`));
  const handle = openPostgres(urlFor(name), 10, options);
  return {
    ...handle,
    url: urlFor(name),
    async close() {
      await handle.close();
      await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
