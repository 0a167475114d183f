import { ApiError, newIdempotencyKey, type ApiClient } from '../../../shared/api.js';

/** POSTs and saves the answer as a file (the printer's CSV): the token goes in a header, so a plain link cannot do it. */
export async function postAndDownload(api: ApiClient, path: string, fallbackName: string): Promise<void> {
  const token = api.tokens.get();
  const response = await fetch(`/api/v1${path}`, { method: 'POST', headers: { 'idempotency-key': newIdempotencyKey(), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string; messageEn: string; details?: Record<string, unknown> } } | undefined;
    if (body?.error) throw new ApiError(response.status, body.error.code, body.error.message, body.error.messageEn, body.error.details);
    throw new ApiError(response.status, `HTTP_${response.status}`, `服务暂时不可用（${response.status}）`, `The service is unavailable (${response.status})`);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
