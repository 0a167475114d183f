import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlCharacter } from '../../platform/text.js';
import { isBatchRequest, transitValidatorCompiler } from './batch-body.js';
import { batchRequestSchema, MAX_BATCH_RECORDS } from './protocol.js';

/**
 * The in-place check of an upload body against the schema it stands in for: it never accepts
 * what the schema refuses (that would let a bad tap in), accepts every well-formed body (or the
 * fast path would be dead code), and what it accepts is what the schema would have given.
 */

const validFare = fc.oneof(
  fc.constant(null),
  fc.record({
    mode: fc.constantFrom('bus', 'rail'),
    category: fc.constantFrom('student', 'ordinary', 'cash'),
    lineType: fc.constantFrom('ordinary', 'tourist', 'express', 'customised'),
    distanceKm: fc.double({ min: 0, max: 80, noNaN: true }),
    fullFareFen: fc.nat({ max: 2000 }),
    fareFen: fc.nat({ max: 2000 }),
    rule: fc.constantFrom('BUS_STUDENT', 'BUS_ORDINARY_CARD', 'BUS_STUDENT_LINE_EXCLUDED', 'BUS_CASH', 'RAIL_CARD', 'RAIL_CASH'),
    monthSpentBeforeFen: fc.nat({ max: 100_000 }),
    entryStation: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !controlCharacter.test(s)),
    exitStation: fc.constantFrom('五道口', '西直门'),
  }, { requiredKeys: ['mode', 'category', 'fullFareFen', 'fareFen', 'rule'] }),
);

const validRecord = fc.record({
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  cardNo: fc.stringMatching(/^[0-9]{1,32}$/),
  cardCounter: fc.integer({ min: 1, max: 2 ** 31 }),
  kind: fc.constantFrom('bus', 'rail_entry', 'rail_exit', 'pos'),
  amountFen: fc.nat({ max: 10_000 }),
  balanceAfterFen: fc.integer({ min: -100_000, max: 100_000 }),
  at: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fare: validFare,
  appliedActionIds: fc.array(fc.uuid(), { maxLength: 3 }),
  tac: fc.stringMatching(/^[0-9a-f]{16}$/),
});

const validBody = fc.record({ batchId: fc.uuid(), records: fc.array(validRecord, { minLength: 1, maxLength: 5 }) });

/** One damage to a record field: a value of the wrong type, out of range, or malformed. */
const damage = fc.record({
  record: fc.nat(),
  field: fc.constantFrom(
    'batchId', 'records', 'seq', 'cardNo', 'cardCounter', 'kind', 'amountFen', 'balanceAfterFen', 'at', 'fare', 'appliedActionIds', 'tac',
    'fare.mode', 'fare.category', 'fare.lineType', 'fare.distanceKm', 'fare.fullFareFen', 'fare.fareFen', 'fare.rule', 'fare.monthSpentBeforeFen',
    'fare.entryStation', 'fare.exitStation',
  ),
  value: fc.oneof(
    fc.constantFrom(null, undefined, 0, -1, 1.5, 2 ** 53, '', 'x', '1\n2', 'a\u007f', [], {}, ['a\tb'], Array.from({ length: 33 }, () => 'a'), 'x'.repeat(65), true),
    fc.constantFrom('2026-11-23T01:00:00.000+08:00', '2026-02-30T01:00:00Z', '2026-11-23 01:00:00Z', 'BUS', 'metro', '0123456789ABCDEF', '0123456789abcde'),
    fc.anything(),
  ),
});

function damaged(body: { batchId: string; records: Record<string, unknown>[] }, d: { record: number; field: string; value: unknown }) {
  const copy = structuredClone(body);
  if (d.field === 'batchId' || d.field === 'records') return { ...copy, [d.field]: d.value };
  const record = copy.records[d.record % copy.records.length]!;
  if (d.field.startsWith('fare.')) {
    if (record.fare === null) record.fare = { mode: 'bus', category: 'student', fullFareFen: 100, fareFen: 25, rule: 'BUS_STUDENT' };
    (record.fare as Record<string, unknown>)[d.field.slice(5)] = d.value;
  } else {
    record[d.field] = d.value;
  }
  return copy;
}

describe('transitValidatorCompiler', () => {
  const route = (schema: unknown, httpPart: string) => ({ schema, httpPart, method: 'POST', url: '/api/v1/terminals/:terminalId/batches' }) as Parameters<typeof transitValidatorCompiler>[0];
  const body = { batchId: '0190a2b4-0000-7000-8000-000000000001', records: [{ seq: 1, cardNo: '31', cardCounter: 1, kind: 'bus', amountFen: 100, balanceAfterFen: 0, at: '2026-11-23T01:00:00.000Z', fare: null, appliedActionIds: [], tac: '0123456789abcdef' }] };

  it('passes a well-formed upload body through as it is (no copy), and leaves a bad one to the schema', () => {
    const validate = transitValidatorCompiler(route(batchRequestSchema, 'body'));
    expect((validate(body) as { value: unknown }).value).toBe(body);
    expect((validate({ ...body, batchId: 'x' }) as { error?: unknown }).error).toBeDefined();
  });

  it('validates every other schema by zod, which copies', () => {
    const validate = transitValidatorCompiler(route(batchRequestSchema.extend({}), 'body'));
    const { value } = validate(body) as { value: unknown };
    expect(value).toEqual(body);
    expect(value).not.toBe(body);
  });
});

describe('isBatchRequest: the upload body checked in place', () => {
  it('accepts every well-formed body, and the schema gives back the same body', () => {
    fc.assert(fc.property(validBody, (body) => {
      expect(isBatchRequest(body)).toBe(true);
      expect(batchRequestSchema.parse(body)).toEqual(body);
    }), { numRuns: 300 });
  });

  it('never accepts a body the schema refuses', () => {
    fc.assert(fc.property(validBody, damage, (body, d) => {
      const input = damaged(body, d);
      if (isBatchRequest(input)) expect(batchRequestSchema.safeParse(input).success).toBe(true);
    }), { numRuns: 2000 });
  });

  it('refuses each kind of damage the schema refuses', () => {
    const body = { batchId: '0190a2b4-0000-7000-8000-000000000001', records: [{ seq: 1, cardNo: '31', cardCounter: 1, kind: 'bus', amountFen: 100, balanceAfterFen: 0, at: '2026-11-23T01:00:00.000Z', fare: null, appliedActionIds: [], tac: '0123456789abcdef' }] };
    expect(isBatchRequest(body)).toBe(true);
    const refused = [
      damaged(body, { record: 0, field: 'seq', value: 0 }),
      damaged(body, { record: 0, field: 'cardNo', value: '31\t1' }),
      damaged(body, { record: 0, field: 'at', value: '2026-11-23T01:00:00.000+08:00' }),
      damaged(body, { record: 0, field: 'tac', value: '0123456789ABCDEF' }),
      damaged(body, { record: 0, field: 'fare.entryStation', value: '' }),
      damaged(body, { record: 0, field: 'appliedActionIds', value: ['a\u001fb'] }),
      { ...body, batchId: 'not-a-uuid' },
      { ...body, records: [] },
      { ...body, records: Array.from({ length: MAX_BATCH_RECORDS + 1 }, () => body.records[0]) },
    ];
    for (const input of refused) {
      expect(isBatchRequest(input)).toBe(false);
      expect(batchRequestSchema.safeParse(input).success).toBe(false);
    }
  });
});
