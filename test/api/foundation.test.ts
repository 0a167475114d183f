import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintKey } from '../../src/platform/idempotency.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operatorToken: string;

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  operatorToken = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

function expectErrorShape(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String), messageEn: expect.any(String) } });
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
}

describe('health, readiness, metrics, OpenAPI', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await t.app.inject('/healthz');
    const res = await t.app.inject('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('onecard_http_request_duration_seconds_bucket');
    expect(res.body).toContain('onecard_process_cpu_seconds_total');
  });

  it('publishes OpenAPI generated from the route schemas', async () => {
    const spec = (await t.app.inject('/openapi.json')).json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.paths['/api/v1/sessions']?.post?.requestBody).toBeDefined();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/me', '/api/v1/staff', '/api/v1/admin/schools']));
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });

  it('echoes a request id on every response', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
  });
});

describe('bad input gets the error shape with a 4xx', () => {
  it('unknown route: 404 ROUTE_NOT_FOUND', async () => {
    const res = await t.app.inject('/api/v1/no-such-thing');
    expect(res.statusCode).toBe(404);
    expectErrorShape(res.json(), 'ROUTE_NOT_FOUND');
  });

  it('malformed JSON: 400 MALFORMED_JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'content-type': 'application/json' }, payload: '{"as": "staff",' });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), 'MALFORMED_JSON');
  });

  it('wrong types and missing fields: 400 VALIDATION_FAILED naming the fields', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'wizard', login: 42 } });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: { details: { issues: { path: string }[] } } };
    expectErrorShape(body, 'VALIDATION_FAILED');
    const paths = body.error.details.issues.map((i) => i.path).join(' ');
    expect(paths).toContain('as');
    expect(paths).toContain('login');
    expect(paths).toContain('password');
  });

  it('oversized body: 413 BODY_TOO_LARGE', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'staff', login: 'x', password: 'p'.repeat(10_000) } });
    expect(res.statusCode).toBe(413);
    expectErrorShape(res.json(), 'BODY_TOO_LARGE');
  });

  it('unsupported content type: 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
    expectErrorShape(res.json(), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('bad query parameters: 400', async () => {
    const res = await t.app.inject({ url: '/api/v1/admin/schools?page=0&pageSize=1000', headers: auth(operatorToken) });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), 'VALIDATION_FAILED');
  });
});

describe('tokens', () => {
  it('no token on a protected route: 401 AUTH_REQUIRED', async () => {
    const res = await t.app.inject('/api/v1/me');
    expect(res.statusCode).toBe(401);
    expectErrorShape(res.json(), 'AUTH_REQUIRED');
  });

  it('forged and malformed tokens: 401 AUTH_TOKEN_INVALID', async () => {
    for (const header of ['Bearer oc_forged-token-that-was-never-issued', 'Bearer', 'Basic dXNlcjpwYXNz']) {
      const res = await t.app.inject({ url: '/api/v1/me', headers: { authorization: header } });
      expect(res.statusCode).toBe(401);
      expectErrorShape(res.json(), 'AUTH_TOKEN_INVALID');
    }
  });

  it('a token stops working when it expires', async () => {
    const staff = await t.factory.newStaff('operator');
    const token = await t.factory.loginAs('staff', staff.username, staff.password);
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth(token) })).statusCode).toBe(200);
    t.clock.advance(t.ctx.config.sessionTtlMinutes * 60_000 + 1);
    const res = await t.app.inject({ url: '/api/v1/me', headers: auth(token) });
    expect(res.statusCode).toBe(401);
    expectErrorShape(res.json(), 'AUTH_TOKEN_EXPIRED');
    operatorToken = await t.factory.operatorToken();
  });

  it('a stale token does not stop a public endpoint such as sign-in', async () => {
    const staff = await t.factory.newStaff('operator');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { authorization: 'Bearer oc_revoked-long-ago' }, payload: { as: 'staff', login: staff.username, password: staff.password } });
    expect(res.statusCode).toBe(201);
  });

  it('a token is revoked on sign-out', async () => {
    const staff = await t.factory.newStaff('operator');
    const token = await t.factory.loginAs('staff', staff.username, staff.password);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: auth(token) })).statusCode).toBe(204);
    const res = await t.app.inject({ url: '/api/v1/me', headers: auth(token) });
    expect(res.statusCode).toBe(401);
    expectErrorShape(res.json(), 'AUTH_TOKEN_INVALID');
  });

  it('stores only a hash of the token', async () => {
    const staff = await t.factory.newStaff('operator');
    const token = await t.factory.loginAs('staff', staff.username, staff.password);
    const rows = await t.ctx.db.selectFrom('sessions').select('token_hash').where('subject_id', '=', staff.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a wrong role gets 403 FORBIDDEN', async () => {
    const student = await t.factory.newStudent();
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers: auth(token), payload: { username: 'sneaky', displayName: 'x', password: 'Password-123', role: 'operator' } });
    expect(res.statusCode).toBe(403);
    expectErrorShape(res.json(), 'FORBIDDEN');
    expect(await t.ctx.db.selectFrom('staff_users').select('id').where('username', '=', 'sneaky').executeTakeFirst()).toBeUndefined();
  });
});

