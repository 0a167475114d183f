import { defineConfig } from 'vitest/config';

// Database-backed suites run once on PGlite and, when TEST_DATABASE_URL is set, again on PostgreSQL.
const dbSuites = ['test/db/**/*.test.ts', 'test/api/**/*.test.ts'];
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'db-pglite',
          include: dbSuites,
          globalSetup: ['test/support/setup-pglite.ts'],
          env: { ONECARD_TEST_DB: 'pglite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(onPostgres
        ? [{
            test: {
              name: 'db-postgres',
              include: dbSuites,
              globalSetup: ['test/support/setup-postgres.ts'],
              env: { ONECARD_TEST_DB: 'postgres' },
              testTimeout: 30_000,
              hookTimeout: 60_000,
            },
          }]
        : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/setup-pglite.ts'],
          env: { ONECARD_TEST_DB: 'pglite' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A page under load can take seconds to show what a poll waits for; the default is 1 s.
          expect: { poll: { timeout: 30_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
