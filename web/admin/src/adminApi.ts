import { ApiError, newIdempotencyKey, type ApiClient, type ErrorBody } from '../../shared/api.js';
import { useApi } from '../../shared/session.js';

/**
 * The console's calls beside the shared JSON client: mutations with their Idempotency-Key, raw
 * uploads (a roster CSV, a photo) and binary downloads (a photo). Errors become the same
 * ApiError, in both languages.
 */

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
    /**
     * A JSON mutation (any method) through the shared client, with an Idempotency-Key: pass the
     * key `useIdempotentMutation` (web/shared/mutation.ts) gives the mutation, so a retry of the
     * same action reuses it; without one a fresh key is made (each call is then its own action).
     */
    mutate<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, idempotencyKey: string = newIdempotencyKey()): Promise<T> {
      return api.request<T>(method, path, { body, idempotencyKey });
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
