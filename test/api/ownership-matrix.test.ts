import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Every read is authorised by ownership (engineering standard "Privacy and safety"), checked for
 * the whole API at once: family A's student and parent, a university student of family A, and
 * the card manager of another school call every GET operation in the OpenAPI document with
 * family B's ids in every path and query parameter that names a student, card, order, school or
 * bill. Whatever the answer (a refusal, or a list narrowed to the caller's own), nothing of family
 * B may be in it that the caller did not send: not its ids, education ids, names, card numbers,
 * phone or order number. And every change they ask for on B's records (B's ids in the path or
 * the body) is refused, with nothing written to the audit log.
 */

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown; format?: string; pattern?: string; minimum?: number; maximum?: number; minLength?: number; anyOf?: Schema[] };
type Operation = { parameters?: { name: string; in: 'path' | 'query' | 'header' }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };

let t: TestApp;
const callers: Record<string, string> = {};
/** Who may make family B's changes: B's parent in the app, an operator in the console. */
const rightful: Record<string, string> = {};
/** The value family B gives each parameter name. */
const theirs: Record<string, string> = {};
/** What must never appear in an answer to family A's callers. */
const markers: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const school = await t.factory.newSchool({ stage: 'primary' });
  const otherSchool = await t.factory.newSchool({ stage: 'primary' });
  const university = await t.factory.newSchool({ stage: 'university' });
  const operator = await t.factory.operatorToken();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  // Family A: a pupil with a card and a parent, and a university student.
  const pupilA = await t.factory.newStudent({ schoolId: school.id, name: '甲小学生' });
  await t.factory.newCard(pupilA.id);
  const parentA = await t.factory.newParent({ children: [pupilA.id] });
  const undergradA = await t.factory.newStudent({ schoolId: university.id, name: '甲大学生', queryPassword: '246813' });
  await t.factory.newCard(undergradA.id, { product: 'campus_card' });
  const managerElsewhere = await t.factory.newStaff('school_admin', { schoolId: otherSchool.id });
  callers.pupilA = await t.factory.loginAs('student', pupilA.education_id, pupilA.password);
  callers.parentA = await t.factory.loginAs('parent', parentA.phone, parentA.password);
  callers.undergradA = await t.factory.loginAs('student', undergradA.education_id, undergradA.password);
  callers.managerElsewhere = await t.factory.loginAs('staff', managerElsewhere.username, managerElsewhere.password);

  // Family B, in the same school and university: a pupil with a card, a parent and an order; a university student with a bill.
  const pupilB = await t.factory.newStudent({ schoolId: school.id, name: '乙小学生' });
  const cardB = await t.factory.newCard(pupilB.id);
  const parentB = await t.factory.newParent({ children: [pupilB.id] });
  const parentBToken = await t.factory.loginAs('parent', parentB.phone, parentB.password);
  Object.assign(rightful, { parentB: parentBToken, operator });
  const order = await t.app.inject({ method: 'POST', url: '/api/v1/orders/top-up', headers: auth(parentBToken), payload: { cardId: cardB.id, amountFen: 5_000 } });
  expect(order.statusCode, order.body).toBe(201);
  const undergradB = await t.factory.newStudent({ schoolId: university.id, name: '乙大学生' });
  await t.ctx.db.updateTable('students').set({ student_no: 'B2026001' }).where('id', '=', undergradB.id).execute();
  const campusCardB = await t.factory.newCard(undergradB.id, { product: 'campus_card' });
  const bill = await t.app.inject({
    method: 'POST', url: '/api/v1/admin/campus/bills', headers: auth(operator),
    payload: { schoolId: university.id, studentNo: 'B2026001', kind: 'tuition', academicYear: '2026-2027', amountFen: 500_000, dueDate: '2027-03-01' },
  });
  expect(bill.statusCode, bill.body).toBe(201);

  // B's card is lost and replaced by post: an application with the family's address.
  expect((await t.app.inject({ method: 'POST', url: `/api/v1/cards/${cardB.id}/loss`, headers: auth(parentBToken) })).statusCode).toBe(200);
  const delivery = { method: 'home', recipient: '乙家收件人', phone: '13900001111', address: '北京市西城区乙家胡同9号' };
  const application = await t.app.inject({
    method: 'POST', url: '/api/v1/fulfilment/applications', headers: auth(parentBToken),
    payload: { kind: 'replacement', name: pupilB.name, idType: 'resident_id', idNumber: pupilB.id_number, educationId: pupilB.education_id, cardId: cardB.id, delivery },
  });
  expect(application.statusCode, application.body).toBe(201);
  markers.push(delivery.recipient, delivery.address);

  Object.assign(theirs, {
    applicationId: application.json().id as string,
    studentId: pupilB.id, cardId: cardB.id, orderId: order.json().id as string, cardNo: cardB.card_no, schoolId: school.id,
    billId: (await t.ctx.db.selectFrom('school_bills').select('id').where('student_id', '=', undergradB.id).executeTakeFirstOrThrow()).id,
  });
  markers.push(pupilB.id, pupilB.education_id, pupilB.name, cardB.id, cardB.card_no, parentB.id, parentB.phone, order.json().orderNo as string,
    undergradB.id, undergradB.education_id, undergradB.name, campusCardB.id, campusCardB.card_no);
});
afterAll(async () => t.close());

