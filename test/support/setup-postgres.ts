import { buildPostgresTemplate, dropPostgresTestDatabases } from './databases.js';

export default async function setup(): Promise<() => Promise<void>> {
  await dropPostgresTestDatabases();
  await buildPostgresTemplate();
  return dropPostgresTestDatabases;
}
