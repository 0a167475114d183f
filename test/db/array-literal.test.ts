import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainArrayLiteral } from '../../src/platform/db/array-literal.js';
import { createTestDatabase } from '../support/databases.js';

/** What the database reads from a plain array literal: the same values, one element each. */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('plainArrayLiteral read back by the database', () => {
  it('gives back every accepted string as one text element, in order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 12 }), async (values) => {
      let literal: string;
      try {
        literal = plainArrayLiteral(values);
      } catch {
        return;
      }
      const { rows } = await sql<{ a: string[] }>`select ${literal}::text[] as a`.execute(database.db);
      expect(rows[0]!.a).toEqual(values);
    }), { numRuns: 60 });
  });

  it('gives back integers and uuids as themselves', async () => {
    const { rows } = await sql<{ n: string[]; u: string[] }>`
      select (${plainArrayLiteral([0, -15, 9_007_199_254_740_991])}::int8[])::text[] as n,
             (${plainArrayLiteral(['0190a2b4-0000-7000-8000-000000000001'])}::uuid[])::text[] as u`.execute(database.db);
    expect(rows[0]).toEqual({ n: ['0', '-15', '9007199254740991'], u: ['0190a2b4-0000-7000-8000-000000000001'] });
  });
});
