import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, HttpApi, OperatorClient, TerminalClient, TransportError } from '../../terminal/client.js';

/** A scripted HTTP server: records requests, answers from `handler`. */
let server: Server;
let base: string;
const seen: { method: string; url: string; auth?: string; idem?: string; body: string }[] = [];
let handler: (req: IncomingMessage, body: string) => { status: number; json: unknown };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, idem: req.headers['idempotency-key'] as string | undefined, body });
      const { status, json } = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const terminalId = '0196f0a4-0000-7000-8000-000000000001';

describe('TerminalClient', () => {
  it('signs in with code and secret, sends the bearer token, and signs in again once on 401', async () => {
    seen.length = 0;
    let logins = 0;
    handler = (req) => {
      if (req.url === '/api/v1/terminal-sessions') return { status: 201, json: { token: `tok-${++logins}`, expiresAt: '2026-11-23T14:00:00Z', terminalId } };
      if (req.headers.authorization === 'Bearer tok-1') return { status: 401, json: { error: { code: 'AUTH_TOKEN_EXPIRED', message: '登录已过期', messageEn: 'expired' } } };
      return { status: 200, json: { cursor: '7', actions: [{ id: 'a', cardNo: '1', kind: 'top_up', amountFen: 100 }] } };
    };
    const client = new TerminalClient(new HttpApi(base), { code: 'BUS-1', secret: 's3cret' });
    const res = await client.actions(terminalId, '3');
    expect(res).toEqual({ cursor: '7', actions: [{ id: 'a', cardNo: '1', kind: 'top_up', amountFen: 100 }] });
    expect(seen.map((r) => `${r.method} ${r.url} ${r.auth ?? '-'}`)).toEqual([
      'POST /api/v1/terminal-sessions -',
      `GET /api/v1/terminals/${terminalId}/actions?since=3 Bearer tok-1`,
      'POST /api/v1/terminal-sessions -',
      `GET /api/v1/terminals/${terminalId}/actions?since=3 Bearer tok-2`,
    ]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ code: 'BUS-1', secret: 's3cret' });
  });

  it('turns error bodies into ApiError with the stable code, and checks answers against the protocol', async () => {
    handler = (req) =>
      req.url === '/api/v1/terminal-sessions'
        ? { status: 201, json: { token: 't', expiresAt: 'x', terminalId } }
        : req.url!.includes('batches')
          ? { status: 403, json: { error: { code: 'ACCESS_DENIED', message: '无权访问', messageEn: 'You may not access this record' } } }
          : { status: 200, json: { version: 'one' } };
    const client = new TerminalClient(new HttpApi(base), { code: 'BUS-1', secret: 's' });
    await expect(client.uploadBatch(terminalId, { batchId: terminalId, records: [] })).rejects.toMatchObject({ status: 403, code: 'ACCESS_DENIED' });
    await expect(client.uploadBatch(terminalId, { batchId: terminalId, records: [] })).rejects.toBeInstanceOf(ApiError);
    await expect(client.denyList(terminalId, 0)).rejects.toThrow(/version/);
  });

  it('reports an unreachable server as a TransportError', async () => {
    const client = new TerminalClient(new HttpApi('http://127.0.0.1:9'), { code: 'X', secret: 'y' });
    await expect(client.login()).rejects.toBeInstanceOf(TransportError);
  });
});

describe('OperatorClient', () => {
  it('signs in as staff and sends an Idempotency-Key with every change', async () => {
    seen.length = 0;
    handler = (req) => (req.url === '/api/v1/sessions' ? { status: 201, json: { token: 'op' } } : { status: 201, json: { id: terminalId, code: 'G-1', kind: 'rail_gate', secret: 'ts_x' } });
    const op = await OperatorClient.login(new HttpApi(base), 'operator', 'pw');
    const created = await op.registerTerminal({ code: 'G-1', kind: 'rail_gate', operator: 'sim', location: null });
    expect(created.secret).toBe('ts_x');
    expect(JSON.parse(seen[0]!.body)).toEqual({ as: 'staff', login: 'operator', password: 'pw' });
    expect(seen[1]).toMatchObject({ method: 'POST', url: '/api/v1/admin/terminals', auth: 'Bearer op' });
    expect(seen[1]!.idem).toMatch(/^[0-9a-f-]{36}$/);
  });
});