describe('sign-in', () => {
  it('answers the same AUTH_FAILED for an unknown account and a wrong password', async () => {
    const staff = await t.factory.newStaff('operator');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'staff', login: staff.username, password: 'nope-nope-1' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'staff', login: 'nobody-here', password: 'nope-nope-1' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('writes every attempt to the audit log', async () => {
    const staff = await t.factory.newStaff('operator');
    await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'staff', login: staff.username, password: 'wrong-pass-1' } });
    await t.factory.loginAs('staff', staff.username, staff.password);
    const actions = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', staff.id).orderBy('at').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['login.failed', 'login.succeeded']);
  });

  it('shows a student their own record masked', async () => {
    const student = await t.factory.newStudent({ name: '欧阳娜娜' });
    const token = await t.factory.loginAs('student', student.education_id, student.password);
    const me = (await t.app.inject({ url: '/api/v1/me', headers: auth(token) })).json() as { displayName: string; mustChangePassword: boolean };
    expect(me.displayName).toBe('欧***');
    expect(me.mustChangePassword).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  const newStaffBody = (username: string) => ({ username, displayName: '新操作员', password: 'Password-123', role: 'operator' });

  it('a replay returns the stored response and creates nothing more', async () => {
    const headers = { ...auth(operatorToken), 'idempotency-key': 'create-op-1' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('replayed-op') });
    expect(first.statusCode).toBe(201);
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('replayed-op') });
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const rows = await t.ctx.db.selectFrom('staff_users').select('id').where('username', '=', 'replayed-op').execute();
    expect(rows).toHaveLength(1);
  });

  it('the same key with another body is a 422 and changes nothing', async () => {
    const headers = { ...auth(operatorToken), 'idempotency-key': 'create-op-2' };
    await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('first-op') });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('second-op') });
    expect(res.statusCode).toBe(422);
    expectErrorShape(res.json(), 'IDEMPOTENCY_KEY_REUSED');
    expect(await t.ctx.db.selectFrom('staff_users').select('id').where('username', '=', 'second-op').executeTakeFirst()).toBeUndefined();
  });

  it('a failed request stores no key, so a corrected retry may reuse it', async () => {
    const headers = { ...auth(operatorToken), 'idempotency-key': 'create-op-3' };
    const taken = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('replayed-op') });
    expect(taken.statusCode).toBe(409);
    expectErrorShape(taken.json(), 'STAFF_USERNAME_TAKEN');
    const retry = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('replayed-op') });
    expect(retry.statusCode).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keys are scoped per caller', async () => {
    const otherOperator = await t.factory.operatorToken();
    const key = 'shared-key-name';
    const a = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers: { ...auth(operatorToken), 'idempotency-key': key }, payload: newStaffBody('scoped-a') });
    const b = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers: { ...auth(otherOperator), 'idempotency-key': key }, payload: newStaffBody('scoped-b') });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
  });

  it('concurrent duplicates: exactly one effect; the others replay or get 409', async () => {
    const headers = { ...auth(operatorToken), 'idempotency-key': 'concurrent-1' };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: newStaffBody('concurrent-op') })),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const r of results.filter((r) => r.statusCode === 409)) expectErrorShape(r.json(), 'IDEMPOTENCY_IN_PROGRESS');
    const created = results.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(created).toHaveLength(1);
    const rows = await t.ctx.db.selectFrom('staff_users').select('id').where('username', '=', 'concurrent-op').execute();
    expect(rows).toHaveLength(1);
  });

  it('stores no plain hash of the body: a 6-digit secret in it cannot be found by trying them all', async () => {
    const headers = { ...auth(operatorToken), 'idempotency-key': 'keyed-fingerprint' };
    const body = newStaffBody('fingerprinted-op');
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers, payload: body })).statusCode).toBe(201);
    const stored = await t.ctx.db.selectFrom('idempotency_keys').select('request_hash').where('key', '=', 'keyed-fingerprint').executeTakeFirstOrThrow();
    // The body as the route sees it once validated (the schema's order, its default filled in).
    const fingerprinted = `POST /api/v1/staff\n/api/v1/staff\n${JSON.stringify({ ...body, schoolId: null })}`;
    const plain = createHash('sha256').update(fingerprinted).digest('hex');
    expect(stored.request_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.request_hash).not.toBe(plain);
    // Keyed with the server's secret, so the server itself still recognises the replay.
    const keyed = createHmac('sha256', fingerprintKey(t.ctx.config.secrets.sessionSecret)).update(fingerprinted).digest('hex');
    expect(stored.request_hash).toBe(keyed);
  });

  it('a malformed key is a 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/staff', headers: { ...auth(operatorToken), 'idempotency-key': 'x'.repeat(300) }, payload: newStaffBody('too-long-key') });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), 'IDEMPOTENCY_KEY_INVALID');
  });
});

describe('admin lists', () => {
  it('paginates schools on the server', async () => {
    for (let i = 0; i < 3; i++) await t.factory.newSchool({ name: `分页学校${i}` });
    const res = await t.app.inject({ url: '/api/v1/admin/schools?page=1&pageSize=2&q=分页学校', headers: auth(operatorToken) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: unknown[]; total: number };
    expect(body.total).toBe(3);
    expect(body.items).toHaveLength(2);
  });

  it('a school card manager sees only their own school', async () => {
    const manager = await t.factory.newStaff('school_admin');
    await t.factory.newSchool({ name: '别的学校' });
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    const body = (await t.app.inject({ url: '/api/v1/admin/schools?pageSize=200', headers: auth(token) })).json() as { items: { id: string }[]; total: number };
    expect(body.total).toBe(1);
    expect(body.items.map((s) => s.id)).toEqual([manager.school_id]);
    const audit = await t.app.inject({ url: '/api/v1/admin/audit-log', headers: auth(token) });
    expect(audit.statusCode).toBe(403);
  });

  it('lists the audit log newest first for operators', async () => {
    const res = await t.app.inject({ url: '/api/v1/admin/audit-log?pageSize=5', headers: auth(operatorToken) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: { at: string }[]; total: number };
    expect(body.total).toBeGreaterThan(5);
    const times = body.items.map((i) => i.at);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
