import { ApiError, type ApiClient, type ErrorBody } from '../../shared/api.js';
import { useApi } from '../../shared/session.js';

/**
 * What the shared JSON client does not cover: PATCH, raw uploads (a roster CSV, a photo) and
 * binary downloads (a photo). Errors become the same ApiError, in both languages.
 */

/** A fresh Idempotency-Key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function toApiError(response: Response): Promise<ApiError> {
  const payload = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
  const error = payload?.error;
  if (error && typeof error.code === 'string') return new ApiError(response.status, error.code, error.message, error.messageEn, error.details);
  return new ApiError(response.status, `HTTP_${response.status}`, `服务暂时不可用（${response.status}）`, `The service is unavailable (${response.status})`);
}

async function send(api: ApiClient, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  const token = api.tokens.get();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: init.body, signal: init.signal });
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    throw new ApiError(0, 'NETWORK_ERROR', '网络连接失败，请检查网络后重试', 'Network error; check your connection and try again');
  }
  if (response.ok) return response;
  const error = await toApiError(response);
  if (error.isUnauthorized && token) api.tokens.set(null);
  throw error;
}

export function useAdminApi() {
  const api = useApi();
  return {
    api,
    /** A JSON mutation with an Idempotency-Key, so a retried click cannot do it twice. */
    async mutate<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const response = await send(api, method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { accept: 'application/json', 'idempotency-key': newIdempotencyKey(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      });
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    /** Raw bytes as the body, with the content type given explicitly (browsers guess .csv badly). */
    async upload<T>(method: 'POST' | 'PUT', path: string, file: Blob, contentType: string, headers: Record<string, string> = {}): Promise<T> {
      const response = await send(api, method, path, { body: file, headers: { accept: 'application/json', 'content-type': contentType, ...headers } });
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    async blob(path: string, signal?: AbortSignal): Promise<Blob> {
      return (await send(api, 'GET', path, { signal })).blob();
    },
  };
}
