import { fail } from '../../../platform/errors.js';
import '../payments.errors.js';

/** A gateway call that takes longer than this is treated as unavailable (and retried later). */
const gatewayTimeoutMs = 10_000;

export interface GatewayResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** One HTTP call to a gateway; a network failure or timeout is GATEWAY_UNAVAILABLE. */
export async function callGateway(url: string, init: RequestInit): Promise<GatewayResponse> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(gatewayTimeoutMs) });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    throw fail('GATEWAY_UNAVAILABLE', { url: new URL(url).origin, reason: error instanceof Error ? error.message : String(error) });
  }
}
