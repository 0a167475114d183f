import { v7 } from 'uuid';

/** Time-ordered UUIDv7, generated in the app so ids exist before the row does (and work on PostgreSQL 15). */
export function newId(): string {
  return v7();
}
