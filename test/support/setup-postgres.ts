import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { buildPostgresTemplate, dropPostgresTestDatabases } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresRunId: string;
  }
}

/** Builds this run's migrated template database and drops all of the run's databases at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(4).toString('hex');
  project.provide('postgresRunId', runId);
  await buildPostgresTemplate(runId);
  return () => dropPostgresTestDatabases(runId);
}
