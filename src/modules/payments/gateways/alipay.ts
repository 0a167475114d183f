import { rsaSign, rsaVerify } from './crypto.js';

/**
 * Alipay's open-platform signing (RSA2 = SHA256withRSA), shared by the merchant client and the
 * sandbox gateway so both sides compute the same strings:
 *
 * - the content signed is the parameters sorted by name (ASCII order), written `k=v` and joined
 *   with `&`, leaving out empty values and `sign`;
 * - a request (alipay.trade.*) signs every other parameter, `sign_type` included;
 * - an asynchronous notification is verified without `sign_type` as well (Alipay's rsaCheckV1);
 * - a response `{"<method>_response":{…},"sign":"…"}` is signed over the exact text of the
 *   `<method>_response` object, so the client verifies the raw body, not a re-serialisation.
 */

export const alipaySignType = 'RSA2';

export type AlipayParams = Record<string, string>;

export function alipaySignContent(params: AlipayParams, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

const requestExcluded = ['sign'];
const notificationExcluded = ['sign', 'sign_type'];

export function signAlipayRequest(params: AlipayParams, privateKeyPem: string): AlipayParams {
  return { ...params, sign: rsaSign(alipaySignContent(params, requestExcluded), privateKeyPem) };
}

export function verifyAlipayRequest(params: AlipayParams, publicKeyPem: string): boolean {
  return params.sign_type === alipaySignType && rsaVerify(alipaySignContent(params, requestExcluded), params.sign, publicKeyPem);
}

export function signAlipayNotification(params: AlipayParams, privateKeyPem: string): AlipayParams {
  return { ...params, sign_type: alipaySignType, sign: rsaSign(alipaySignContent(params, notificationExcluded), privateKeyPem) };
}

export function verifyAlipayNotification(params: AlipayParams, publicKeyPem: string): boolean {
  return params.sign_type === alipaySignType && rsaVerify(alipaySignContent(params, notificationExcluded), params.sign, publicKeyPem);
}

/** `alipay.trade.query` → `alipay_trade_query_response`. */
function alipayResponseKey(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

/** The body Alipay answers an API call with: the response object and its signature. */
export function signedAlipayResponse(method: string, response: Record<string, unknown>, privateKeyPem: string): string {
  const content = JSON.stringify(response);
  return `{"${alipayResponseKey(method)}":${content},"sign":"${rsaSign(content, privateKeyPem)}"}`;
}

/**
 * The response object of a signed answer, after checking its signature over the raw text;
 * undefined when the body is malformed or the signature does not match.
 */
export function verifiedAlipayResponse(raw: string, method: string, publicKeyPem: string): Record<string, unknown> | undefined {
  const content = jsonMemberText(raw, alipayResponseKey(method));
  let parsed: { sign?: unknown };
  try {
    parsed = JSON.parse(raw) as { sign?: unknown };
  } catch {
    return undefined;
  }
  if (content === undefined || typeof parsed.sign !== 'string' || !rsaVerify(content, parsed.sign, publicKeyPem)) return undefined;
  return JSON.parse(content) as Record<string, unknown>;
}

/**
 * The exact source text of a top-level object member `"key": {...}` of a JSON document, found by
 * scanning brackets outside strings (what Alipay's SDKs do, so that whitespace and key order
 * in the gateway's answer never break verification).
 */
export function jsonMemberText(raw: string, key: string): string | undefined {
  const marker = `"${key}"`;
  const at = raw.indexOf(marker);
  if (at < 0) return undefined;
  const start = raw.indexOf('{', at + marker.length);
  if (start < 0 || raw.slice(at + marker.length, start).trim() !== ':') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < raw.length; i++) {
    const ch = raw[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return raw.slice(start, i + 1);
  }
  return undefined;
}

/** Form-encoded text → parameters; a repeated name is refused rather than guessed at. */
export function parseAlipayForm(body: string): AlipayParams | undefined {
  const entries = [...new URLSearchParams(body)];
  if (new Set(entries.map(([key]) => key)).size !== entries.length) return undefined;
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return Object.fromEntries(entries);
}

export function alipayForm(params: AlipayParams): string {
  return new URLSearchParams(params).toString();
}
