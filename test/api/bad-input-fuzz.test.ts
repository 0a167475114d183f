import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Bad input never reaches a 500 (engineering standard "Bad input"): every operation in the
 * OpenAPI document is called, by each kind of caller, with bodies, queries and path parameters
 * generated from its own schema and then spoiled (wrong types, empty and huge strings, control
 * characters, out-of-range numbers, unknown ids). Each answer must be below 500 and, when it is
 * an error, carry a stable code and a message in Chinese and English, with no stack trace.
 * Seeded, so a failure names a case that can be replayed.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; schema?: Schema; required?: boolean };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; tags?: string[] };
type Endpoint = { method: string; path: string; operation: Operation };

/** Values that break naive code: each is wrong for most fields. */
const hostile = fc.constantFrom<unknown>(
  null, '', ' ', 'x'.repeat(5_000), '\u0000', 'a\u0007b', '😀'.repeat(40), '../../etc/passwd', "'; drop table students; --", '%00',
  -1, 0, 2 ** 31, -(2 ** 53), 1e308, 1.5, Number.MAX_SAFE_INTEGER, true, [], {}, [null], { $gt: '' },
  '2026-02-30', '9999-12-31T23:59:59Z', '00000000-0000-0000-0000-000000000000', 'not-a-uuid',
);

/** Ids of records that exist (set up below) or not: a use case is reached only with the former. */
const knownIds: string[] = [];
const anyId = () => fc.oneof(fc.uuid(), fc.constantFrom(...knownIds));

/** Strings matching the pattern, where fast-check can read it (not lookaheads); else any string. */
function patterned(pattern: string, maxLength: number): fc.Arbitrary<unknown> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= maxLength);
  } catch {
    return fc.string({ maxLength: Math.min(maxLength, 40) });
  }
}

/** A value the schema describes, roughly: enough to get past validation into the use case. */
function typical(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => typical(s, depth + 1)));
  if (schema.allOf) return typical(Object.assign({}, ...schema.allOf) as Schema, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'uuid') return anyId();
      if (schema.format === 'date') return fc.constantFrom('2026-12-07', '2027-01-31', '2026-02-29');
      if (schema.format === 'date-time') return fc.constantFrom('2026-12-07T08:00:00+08:00', '2027-06-30T16:00:00Z');
      if (schema.pattern) return patterned(schema.pattern, schema.maxLength ?? 200);
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 40) });
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(schema.minimum ?? -10, -1_000_000), max: Math.min(schema.maximum ?? 100_000, 1_000_000) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(typical(schema.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const props = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, prop] of Object.entries(props)) record[name] = value(prop, depth + 1);
      return fc.record(record, { requiredKeys: schema.required?.filter((k) => k in props) ?? [] });
    }
    default:
      return fc.constant(null);
  }
}

/** Mostly the schema's own kind of value, sometimes a hostile one. */
const value = (schema: Schema | undefined, depth = 0) => fc.oneof({ arbitrary: typical(schema, depth), weight: 4 }, { arbitrary: hostile, weight: 1 });

function endpointsOf(doc: { paths: Record<string, Record<string, Operation>> }): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })));
}

const upstreamOutage = (status: number, body: string) => (status === 502 || status === 503) && /"code":"(GATEWAY_UNAVAILABLE|[A-Z_]+_UNAVAILABLE)"/.test(body);
const gatewayProtocol = (e: Endpoint) => e.path.includes('/payments/notify/');

/** Ending the caller's own session would sign the rest of the run out; it is tested in identity tests. */
const signsOut = (e: Endpoint) => e.method === 'DELETE' && /\/sessions/.test(e.path);

/** FUZZ_RUNS and FUZZ_SEED explore further by hand; the suite runs the fixed seed. */
const runs = Number(process.env.FUZZ_RUNS ?? 12);
const seed = Number(process.env.FUZZ_SEED ?? 20261207);

let t: TestApp;
const tokens: Record<string, string | undefined> = { anonymous: undefined };

beforeAll(async () => {
  t = await createTestApp();
  const university = await t.factory.newSchool({ stage: 'university' });
  const student = await t.factory.newStudent({ schoolId: university.id, queryPassword: '246813' });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  const parent = await t.factory.newParent({ children: [student.id] });
  const manager = await t.factory.newStaff('school_admin', { schoolId: university.id });
  const operator = await t.factory.newStaff('operator');
  knownIds.push(university.id, student.id, card.id, parent.id, manager.id, operator.id);
  tokens.student = await t.factory.loginAs('student', student.education_id, student.password);
  tokens.parent = await t.factory.loginAs('parent', parent.phone, parent.password);
  tokens.school_admin = await t.factory.loginAs('staff', manager.username, manager.password);
  tokens.operator = await t.factory.loginAs('staff', operator.username, operator.password);
});
afterAll(async () => t.close());

it('answers every operation’s spoiled input below 500, with a coded bilingual error', { timeout: 600_000 }, async () => {
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
  const endpoints = endpointsOf(doc).filter((e) => !signsOut(e));
  expect(endpoints.length).toBeGreaterThan(100);
  const callers = Object.keys(tokens);
  let calls = 0;
  const serverErrors: string[] = [];
  const badErrors: string[] = [];

  for (const endpoint of endpoints) {
    const params = endpoint.operation.parameters ?? [];
    const bodySchema = endpoint.operation.requestBody?.content?.['application/json']?.schema;
    const caseArb = fc.record({
      caller: fc.constantFrom(...callers),
      path: fc.record(Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, fc.oneof(typical(p.schema), fc.constantFrom('x', '%E4', '..', '0'))]))),
      query: fc.record(Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, value(p.schema)])), { requiredKeys: [] }),
      body: bodySchema ? fc.oneof({ arbitrary: typical(bodySchema), weight: 3 }, { arbitrary: hostile, weight: 1 }) : fc.constant(undefined),
    });
    await fc.assert(fc.asyncProperty(caseArb, async (c) => {
      const url = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(c.path[name])));
      const query = new URLSearchParams(Object.entries(c.query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
      const token = tokens[c.caller];
      const res = await t.app.inject({
        method: endpoint.method as 'GET',
        url: query ? `${url}?${query}` : url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
      });
      calls++;
      // 502/503 are coded answers about a gateway out of reach (none listens in this test), not faults.
      if (res.statusCode >= 500 && !upstreamOutage(res.statusCode, res.body)) {
        serverErrors.push(`${endpoint.method} ${endpoint.path} as ${c.caller} → ${res.statusCode} ${res.body.slice(0, 200)}\n  case: ${JSON.stringify(c).slice(0, 400)}`);
        return;
      }
      // A gateway's notification is answered in the gateway's own protocol (Alipay's "fail"), not ours.
      if (res.statusCode >= 400 && !gatewayProtocol(endpoint)) {
        const body = res.json() as { error?: { code?: unknown; message?: unknown; messageEn?: unknown } };
        const shaped = typeof body.error?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(body.error.code) && typeof body.error.message === 'string' && typeof body.error.messageEn === 'string';
        if (!shaped || /at .*\.(ts|js):\d+/.test(res.body)) badErrors.push(`${endpoint.method} ${endpoint.path} as ${c.caller} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }), { numRuns: runs, seed });
  }
  expect(serverErrors).toEqual([]);
  expect(badErrors).toEqual([]);
  expect(calls).toBe(endpoints.length * runs);
});
