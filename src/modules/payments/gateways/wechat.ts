import { aesGcmDecrypt, aesGcmEncrypt, randomAlphanumeric, rsaSign, rsaVerify } from './crypto.js';

/**
 * WeChat Pay API v3 signing, shared by the merchant client and the sandbox gateway:
 *
 * - a request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
 *   signature="…",timestamp="…",serial_no="…"`, the signature being SHA256withRSA by the
 *   merchant's key over `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n` (body empty for GET);
 * - a response or notification carries `Wechatpay-Timestamp`, `Wechatpay-Nonce`,
 *   `Wechatpay-Signature` and `Wechatpay-Serial` (which platform key signed), the signature
 *   being over `timestamp\nnonce\nbody\n`;
 * - a notification's `resource` is AEAD_AES_256_GCM-encrypted with the merchant's APIv3 key
 *   (32 bytes), with its own `nonce` and `associated_data`, the 16-byte tag after the ciphertext.
 */

export const wechatAuthScheme = 'WECHATPAY2-SHA256-RSA2048';

/** WeChat Pay refuses a signed message whose timestamp is more than five minutes off. */
const wechatMaxClockSkewSeconds = 300;

export interface WechatRequestToSign {
  method: string;
  /** Path and query as sent, without scheme and host: `/v3/pay/transactions/out-trade-no/X?mchid=Y`. */
  pathWithQuery: string;
  body: string;
}

export interface WechatSigner {
  mchid: string;
  serialNo: string;
  privateKeyPem: string;
}

export function wechatRequestMessage(request: WechatRequestToSign, timestamp: string, nonce: string): string {
  return `${request.method.toUpperCase()}\n${request.pathWithQuery}\n${timestamp}\n${nonce}\n${request.body}\n`;
}

export function wechatAuthorization(request: WechatRequestToSign, signer: WechatSigner, at: Date): string {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomAlphanumeric(32);
  const signature = rsaSign(wechatRequestMessage(request, timestamp, nonce), signer.privateKeyPem);
  return `${wechatAuthScheme} mchid="${signer.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${signer.serialNo}"`;
}

export interface WechatAuthorizationFields {
  mchid: string;
  nonceStr: string;
  signature: string;
  timestamp: string;
  serialNo: string;
}

/** The fields of an Authorization header, or undefined when it is not a well-formed WeChat Pay one. */
export function parseWechatAuthorization(header: string | undefined): WechatAuthorizationFields | undefined {
  if (!header?.startsWith(`${wechatAuthScheme} `)) return undefined;
  const fields = new Map<string, string>();
  for (const match of header.slice(wechatAuthScheme.length + 1).matchAll(/(\w+)="([^"]*)"/g)) fields.set(match[1] as string, match[2] as string);
  const [mchid, nonceStr, signature, timestamp, serialNo] = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'].map((k) => fields.get(k));
  if (!mchid || !nonceStr || !signature || !timestamp || !serialNo) return undefined;
  return { mchid, nonceStr, signature, timestamp, serialNo };
}

/** Checks a request's Authorization against the merchant's public key (what the gateway does). */
export function verifyWechatRequest(
  request: WechatRequestToSign,
  auth: WechatAuthorizationFields,
  merchantPublicKeyPem: string,
  now: Date,
): boolean {
  return isFresh(auth.timestamp, now) && rsaVerify(wechatRequestMessage(request, auth.timestamp, auth.nonceStr), auth.signature, merchantPublicKeyPem);
}

export interface WechatSignatureHeaders {
  'wechatpay-timestamp': string;
  'wechatpay-nonce': string;
  'wechatpay-signature': string;
  'wechatpay-serial': string;
  'wechatpay-signature-type': string;
}

/** Headers the platform puts on a response or a notification it signs. */
export function signWechatMessage(body: string, platform: { serialNo: string; privateKeyPem: string }, at: Date): WechatSignatureHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomAlphanumeric(32);
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': rsaSign(`${timestamp}\n${nonce}\n${body}\n`, platform.privateKeyPem),
    'wechatpay-serial': platform.serialNo,
    'wechatpay-signature-type': wechatAuthScheme,
  };
}

export type WechatSignatureCheck = 'ok' | 'missing_headers' | 'unknown_serial' | 'stale_timestamp' | 'bad_signature';

/**
 * Verifies a platform-signed message (a notification or an API response): the serial must name
 * a platform key we know, the timestamp must be within five minutes (a replayed old message is
 * refused), and the signature must match the exact body bytes.
 */
export function checkWechatSignature(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  platformKeys: ReadonlyMap<string, string>,
  now: Date,
): WechatSignatureCheck {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const [timestamp, nonce, signature, serial] = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'].map(header);
  if (!timestamp || !nonce || !signature || !serial) return 'missing_headers';
  const publicKey = platformKeys.get(serial);
  if (!publicKey) return 'unknown_serial';
  if (!isFresh(timestamp, now)) return 'stale_timestamp';
  return rsaVerify(`${timestamp}\n${nonce}\n${body}\n`, signature, publicKey) ? 'ok' : 'bad_signature';
}

function isFresh(timestamp: string, now: Date): boolean {
  return /^\d{1,12}$/.test(timestamp) && Math.abs(now.getTime() / 1000 - Number(timestamp)) <= wechatMaxClockSkewSeconds;
}

export interface WechatEncryptedResource {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  original_type: string;
  nonce: string;
}

/** The APIv3 key is 32 characters, used as the AES-256 key bytes as they are. */
function apiV3KeyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new RangeError('a WeChat Pay APIv3 key is 32 bytes');
  return key;
}

export function encryptWechatResource(plaintext: string, apiV3Key: string, originalType: string, associatedData: string): WechatEncryptedResource {
  const nonce = randomAlphanumeric(12);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: aesGcmEncrypt(plaintext, apiV3KeyBytes(apiV3Key), nonce, associatedData),
    associated_data: associatedData,
    original_type: originalType,
    nonce,
  };
}

/** Throws when the resource was altered (the GCM tag does not match) or the algorithm is another. */
export function decryptWechatResource(resource: WechatEncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported algorithm ${String(resource.algorithm)}`);
  return aesGcmDecrypt(resource.ciphertext, apiV3KeyBytes(apiV3Key), resource.nonce, resource.associated_data ?? '');
}
