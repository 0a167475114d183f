/**
 * The fetch wrapper both web apps use: adds the bearer token, and turns every failure into an
 * ApiError carrying the server's stable code and both languages of its message.
 */

export interface ErrorBody {
  error: { code: string; message: string; messageEn: string; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageEn: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/** A token kept in localStorage under a per-app key: the app and the console share one origin. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
  /** Called on every change, also from other tabs, so signing out in one tab signs out all. */
  subscribe(listener: () => void): () => void;
}

export function localTokenStore(key: string): TokenStore {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  return {
    get: () => localStorage.getItem(key),
    set(token) {
      if (token === null) localStorage.removeItem(key);
      else localStorage.setItem(key, token);
      notify();
    },
    subscribe(listener) {
      const onStorage = (event: StorageEvent) => {
        if (event.key === key || event.key === null) listener();
      };
      listeners.add(listener);
      window.addEventListener('storage', onStorage);
      return () => {
        listeners.delete(listener);
        window.removeEventListener('storage', onStorage);
      };
    },
  };
}

export type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Sign-in must not send a stale token: the server rejects a request with a bad one. */
  auth?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (the bearer token, accept and content-type are set here). */
  headers?: Record<string, string>;
  /**
   * The mutation's Idempotency-Key: one per user action, the same on a retry of that action
   * (see `useIdempotentMutation` in web/shared/mutation.ts), so a retry never does it twice.
   */
  idempotencyKey?: string;
}

/**
 * A fresh Idempotency-Key (a random UUID). crypto.randomUUID exists only in secure contexts
 * (https, localhost); an app opened over plain http on a LAN address falls back to getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface ApiClient {
  readonly tokens: TokenStore;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>;
  delete(path: string, options?: Omit<RequestOptions, 'body'>): Promise<void>;
  /** A binary resource (a photo) with the bearer token, which an `<img src>` cannot send. */
  getBlob(path: string, signal?: AbortSignal): Promise<Blob>;
}

function urlOf(base: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

export function createApiClient(options: { tokens: TokenStore; baseUrl?: string }): ApiClient {
  const { tokens, baseUrl = '/api/v1' } = options;

  async function send(method: string, path: string, { query, body, auth = true, signal, headers: extra, idempotencyKey }: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { ...extra, accept };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    const token = auth ? tokens.get() : null;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(urlOf(baseUrl, path, query), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new ApiError(0, 'NETWORK_ERROR', '网络连接失败，请检查网络后重试', 'Network error; check your connection and try again');
    }
    if (response.ok) return response;

    const payload: unknown = await response.json().catch(() => undefined);
    const error = isErrorBody(payload)
      ? new ApiError(response.status, payload.error.code, payload.error.message, payload.error.messageEn, payload.error.details)
      : new ApiError(response.status, `HTTP_${response.status}`, `服务暂时不可用（${response.status}）`, `The service is unavailable (${response.status})`);
    // A token the server no longer accepts is dropped, so the app falls back to its sign-in page.
    if (error.isUnauthorized && token) tokens.set(null);
    throw error;
  }

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await send(method, path, options, 'application/json');
    if (response.status === 204) return undefined as T;
    return (await response.json().catch(() => undefined)) as T;
  }

  return {
    tokens,
    request,
    get: (path, query, signal) => request('GET', path, { query, signal }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    delete: (path, opts) => request<void>('DELETE', path, opts),
    getBlob: async (path, signal) => (await send('GET', path, { signal }, 'image/*,*/*')).blob(),
  };
}
