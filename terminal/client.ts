import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  actionsResponseSchema,
  batchResponseSchema,
  denyListDeltaSchema,
  type ActionsResponse,
  type BatchRequest,
  type BatchResponse,
  type DenyListDelta,
} from '../src/modules/transit/protocol.js';
import { networkGatewayAnswerSchema, posPurchaseResultSchema, posRefundResultSchema, type NetworkGatewayAnswer, type NetworkSignOn, type PosPurchase, type PosPurchaseResult, type PosRefundResult } from '../src/modules/campus/campus.schemas.js';
import type { TerminalApi } from './terminal-simulator.js';

/**
 * HTTP client of the Onecard API for terminals (and, for the simulator's set-up, operators):
 * Node's fetch, JSON in and out, every answer checked against the protocol's zod schemas.
 */

/** The server answered with an error body `{ error: { code, message, messageEn } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** No answer at all (connection refused, reset, timed out): worth retrying later. */
export class TransportError extends Error {}

type Fetch = typeof fetch;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  idempotencyKey?: string;
  timeoutMs?: number;
}

export class HttpApi {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  async request<T>(path: string, options: RequestOptions = {}, schema?: z.ZodType<T>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new TransportError(`cannot reach ${url.origin}: ${cause}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError(res.status, 'NOT_JSON', text.slice(0, 200));
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; messageEn?: string; message?: string; details?: unknown } } | null)?.error;
      throw new ApiError(res.status, e?.code ?? 'HTTP_ERROR', e?.messageEn ?? e?.message ?? res.statusText, e?.details);
    }
    return schema ? schema.parse(json) : (json as T);
  }
}

export interface TerminalCredentials {
  code: string;
  secret: string;
}

/**
 * A signed-in terminal: logs in with its code and secret (POST /terminal-sessions) and signs in
 * again once when the server says the session expired.
 */
export class TerminalClient implements TerminalApi {
  private token: string | null = null;
  terminalId: string | null = null;

  constructor(
    readonly http: HttpApi,
    private readonly credentials: TerminalCredentials,
  ) {}

  async login(): Promise<{ terminalId: string; expiresAt: string }> {
    const res = await this.http.request<{ token: string; expiresAt: string; terminalId: string }>('/terminal-sessions', { body: this.credentials });
    this.token = res.token;
    this.terminalId = res.terminalId;
    return { terminalId: res.terminalId, expiresAt: res.expiresAt };
  }

  private async authed<T>(path: string, options: RequestOptions, schema?: z.ZodType<T>): Promise<T> {
    if (!this.token) await this.login();
    try {
      return await this.http.request(path, { ...options, token: this.token }, schema);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        await this.login();
        return this.http.request(path, { ...options, token: this.token }, schema);
      }
      throw error;
    }
  }

  /** GET /terminal/me; `denyListPublicKey` is the SPKI PEM that verifies deny-list deltas. */
  me(): Promise<{ id: string; code: string; kind: string; denyListPublicKey?: string }> {
    return this.authed('/terminal/me', {});
  }

  uploadBatch(terminalId: string, body: BatchRequest): Promise<BatchResponse> {
    return this.authed(`/terminals/${terminalId}/batches`, { body, timeoutMs: 120_000 }, batchResponseSchema);
  }

  denyList(terminalId: string, since: number): Promise<DenyListDelta> {
    return this.authed(`/terminals/${terminalId}/deny-list?since=${since}`, { timeoutMs: 120_000 }, denyListDeltaSchema);
  }

  /** A canteen POS's purchase (POST /terminals/{id}/purchases): idempotent by its purchaseId. */
  purchase(terminalId: string, body: PosPurchase): Promise<PosPurchaseResult> {
    return this.authed(`/terminals/${terminalId}/purchases`, { body }, posPurchaseResultSchema);
  }

  /** 撤销: the POS cancels one of its purchases of today (POST /terminals/{id}/purchases/{purchaseId}/cancel). */
  cancelPurchase(terminalId: string, purchaseId: string): Promise<PosRefundResult> {
    return this.authed(`/terminals/${terminalId}/purchases/${encodeURIComponent(purchaseId)}/cancel`, { method: 'POST' }, posRefundResultSchema);
  }

  /** A campus network gateway signs a device on (idempotent by the gateway's sessionId). */
  networkSignOn(terminalId: string, body: NetworkSignOn): Promise<NetworkGatewayAnswer> {
    return this.authed(`/terminals/${terminalId}/network/sessions`, { body }, networkGatewayAnswerSchema);
  }

  /** The gateway reports a session's minutes so far, or its last (final). */
  networkUsage(terminalId: string, sessionId: string, body: { minutes: number; final: boolean }): Promise<NetworkGatewayAnswer> {
    return this.authed(`/terminals/${terminalId}/network/sessions/${encodeURIComponent(sessionId)}/usage`, { body }, networkGatewayAnswerSchema);
  }

  actions(terminalId: string, since: string | undefined): Promise<ActionsResponse> {
    const query = since === undefined ? '' : `?since=${encodeURIComponent(since)}`;
    return this.authed(`/terminals/${terminalId}/actions${query}`, {}, actionsResponseSchema);
  }
}

/** An operator session, for registering terminals and setting up the simulator's cards. */
export class OperatorClient {
  constructor(
    readonly http: HttpApi,
    readonly token: string,
  ) {}

  static async login(http: HttpApi, username: string, password: string): Promise<OperatorClient> {
    const res = await http.request<{ token: string }>('/sessions', { body: { as: 'staff', login: username, password } });
    return new OperatorClient(http, res.token);
  }

  request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const mutating = options.body !== undefined || (options.method !== undefined && options.method !== 'GET');
    return this.http.request<T>(path, { ...options, token: this.token, idempotencyKey: options.idempotencyKey ?? (mutating ? randomUUID() : undefined) });
  }

  registerTerminal(input: { code: string; kind: 'bus_validator' | 'rail_gate' | 'pos' | 'network_gateway'; operator: string; location: string | null; schoolId?: string | null }) {
    return this.request<{ id: string; code: string; kind: string; secret: string }>('/admin/terminals', { body: input });
  }

  /** The school with exactly this code (GET /admin/schools searches names and codes). */
  async schoolByCode(code: string): Promise<{ id: string; code: string; name: string }> {
    const page = await this.request<{ items: { id: string; code: string; name: string }[] }>(`/admin/schools?q=${encodeURIComponent(code)}&pageSize=20`);
    const school = page.items.find((s) => s.code === code);
    if (!school) throw new Error(`no school with the code ${code}`);
    return school;
  }
}
