/** Kysely table types (merged into the Database interface in src/platform/db/schema.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FulfilmentTables {}