it('never shows family B to family A or to another school’s card manager, whatever B’s ids are put in a read', async () => {
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
  const reads = Object.entries(doc.paths).flatMap(([path, methods]) => (methods.get ? [{ path, operation: methods.get }] : []));
  expect(reads.length).toBeGreaterThan(60);
  const leaks: string[] = [];
  let asked = 0;
  for (const { path, operation } of reads) {
    const params = operation.parameters ?? [];
    // A read whose path names something family B has no value for (a terminal, a venue) is not about B.
    const pathNames = params.filter((p) => p.in === 'path').map((p) => p.name);
    if (pathNames.some((name) => !(name in theirs))) continue;
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(theirs[name]!));
    const query = new URLSearchParams(params.filter((p) => p.in === 'query' && p.name in theirs).map((p) => [p.name, theirs[p.name]!])).toString();
    for (const [caller, token] of Object.entries(callers)) {
      const res = await t.app.inject({ method: 'GET', url: query ? `${url}?${query}` : url, headers: { authorization: `Bearer ${token}` } });
      asked++;
      expect(res.statusCode, `GET ${path} as ${caller}`).toBeLessThan(500);
      // An error may say back what it was asked about (CARD_NOT_FOUND { cardId }): that tells the caller nothing new.
      const sent = decodeURIComponent(`${url}?${query}`);
      const seen = markers.filter((m) => res.body.includes(m) && !sent.includes(m));
      if (seen.length > 0) leaks.push(`GET ${path}${query ? `?${query}` : ''} as ${caller} → ${res.statusCode} shows ${seen.join(', ')}`);
    }
  }
  expect(leaks).toEqual([]);
  expect(asked).toBeGreaterThan(200);
});

it('shows family B to family B’s own parent, so the check above can see a leak when there is one', async () => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${theirs.cardId}`, headers: { authorization: `Bearer ${callers.parentA}` } });
  expect(res.statusCode).toBe(403);
  const own = await t.ctx.db.selectFrom('parent_students').select('parent_id').where('student_id', '=', theirs.studentId!).executeTakeFirstOrThrow();
  const parent = await t.ctx.db.selectFrom('parents').select('phone').where('id', '=', own.parent_id).executeTakeFirstOrThrow();
  const token = await t.factory.loginAs('parent', parent.phone, '123456');
  const mine = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${theirs.cardId}`, headers: { authorization: `Bearer ${token}` } });
  expect(markers.some((m) => mine.body.includes(m))).toBe(true);
});

/**
 * A body the operation's schema accepts, as near as a plain reading of it gets: required fields
 * only, family B's ids where a field is named for one, the first of an enum, the least number.
 */
function bodyFor(schema: Schema | undefined, name = ''): unknown {
  if (!schema) return undefined;
  if (name in theirs) return theirs[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return bodyFor(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, bodyFor(schema.properties?.[key], key)]));
    case 'array':
      return [bodyFor(schema.items, name)];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(100, schema.maximum ?? 100));
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return theirs.cardId;
      if (schema.format === 'date') return '2027-01-15';
      if (schema.pattern) {
        try {
          return fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { numRuns: 1, seed: 1 })[0];
        } catch {
          return 'x'.repeat(schema.minLength ?? 1);
        }
      }
      return '测'.repeat(Math.max(schema.minLength ?? 1, 2));
    default:
      return null;
  }
}

/** Refusals that say "not yours, or not for your role": enough on their own. */
const ownershipRefusal = /^(ACCESS_DENIED|FORBIDDEN|NOT_FOUND|UNAUTHENTICATED)$|_NOT_FOUND$|_ROLE$|_ONLY$/;

it('refuses every change family A or another school’s card manager asks for on family B’s records, and changes nothing', async () => {
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
  const writes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).filter(([m]) => ['post', 'put', 'patch', 'delete'].includes(m)).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })));
  const audited = async () => Number((await t.ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const findings: string[] = [];
  let asked = 0;
  for (const { method, path, operation } of writes) {
    const pathNames = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    if (pathNames.some((name) => !(name in theirs))) continue;
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    const body = bodyFor(bodySchema);
    // Only a change addressed to family B: by the path, or by a field of the body. (A school id in
    // a body is not: a card manager's own school is put in its place, as console lists do.)
    const aimed = pathNames.length > 0 || Object.keys(bodySchema?.properties ?? {}).some((key) => key in theirs && key !== 'schoolId');
    if (!aimed) continue;
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(theirs[name]!));
    const send = (token: string) => t.app.inject({
      method: method as 'POST', url,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const before = await audited();
    const refusals: { caller: string; code: string }[] = [];
    for (const [caller, token] of Object.entries(callers)) {
      const res = await send(token);
      asked++;
      expect(res.statusCode, `${method} ${path} as ${caller}: ${res.body}`).toBeLessThan(500);
      if (res.statusCode < 400) findings.push(`${method} ${path} as ${caller} → ${res.statusCode} ${res.body.slice(0, 160)}`);
      else refusals.push({ caller, code: (res.json() as { error: { code: string } }).error.code });
    }
    if ((await audited()) !== before) findings.push(`${method} ${path}: the refused calls wrote to the audit log`);
    // Any other refusal (a bad amount, a wrong password) must be one that whoever may make the
    // change (B's parent, an operator) gets too with the same body: else it stood in for a missing
    // ownership check.
    const unproven = refusals.filter((r) => !ownershipRefusal.test(r.code));
    if (unproven.length === 0) continue;
    const referenceCodes: string[] = [];
    for (const token of Object.values(rightful)) {
      const res = await send(token);
      referenceCodes.push(res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : String(res.statusCode));
    }
    for (const r of unproven) if (!referenceCodes.includes(r.code)) findings.push(`${method} ${path} as ${r.caller} → ${r.code}, but family B's parent and an operator get ${referenceCodes.join(', ')}`);
  }
  expect(findings).toEqual([]);
  expect(asked).toBeGreaterThan(100);
});
