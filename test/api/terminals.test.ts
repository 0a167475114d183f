import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operator: string;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const register = (token: string, code: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${token}` }, payload: { code, kind: 'bus_validator', operator: '北京公交', location: '300路' } });

describe('terminals authenticate with their own credentials', () => {
  it('an operator registers a terminal; the terminal signs in and gets a terminal session', async () => {
    const res = await register(operator, 'BUS-300-0001');
    expect(res.statusCode).toBe(201);
    const { secret, id } = res.json() as { secret: string; id: string };
    const stored = await t.ctx.db.selectFrom('terminals').select('secret_hash').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(secret);

    const login = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code: 'BUS-300-0001', secret } });
    expect(login.statusCode).toBe(201);
    const token = (login.json() as { token: string }).token;
    const me = await t.app.inject({ url: '/api/v1/terminal/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ id, code: 'BUS-300-0001', kind: 'bus_validator' });
    // A terminal is not a person: person endpoints refuse it.
    expect((await t.app.inject({ url: '/api/v1/admin/schools', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  });

  it('a wrong secret, an unknown code and a duplicate code are refused', async () => {
    await register(operator, 'GATE-01');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code: 'GATE-01', secret: 'ts_guess' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code: 'NOPE-01', secret: 'ts_guess' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect((await register(operator, 'GATE-01')).json()).toMatchObject({ error: { code: 'TERMINAL_CODE_TAKEN' } });
  });

  it('only operators register terminals', async () => {
    const manager = await t.factory.newStaff('school_admin');
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    expect((await register(token, 'POS-01')).statusCode).toBe(403);
  });
});
