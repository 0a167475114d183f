import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, newIdempotencyKey, type TokenStore } from '../../web/shared/api.js';

/** The shared web client: request headers, the Idempotency-Key, and the key generator. */

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function memoryTokens(token: string | null): TokenStore {
  let value = token;
  return { get: () => value, set: (next) => void (value = next), subscribe: () => () => undefined };
}

function recordFetch(status = 200, body: unknown = { ok: true }) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

const headersOf = (init: RequestInit) => init.headers as Record<string, string>;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('createApiClient', () => {
  it('sends the Idempotency-Key and extra headers it is given, beside the token and content type', async () => {
    const calls = recordFetch();
    const api = createApiClient({ tokens: memoryTokens('t0k') });
    await api.post('/orders/top-up', { amountFen: 100 }, { idempotencyKey: 'key-1', headers: { 'x-extra': 'yes' } });
    expect(calls[0]?.url).toBe('/api/v1/orders/top-up');
    expect(headersOf(calls[0]!.init)).toEqual({ accept: 'application/json', authorization: 'Bearer t0k', 'content-type': 'application/json', 'idempotency-key': 'key-1', 'x-extra': 'yes' });
    expect(calls[0]?.init.body).toBe('{"amountFen":100}');
  });

  it('keeps the old call shapes working: no key unless asked, delete with and without options', async () => {
    const calls = recordFetch(204);
    const api = createApiClient({ tokens: memoryTokens(null) });
    await api.post('/x', undefined);
    await api.delete('/y');
    await api.delete('/z', { idempotencyKey: 'key-2' });
    await api.request('PUT', '/w', { body: { a: 1 }, idempotencyKey: 'key-3' });
    expect(calls.map((c) => [c.init.method, c.url, headersOf(c.init)['idempotency-key']])).toEqual([
      ['POST', '/api/v1/x', undefined],
      ['DELETE', '/api/v1/y', undefined],
      ['DELETE', '/api/v1/z', 'key-2'],
      ['PUT', '/api/v1/w', 'key-3'],
    ]);
    expect(headersOf(calls[0]!.init)).toEqual({ accept: 'application/json' });
  });

  it('extra headers cannot replace the bearer token or the accept header', async () => {
    const calls = recordFetch();
    const api = createApiClient({ tokens: memoryTokens('mine') });
    await api.get('/me');
    await api.request('GET', '/me', { headers: { authorization: 'Bearer other', accept: 'text/html' } });
    expect(headersOf(calls[1]!.init)).toMatchObject({ authorization: 'Bearer mine', accept: 'application/json' });
  });

  it('turns an error answer into an ApiError with the server’s code', async () => {
    recordFetch(422, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: '该幂等键已用于不同的请求', messageEn: 'reused' } });
    const api = createApiClient({ tokens: memoryTokens('t') });
    const error = await api.post('/x', {}, { idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});

describe('newIdempotencyKey', () => {
  it('is a random UUID, different every time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(uuidV4);
  });

  it('falls back to getRandomValues where randomUUID is missing (plain http on a LAN address)', () => {
    const getRandomValues = crypto.getRandomValues.bind(crypto);
    vi.stubGlobal('crypto', { getRandomValues });
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(uuidV4);
  });
});
