import type { LogEvent } from 'kysely';

/**
 * Counts database round trips: every statement the driver sends (begin, commit and rollback
 * included), as Kysely's query log sees them. Give `log` to createTestApp, then wrap the one
 * request to count in `during`; nothing else may use the database meanwhile.
 */
export interface QueryCounter {
  log(event: LogEvent): void;
  /** Runs `work` and returns what it returned with the statements sent while it ran, in order. */
  during<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
}

export function queryCounter(): QueryCounter {
  let recording: string[] | null = null;
  return {
    log(event) {
      recording?.push(event.query.sql);
    },
    async during(work) {
      const statements: string[] = [];
      recording = statements;
      try {
        return { result: await work(), statements };
      } finally {
        recording = null;
      }
    },
  };
}
