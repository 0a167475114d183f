import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delimitedList, delimitedRows, FIELD_SEPARATOR, ITEM_SEPARATOR, ROW_SEPARATOR } from '../../src/platform/db/delimited-rows.js';
import { controlCharacter } from '../../src/platform/text.js';
import { createTestDatabase } from '../support/databases.js';

/** What the database reads back from delimited rows: the same fields, nulls as nulls, lists as arrays. */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const printable = fc.string({ minLength: 1, maxLength: 10, unit: 'binary' }).filter((s) => !controlCharacter.test(s));
const field = fc.oneof(printable, fc.integer(), fc.constant(null));

describe('delimitedRows read back by the database', () => {
  it('gives back every row and field as sent, in order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(field, field, field, fc.array(printable, { maxLength: 3 })), { minLength: 1, maxLength: 8 }), async (rows) => {
      const text = delimitedRows(rows.map(([a, b, c, list]) => [a, b, c, delimitedList(list)]));
      const { rows: back } = await sql<{ a: string | null; b: string | null; c: string | null; list: string[] | null }>`
        select nullif(f[1], '') as a, nullif(f[2], '') as b, nullif(f[3], '') as c, string_to_array(nullif(f[4], ''), ${ITEM_SEPARATOR}) as list
        from string_to_table(${text}, ${ROW_SEPARATOR}) with ordinality as r(line, n), string_to_array(r.line, ${FIELD_SEPARATOR}) as f
        order by r.n`.execute(database.db);
      const asText = (v: string | number | null) => (v === null ? null : String(v));
      expect(back).toEqual(rows.map(([a, b, c, list]) => ({ a: asText(a), b: asText(b), c: asText(c), list: list.length === 0 ? null : list })));
    }), { numRuns: 60 });
  });

  it('refuses a field or list item that could split or turn into a null', () => {
    for (const value of ['', 'a\u001fb', 'a\u001eb', 'a\nb', 'a\tb', 'a\u007f']) expect(() => delimitedRows([[value]])).toThrow(TypeError);
    for (const item of ['', 'a\u001db', 'a\u001fb']) expect(() => delimitedList([item])).toThrow(TypeError);
    expect(() => delimitedRows([[Number.NaN]])).toThrow(TypeError);
    expect(() => delimitedRows([[Infinity]])).toThrow(TypeError);
  });
});
