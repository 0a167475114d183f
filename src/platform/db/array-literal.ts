/**
 * A PostgreSQL array literal (`{a,b,c}`) of values that need no quoting — uuids and integers —
 * for statements that carry thousands of rows as arrays: joining is several times cheaper than
 * the driver's quoting of every element. A value that would need quoting is refused, so a
 * malformed id can never turn into two elements.
 */
export function plainArrayLiteral(values: readonly (string | number)[]): string {
  for (const value of values) {
    if (typeof value === 'string' ? needsQuoting.test(value) || value === '' || /^null$/i.test(value) : !Number.isFinite(value)) {
      throw new TypeError(`not a plain array element: ${JSON.stringify(value)}`);
    }
  }
  return `{${values.join(',')}}`;
}

const needsQuoting = /[{},"\\\s]/;
